"""Carrying out a :class:`~kiosk.deploy.plan.Plan` under a root folder, and undoing it.

- :func:`install` creates the system user (only on the real root ``/``), the folders, files (atomic
  write + fsync, mode set explicitly whatever the umask) and links, records what it wrote in the plan's
  manifest, then runs the plan's commands (``systemctl daemon-reload`` …) on the real root only.
- Under another root (``--root DIR``: an image being prepared, or a test) nothing outside it is touched:
  no user is created and no command runs; owners that do not exist there are left as they are.
- :func:`uninstall` reads the manifest, runs its stop commands, removes the files and links, and keeps
  data folders, configuration and keys unless ``purge``.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.deploy.plan import Dir, File, Link, Plan
from kiosk.durable import atomic_write, fsync_dir

Runner = Callable[[list[str]], int]


def run_command(cmd: list[str]) -> int:
    """Runs ``cmd``; prints what failed and returns its exit status (never raises)."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        print(f"  failed: {' '.join(cmd)}: {err}")
        return 127
    if done.returncode:
        print(f"  failed ({done.returncode}): {' '.join(cmd)}: {(done.stderr or done.stdout).strip()[:300]}")
    return done.returncode


def _under(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def _ids(owner: str, group: str) -> tuple[int, int]:
    """uid and gid, -1 for a name this system does not know (left unchanged by chown)."""
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        uid = -1
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        gid = -1
    return uid, gid


def _chown(path: Path, owner: str, group: str) -> None:
    uid, gid = _ids(owner, group)
    if (uid, gid) != (-1, -1) and os.geteuid() == 0:
        os.chown(path, uid, gid, follow_symlinks=False)


def _ensure_user(plan: Plan, runner: Runner) -> bool:
    """Creates the plan's system user if missing; True when it was created now."""
    user = plan.user
    created = _ids(user.name, user.name)[0] == -1
    if created:
        cmd = ["useradd", "--system", "--user-group", "--home-dir", user.home, "--no-create-home",
               "--shell", "/usr/sbin/nologin", "--comment", f"{plan.name} service", user.name]
        if runner(cmd) != 0:
            raise SystemExit(f"{plan.name} install: could not create user {user.name}; nothing else was changed")
    for group in user.groups:
        try:
            grp.getgrnam(group)
        except KeyError:
            continue  # no such group on this machine (e.g. render on an old kernel)
        runner(["usermod", "--append", "--groups", group, user.name])
    return created


def install(plan: Plan, root: Path = Path("/"), *, runner: Runner = run_command) -> dict:
    """Carries out ``plan`` under ``root``; returns the manifest it wrote."""
    real = root.resolve() == Path("/")
    created = _ensure_user(plan, runner) if (plan.user and real) else False
    if plan.user and not real and _ids(plan.user.name, plan.user.name)[0] == -1:
        print(f"  (under {root} no user is created: add system user {plan.user.name} to that system)")
    for entry in plan.entries:
        target = _under(root, entry.path)
        if isinstance(entry, Dir):
            target.mkdir(parents=True, exist_ok=True)
            os.chmod(target, entry.mode)
            _chown(target, entry.owner, entry.group)
        elif isinstance(entry, File):
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.keep and target.exists():
                continue
            atomic_write(target, entry.content, mode=entry.mode)
            _chown(target, entry.owner, entry.group)
        elif isinstance(entry, Link):
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            target.symlink_to(entry.target)
            fsync_dir(target.parent)
    for old in plan.moved:
        _under(root, old).unlink(missing_ok=True)
    manifest = {
        "name": plan.name, "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "user": plan.user.name if plan.user else None, "user_created": created,
        "dirs": [e.path for e in plan.entries if isinstance(e, Dir) and not e.data],
        "data": [e.path for e in plan.entries if isinstance(e, Dir) and e.data],
        "files": [e.path for e in plan.entries if isinstance(e, File) and not e.conf],
        "conf": [e.path for e in plan.entries if isinstance(e, File) and e.conf],
        "links": [e.path for e in plan.entries if isinstance(e, Link)],
        "remove_commands": plan.remove_commands,
        "after_remove": [c for c in plan.commands if c[:2] == ["systemctl", "daemon-reload"]
                         or c[0] in ("udevadm", "sysctl")],
    }
    target = _under(root, plan.manifest)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", mode=0o600)
    failed = 0
    if real:
        for cmd in plan.commands:
            failed += runner(cmd) != 0
    if failed:
        print(f"{plan.name} install: {failed} command(s) failed (above); the files are in place")
    return manifest


@dataclass(frozen=True)
class Step:
    """One thing :func:`uninstall` does: ``run`` a command, ``remove`` a file or link, ``rmdir`` a folder if
    it is empty by then, ``rmtree`` a data folder with everything in it, ``record`` what stays (without
    ``--purge``: the record shrinks to the kept data, configuration, folders and user, so a later
    ``uninstall --purge`` can still delete them)."""

    do: str
    item: str
    cmd: tuple[str, ...] = ()

    def line(self) -> str:
        return {"run": f"run: {' '.join(self.cmd)}", "remove": f"remove: {self.item}",
                "rmdir": f"remove if empty: {self.item}",
                "rmtree": f"DELETE with everything in it: {self.item}",
                "record": f"keep a record of what stays, for a later --purge: {self.item}"}[self.do]


KEPT = ("conf", "data", "dirs", "user", "user_created")  # what a record of a plain uninstall holds


def _manifest(manifest_path: str, root: Path) -> dict:
    path = _under(root, manifest_path)
    if not path.is_file():
        raise FileNotFoundError(f"nothing to uninstall: {path} does not exist (it is written by install)")
    return json.loads(path.read_text(encoding="utf-8"))


def _steps(manifest: dict, manifest_path: str, root: Path, purge: bool) -> list[Step]:
    """The uninstall, in the order it is carried out (commands only on the real root ``/``)."""
    real = root.resolve() == Path("/")
    run = lambda key: [Step("run", "", tuple(c)) for c in manifest.get(key, [])] if real else []  # noqa: E731
    steps = run("remove_commands") + ([Step("remove", manifest_path)] if purge else [])  # its folder may go below
    for kind in ["files", "links"] + (["conf"] if purge else []):
        steps += [Step("remove", item) for item in manifest.get(kind, [])
                  if _under(root, item).is_symlink() or _under(root, item).exists()]
    data = manifest.get("data", []) if purge else []
    for item in sorted(manifest.get("dirs", []) + data, key=len, reverse=True):  # deepest first
        if _under(root, item).is_dir():
            steps.append(Step("rmtree" if item in data else "rmdir", item))
    steps += run("after_remove")
    if real and purge and manifest.get("user_created") and manifest.get("user"):
        steps.append(Step("run", "", ("userdel", manifest["user"])))
    return steps if purge else [*steps, Step("record", manifest_path)]


def uninstall_plan(manifest_path: str, root: Path = Path("/"), *, purge: bool = False) -> list[str]:
    """What :func:`uninstall` would do, a line each, changing nothing (``--dry-run``): the very steps it takes."""
    return [step.line() for step in _steps(_manifest(manifest_path, root), manifest_path, root, purge)]


def uninstall(manifest_path: str, root: Path = Path("/"), *, purge: bool = False,
              runner: Runner = run_command) -> list[str]:
    """Undoes an install recorded at ``manifest_path`` (under ``root``); returns the paths removed."""
    manifest = _manifest(manifest_path, root)
    removed = []
    for step in _steps(manifest, manifest_path, root, purge):
        target = _under(root, step.item) if step.item else None
        if step.do == "run":
            runner(list(step.cmd))
        elif step.do == "remove":
            target.unlink(missing_ok=True)
            removed += [step.item] if step.item != manifest_path else []
        elif step.do == "rmtree":
            shutil.rmtree(target)
            removed.append(step.item)
        elif step.do == "record":
            kept = {k: manifest[k] for k in KEPT if k in manifest}
            kept["dirs"] = [d for d in manifest.get("dirs", []) if _under(root, d).is_dir()]
            atomic_write(target, json.dumps(kept, ensure_ascii=False, indent=1), mode=0o600)
        elif target.is_dir() and not any(target.iterdir()):
            target.rmdir()
            removed.append(step.item)
    return removed
