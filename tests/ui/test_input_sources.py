"""Where the kiosk's touches come from: SDL alone (cage hands it the touch screen as pointer events)."""

from __future__ import annotations

import subprocess
import sys


def test_kivy_reads_no_input_device_itself(tmp_path):
    """Kivy's Linux default (probesysfs → mtdev) opens every multitouch /dev/input/event* it can read. The
    installed kiosk user is in group ``input`` (for an evdev call button), so under cage each tap on a
    multitouch panel would arrive twice — once from SDL, once from mtdev (unrotated under --rotate) — and a
    button pressed once could act twice. Only the SDL mouse provider may be configured."""
    code = (
        "from kiosk.terminal.app import prepare_kivy\n"
        "from kiosk.screens.shots import make_env, shot_config\n"
        "prepare_kivy(shot_config(make_env()).ui, fullscreen=False, size=(540, 960))\n"
        "from kivy.config import Config\n"
        "print(sorted(v.split(',')[0] for _, v in Config.items('input', raw=True)))\n"
    )
    env = {"KIVY_HOME": str(tmp_path), "KIVY_NO_ARGS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "['mouse']"
