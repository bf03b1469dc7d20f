"""Logging hygiene of `kiosk run` / `kiosk demo`: a file at INFO with ID numbers masked (tracebacks too),
a quiet console, chatty libraries held back, and Kivy kept from taking over the root logger."""

import logging
import subprocess
import sys

import pytest

from kiosk.logsetup import log_to_file

ID = "11010519491231002X"


@pytest.fixture
def clean_root():
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("httpx").level, logging.getLogger("httpcore").level)
    console = logging.StreamHandler(sys.stderr)
    root.addHandler(console)
    root.setLevel(logging.WARNING)
    yield console
    for h in root.handlers:
        if h not in saved[1]:
            root.removeHandler(h)
            h.close()
    root.setLevel(saved[0])
    logging.getLogger("httpx").setLevel(saved[2])
    logging.getLogger("httpcore").setLevel(saved[3])


def test_log_file_is_info_masks_id_numbers_and_quiets_the_console(tmp_path, clean_root):
    logging.getLogger().setLevel(logging.WARNING)  # as a process starts (pytest set it to its log_level)
    path = log_to_file(tmp_path / "logs" / "kiosk.log", console_level=logging.ERROR)
    log = logging.getLogger("kiosk.test")
    log.debug("debug detail")
    log.info("card read for %s", ID)
    logging.getLogger("httpcore.http11").debug("send_request_headers.started")
    logging.getLogger("httpx").info("HTTP Request: POST /api/v1/requests 201")
    try:
        raise ValueError(f"bad number {ID}")
    except ValueError:
        log.exception("failed")
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert "card read for" in text and "failed" in text and "Traceback" in text
    assert ID not in text and "110105" in text  # masked, in the message and in the traceback
    assert "debug detail" not in text and "send_request_headers" not in text and "HTTP Request" not in text
    assert clean_root.level == logging.ERROR  # the console keeps errors only


def test_kivy_does_not_take_over_the_root_logger(tmp_path):
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "from kiosk.terminal.app import prepare_kivy\n"
        "from kiosk.screens.shots import make_env, shot_config\n"
        "stderr = sys.stderr\n"
        "prepare_kivy(shot_config(make_env()).ui, fullscreen=False, size=(540, 960))\n"
        "import kivy.logger\n"
        "logging.getLogger('kivy').info('chatty')\n"
        "print(kivy.logger.KIVY_LOG_MODE, logging.getLogger().level, sys.stderr is stderr)\n"
    )
    env = {"KIVY_HOME": str(tmp_path), "KIVY_NO_ARGS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-3:] == ["PYTHON", str(logging.WARNING), "True"]
    assert "DEBUG" not in out.stderr and "INFO" not in out.stderr and "chatty" not in out.stderr
