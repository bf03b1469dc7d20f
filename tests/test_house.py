"""The house itself: no merge left half done in a tracked file, and no import circle between modules."""

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.M)


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout (an sdist): look at the files themselves
        return [p for pat in patterns for p in ROOT.glob(pat)]
    return [ROOT / line for line in out.stdout.splitlines()]


def test_no_conflict_markers_in_code_or_docs():
    files = tracked("*.py", "*.md", "*.toml", "*.kv", "*.js", "*.css", "*.html", "*.sh", "*.service")
    assert files
    bad = [f"{p.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
           for p in files if p.is_file() for text in [p.read_text(errors="replace")]
           for m in [MARKER.search(text)] if m]
    assert bad == []


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:  # module level: what runs at import time
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return found & modules - {name}


def test_no_import_circles_in_the_package():
    paths = {}
    for p in (ROOT / "kiosk").rglob("*.py"):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    graph = {name: _imports(p, name, set(paths)) for name, p in paths.items()}
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []
