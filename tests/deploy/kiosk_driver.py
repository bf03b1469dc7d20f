"""Runs the real ``kiosk run`` (``python -m tests.deploy.kiosk_driver CONFIG COMMAND_DIR``) with a test
hand inside its UI thread: every 0.1 s Kivy's clock looks for ``COMMAND_DIR/cmd-NAME`` files and answers
each in ``COMMAND_DIR/done-NAME`` (JSON). The app, its window, devices and systemd link are the real ones.

Commands: ``keys`` (a resident's escape attempts with a USB keyboard, and a window close request),
``freeze SECONDS`` (the UI thread stops, as a hung UI would), ``process`` (the hardening in force).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

F1, F4, ESCAPE, BACKSPACE = 282, 285, 27, 8


def _keys() -> dict:
    from kivy.app import App
    from kivy.core.window import Window

    app = App.get_running_app()
    before = list(Window.children)
    presses = [(F1, []), (ESCAPE, []), (F4, ["alt"]), (282, ["ctrl", "alt"]), (283, ["ctrl", "alt"]),
               (BACKSPACE, ["ctrl", "alt"]), (F1, ["shift"])]
    for key, mods in presses:  # as SDL delivers a key: key down, then on_keyboard
        Window.dispatch("on_key_down", key, 0, None, mods)
        Window.dispatch("on_keyboard", key, 0, None, mods)
        Window.dispatch("on_key_up", key, 0)
    refused = Window.dispatch("on_request_close")  # what SDL does on a close request (Alt+F4 in a WM)
    return {"running": App.get_running_app() is app and app._app_window is not None,
            "close_refused": bool(refused), "settings_open": Window.children != before,
            "screen": app.root.sm.current}


def _process() -> dict:
    import resource

    from kiosk.deploy.hardening import PR_GET_DUMPABLE, _prctl

    mask = os.umask(0)
    os.umask(mask)
    return {"dumpable": _prctl(PR_GET_DUMPABLE), "core": list(resource.getrlimit(resource.RLIMIT_CORE)),
            "umask": oct(mask), "notify_env": [k for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC") if k in os.environ]}


def _poll(folder: Path) -> None:
    for cmd in sorted(folder.glob("cmd-*")):
        words = cmd.read_text().split()
        cmd.unlink()
        if words[0] == "keys":
            out = _keys()
        elif words[0] == "freeze":
            start = time.monotonic()
            time.sleep(float(words[1]))
            out = {"start": start, "end": time.monotonic()}
        else:
            out = _process()
        done = folder / cmd.name.replace("cmd-", "done-")
        tmp = done.with_suffix(".tmp")
        tmp.write_text(json.dumps(out))
        tmp.replace(done)


def main() -> int:
    config, folder = sys.argv[1], Path(sys.argv[2])
    import kiosk.terminal.app as app_module

    make_app = app_module.make_app

    def with_hand(controller, **kwargs):
        from kivy.clock import Clock

        app = make_app(controller, **kwargs)
        Clock.schedule_interval(lambda _dt: _poll(folder), 0.1)
        return app

    app_module.make_app = with_hand
    from kiosk.cli import main as kiosk_main

    return kiosk_main(["run", "--config", config])


if __name__ == "__main__":
    sys.exit(main())
