import json
import subprocess
import sys

HEAVY = ("kivy", "cv2", "numpy", "fastapi", "sqlalchemy", "escpos", "PIL")


def test_help_imports_no_heavy_modules():
    code = (
        "import sys, json\n"
        "from kiosk.cli import build_parser\n"
        "build_parser().format_help()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == []


def test_every_subcommand_has_help():
    from kiosk.cli import build_parser

    parser = build_parser()
    text = parser.format_help()
    for command in ("devices", "simulate", "queue", "config"):
        assert command in text
