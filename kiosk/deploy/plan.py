"""What an install writes, as data: folders, files and links with their modes and owners, the system user,
and the commands to run afterwards. ``kiosk install`` and ``kiosk queue install`` build a :class:`Plan`;
``--dry-run`` prints it (:meth:`Plan.render`), otherwise :mod:`kiosk.deploy.apply` carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dir:
    """A folder. ``data``: it holds what the service stored; an uninstall keeps it unless ``--purge``."""

    path: str
    mode: int
    owner: str = "root"
    group: str = "root"
    data: bool = False


@dataclass(frozen=True)
class File:
    """A file to write. ``secret``: its content is never printed. ``keep``: an existing file is left as it
    is (keys: replacing one would make stored data unreadable). ``conf``: configuration or a key, kept by
    an uninstall unless ``--purge``."""

    path: str
    content: bytes
    mode: int
    owner: str = "root"
    group: str = "root"
    secret: bool = False
    keep: bool = False
    conf: bool = False
    why: str = ""

    @classmethod
    def text(cls, path: str, content: str, mode: int = 0o644, **kw) -> File:
        return cls(path, content.encode("utf-8"), mode, **kw)


@dataclass(frozen=True)
class Link:
    path: str
    target: str
    why: str = ""


@dataclass(frozen=True)
class SystemUser:
    name: str
    home: str
    groups: tuple[str, ...] = ()


@dataclass
class Plan:
    """Everything one install does. ``commands`` run after the files are in place (only on the real root);
    ``remove_commands`` run first on uninstall; ``notes`` are told to the person installing."""

    name: str
    manifest: str
    user: SystemUser | None = None
    entries: list[Dir | File | Link] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)
    remove_commands: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # old files whose content moved into this plan's files

    def add(self, *entries: Dir | File | Link) -> None:
        self.entries.extend(entries)

    def file(self, path: str) -> File:
        for entry in self.entries:
            if isinstance(entry, File) and entry.path == path:
                return entry
        raise KeyError(path)

    def render(self) -> str:
        """The dry run: every folder, file (with its content unless secret), link and command."""
        out = [f"{self.name} install, dry run: nothing is written. It would:"]
        if self.user:
            groups = f"; also in {', '.join(self.user.groups)}" if self.user.groups else ""
            out.append(f"  create system user {self.user.name} (group {self.user.name}{groups}), "
                       f"home {self.user.home}, no login shell")
        for entry in self.entries:
            if isinstance(entry, Dir):
                out.append(f"  dir   {entry.mode:04o} {entry.owner}:{entry.group}  {entry.path}")
            elif isinstance(entry, Link):
                out.append(f"  link  {entry.path} -> {entry.target}" + (f"  ({entry.why})" if entry.why else ""))
        for entry in self.entries:
            if not isinstance(entry, File):
                continue
            keep = ", kept if it exists" if entry.keep else ""
            out.append("")
            out.append(f"--- file {entry.mode:04o} {entry.owner}:{entry.group}  {entry.path}{keep}"
                       + (f"  ({entry.why})" if entry.why else ""))
            if entry.secret:
                out.append(f"    (secret, {len(entry.content)} bytes: not shown)")
            else:
                out.append(entry.content.decode("utf-8").rstrip("\n"))
        for old in self.moved:
            out.append(f"\n  remove {old} (its content moved above)")
        if self.commands:
            out.append("")
            out.append("then run:")
            out.extend(f"  {' '.join(cmd)}" for cmd in self.commands)
        if self.notes:
            out.append("")
            out.extend(f"note: {note}" for note in self.notes)
        return "\n".join(out) + "\n"
