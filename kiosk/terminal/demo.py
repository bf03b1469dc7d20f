"""`kiosk demo`: everything on this machine, with simulated devices.

Starts the device simulators (ID card reader over TCP, ESC/POS printer over TCP, serial call button,
simulated camera), the help-queue server on SQLite with a kiosk token and a helper account, and the
kiosk. With a display the kiosk opens in a window (closing it ends the demo); without one (no
``$DISPLAY``) a scripted visit runs end to end offscreen and the screens and printed slips are saved as PNG
to the output folder, then the help-queue server and the simulators keep running until Ctrl-C, so the
console address and login it printed can be used (``keep_up=False``, ``kiosk demo --exit``: stop after
the scripted visits). A part that cannot start is named and left out; the rest still runs.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from kiosk.terminal.demo_parts import HELPER, Parts, say, stay_up

log = logging.getLogger(__name__)


def demo_config(out: Path, sections: dict):
    from kiosk.config.settings import parse_config
    from kiosk.screens.shots import shot_config

    base = shot_config(out / "state").model_dump(mode="json")
    base.update(sections)
    base["ui"].update({"fullscreen": False, "idle_timeout_s": 90})
    return parse_config(base, "<demo>")


def run(out_dir: str | None = None, interactive: bool | None = None, keep_up: bool = True) -> int:
    """Runs the demo; returns the exit code. ``keep_up``: after the scripted visits, keep the server and
    the simulators running until Ctrl-C (or SIGTERM)."""
    from kiosk.logsetup import log_to_file

    out = Path(out_dir or "demo-out").resolve()
    out.mkdir(parents=True, exist_ok=True)
    log_file = log_to_file(out / "demo.log", console_level=logging.ERROR)
    interactive = bool(os.environ.get("DISPLAY")) if interactive is None else interactive
    say("kiosk demo: starting the simulated devices, the help-queue server and the kiosk …")
    site = {"code": "421303", "name": "曾都区政务服务中心", "level": "district"}
    parts = Parts(out)
    try:
        config = demo_config(out, parts.start(site, "zd-qj-01"))
        lasting = interactive or keep_up
        if parts.queue_url:
            until = "" if lasting else " (until the scripted visits end; without --exit it stays up)"
            say(f"  helper console: {parts.queue_url}/console/   login {HELPER[0]} / password {HELPER[1]}{until}")
        say("  manager PIN on the kiosk: 246810 (tap the hall's name five times)")
        if interactive:
            from kiosk.terminal.app import run_kiosk

            say(f"  the kiosk opens in a window; close it to end the demo. Log: {log_file}")
            return run_kiosk(config, fullscreen=False, size=(540, 960), log_file=False)
        code = scripted_visit(config, parts, out)
        say(f"  log (INFO, ID numbers masked): {log_file}")
        if keep_up:
            stay_up(parts)
        return code
    finally:
        parts.stop()
        if parts.missing:
            say("  parts missing: " + "; ".join(parts.missing))


def _wait(h, condition, timeout: float, what: str) -> None:
    """Runs the UI until ``condition()`` holds; raises TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        h.pump(2)
        time.sleep(0.02)


def slips_png(out: Path) -> list[Path]:
    return sorted((out / "slips").glob("*.png")) if (out / "slips").is_dir() else []


def scripted_visit(config, parts: Parts, out: Path) -> int:
    """Two visits offscreen: 帮办 with a card read, a camera capture and a ticket; then 代办 with a
    missing material and the 一次性告知单. Saves each screen to ``out/screens``."""
    from kiosk.terminal.app import prepare_kivy, start_devices_and_queue

    prepare_kivy(config.ui, fullscreen=False, size=(1080, 1920))
    from kivy.core.window import Window

    from kiosk.screens.harness import Harness
    from kiosk.screens.shots import save

    screens = out / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    hub, port, queue = start_devices_and_queue(config)
    h = Harness(config, port, queue)
    shots: list[Path] = []
    did = ["帮办"]

    def shot(name: str) -> None:
        h.draw(2)
        shots.append(save(Window, screens / f"{len(shots) + 1:02d}_{name}.png"))
        log.info("screen saved: %s", shots[-1].name)

    try:
        shot("start")
        h.start("assist")
        shot("identify")
        if parts.sam is not None and port.has("idcard"):
            parts.sam.present("zhang_san")
            _wait(h, lambda: h.current == "matter", 15, "the card read")
            did.append("ID card read")
        else:
            h.type_id("11010519491231002X")
            did.append("ID number typed")
        shot("matter")
        h.choose_matter("pension-enrol")
        shot("materials")
        rows = h.material_rows()
        if port.has("camera") and rows[0].capturable:
            h.tap(h.button("拍照", rows[0]))
            _wait(h, lambda: h.screen("materials").outline or h.screen("materials").captured, 15, "the preview")
            shot("capture_preview")
            _wait(h, lambda: h.screen("materials").captured, 30, "the automatic capture")
            shot("captured")
            h.press("用这张")
            did.append("material photographed")
        h.mark_all("paper")
        shot("materials_done")
        if parts.button is not None:
            parts.button.press()  # the hardware button: the same one request as the screen's
        h.press("检查材料")
        h.settle(15)
        _wait(h, lambda: not h.controller.result_view().working, 15, "the printer")
        time.sleep(1.0)  # let the outbox deliver so the banner shows the helper's status
        h.controller.refresh_help()
        h.settle()
        shot("result_ticket")
        h.press("完成")
        shot("done")
        h.tap(h.screen("done").ids.home)
        h.start("proxy")
        h.type_id("11010519491231002X")
        h.choose_matter("pension-enrol")
        first = h.material_rows()[0].material_id
        h.mark_all("paper", {first: "missing"})
        h.press("检查材料")
        h.settle(15)
        _wait(h, lambda: not h.controller.result_view().working, 15, "the printer")
        shot("result_notice")
        h.press("完成")
        h.controller.wait_idle(5)
        sent = h.controller.sent_requests
        delivered = sum(queue.wait_delivered(rid, 5) for rid in sent) if queue is not None else 0
        did.append("ticket printed" if slips_png(out) else "ticket number shown")
        say(f"  ran: visit 1 {did[0]} ({', '.join(did[1:])}, helper called); "
             "visit 2 代办 with a missing material (一次性告知单)")
        say(f"  help requests: {len(sent)} created, {delivered} delivered to the queue server")
    except Exception as err:
        say(f"  ✗ the scripted visit stopped: {err}")
        shot("error")
        return 1
    finally:
        h.close()
        port.close()
        hub.close()
        if queue is not None:
            queue.stop()
    slips = slips_png(out)
    say(f"  screens: {len(shots)} PNG in {screens}")
    say(f"  printed slips: {len(slips)} PNG previews in {out / 'slips'}")
    return 0
