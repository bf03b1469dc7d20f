"""What a technician and a manager touch outside the kiosk's screens: the package installs without test
tools, `kiosk screenshots` runs without pytest, `kiosk run` says when there is no display, one vocabulary
for simulator ports and site levels, no stray dependencies."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_ONLY = ("pytest", "_pytest", "hypothesis", "playwright", "schemathesis", "kivy.tests", "requests")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A fresh user's environment: no display, a Kivy home nobody has used, this worktree's code."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER",
                                                            "KIVY_NO_CONFIG", "KIVY_NO_CONSOLELOG")}
    env.update({"KIVY_HOME": str(tmp_path / "fresh-kivy-home"), "PYTHONPATH": str(ROOT), **extra})
    return env


def test_nothing_in_the_package_imports_a_test_package_or_requests():
    found = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names
                      if any(n == t or n.startswith(t + ".") for t in TEST_ONLY)]
    assert found == []


def test_requests_is_not_a_dependency_httpx_is():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {d.split(">")[0].split("=")[0].split("[")[0].split(";")[0].strip() for d in deps}
    assert "requests" not in names and "httpx" in names


def test_screenshots_run_without_pytest_and_without_kivys_config_warning(tmp_path):
    """As after `pip install .` without the test extras: pytest cannot be imported."""
    blocker = tmp_path / "no-test-tools" / "pytest"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('pytest is not installed')\n")
    env = _env(tmp_path, PYTHONPATH=f"{blocker.parent}{os.pathsep}{ROOT}")
    out = tmp_path / "shots"
    run = subprocess.run([sys.executable, "-m", "kiosk", "screenshots", "--out", str(out), "--mode", "normal",
                          "--only", "08_matter_list"], capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (out / "normal" / "08_matter_list.png").stat().st_size > 10_000  # a scenario that taps a button
    assert "Older configuration version" not in run.stderr and "Traceback" not in run.stderr


def test_kiosk_run_without_a_display_says_so_and_how_to_look(tmp_path):
    config = tmp_path / "kiosk.toml"
    assert subprocess.run([sys.executable, "-m", "kiosk", "config", "init", str(config)], capture_output=True,
                          timeout=60, env=_env(tmp_path)).returncode == 0
    run = subprocess.run([sys.executable, "-m", "kiosk", "run", "--windowed", "--config", str(config)],
                         capture_output=True, text=True, timeout=60, env=_env(tmp_path))
    assert run.returncode == 2
    assert "no display" in run.stderr and "kiosk screenshots" in run.stderr and "kiosk demo" in run.stderr


def test_no_display_knows_other_video_drivers():
    from kiosk.terminal.cli import no_display

    assert no_display({}, "linux") and no_display({"SDL_VIDEODRIVER": ""}, "linux")
    assert no_display({"SDL_VIDEODRIVER": "offscreen"}, "linux") is None  # unseen on purpose (a test)
    assert no_display({"DISPLAY": ":0"}, "linux") is None and no_display({"WAYLAND_DISPLAY": "w"}, "linux") is None
    assert no_display({"SDL_VIDEODRIVER": "kmsdrm"}, "linux") is None and no_display({}, "win32") is None


def test_demo_output_is_ignored_by_git():
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/demo-out/" in lines or "demo-out/" in lines
    if (ROOT / ".git").exists():
        check = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", "demo-out/screens/a.png"],
                               timeout=30)
        assert check.returncode == 0


def test_one_vocabulary_for_site_levels():
    from kiosk.catalog.model import Level
    from kiosk.config.levels import SITE_LEVELS
    from kiosk.config.settings import SiteConfig
    from kiosk.queue.provision import LEVELS

    config_levels = typing.get_args(SiteConfig.model_fields["level"].annotation)
    assert SITE_LEVELS == config_levels == typing.get_args(Level) == LEVELS == ("district", "town", "village")


def test_add_site_takes_the_config_levels_and_the_old_spelling_with_a_warning(tmp_path):
    state = tmp_path / "state"

    def add(code: str, level: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kiosk", "queue", "add-site", "--state-dir", str(state),
                               "--code", code, "--name", "曾都区政务服务中心", "--level", level],
                              capture_output=True, text=True, timeout=120, env=_env(tmp_path))

    village, hall, bad = add("421303-101-01", "village"), add("421303", "hall"), add("X1", "province")
    assert village.returncode == 0 and "deprecated" not in village.stderr
    assert hall.returncode == 0 and "'hall' is deprecated" in hall.stderr and "district, town, village" in hall.stderr
    assert bad.returncode == 2 and "district, town, village" in bad.stderr
    with sqlite3.connect(state / "queue.sqlite3") as db:
        assert dict(db.execute("SELECT code, level FROM sites")) == {"421303-101-01": "village", "421303": "district"}


@pytest.mark.parametrize("flag", ["--port", "--port-tcp"])
def test_every_simulator_takes_port(tmp_path, flag):
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulate", "idcard", flag, "0", "--no-wire-timing"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path))
    try:
        line = proc.stdout.readline()
        assert "listening on socket://127.0.0.1:" in line
    finally:
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        proc.wait(timeout=30)
        err = proc.stderr.read()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert ("--port-tcp is deprecated; use --port" in err) is (flag == "--port-tcp")
    for command in ("printer", "button", "camera"):
        help_text = subprocess.run([sys.executable, "-m", "kiosk", "simulate", command, "--help"],
                                   capture_output=True, text=True, timeout=60, env=_env(tmp_path)).stdout
        assert "--port" in help_text and "--port-tcp" not in help_text
