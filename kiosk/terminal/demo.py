"""`kiosk demo`: everything on this machine, with simulated devices.

Starts the device simulators (ID card reader over TCP, ESC/POS printer over TCP, serial call button,
simulated camera), the help-queue server on SQLite with a kiosk token and a helper account, and the
kiosk. With a display the kiosk opens in a window; without one (no ``$DISPLAY``) a scripted visit runs
end to end offscreen and the screens and printed slips are saved as PNG to the output folder. A part
that cannot start is named and left out; the rest still runs.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)
HELPER = ("helper1", "demo-helper-1")  # the helper console login the demo creates


def _say(text: str) -> None:
    print(text, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Parts:
    """The running simulators and server; ``stop()`` ends them all."""

    def __init__(self, out: Path):
        self.out = out
        self.missing: list[str] = []
        self.stoppers: list = []
        self.sam = None
        self.button = None
        self.printer = None
        self.queue_url: str | None = None
        self.token: str | None = None

    def start(self, site: dict, kiosk_id: str) -> dict:
        """Starts each part; returns the config's device and queue sections for what started."""
        devices: dict = {"camera": {"type": "simulator", "scenario": "page", "still_frames": 6}}
        try:
            from kiosk.devices.idcard.sim_server import SimulatorServer
            from kiosk.devices.idcard.simulator import SamModule

            self.sam = SamModule(identity=None)
            server = SimulatorServer(self.sam)
            devices["idcard"] = {"type": "sam", "port": server.start_tcp(), "poll_interval_s": 0.2}
            self.stoppers.append(server.stop)
        except Exception as err:
            self._lost("ID card reader simulator", err)
            devices["idcard"] = {"type": "none"}
        try:
            from kiosk.devices.printer.simulator import PrinterSimulator

            self.printer = PrinterSimulator(out_dir=self.out / "slips").start()
            devices["printer"] = {"type": "escpos", "uri": self.printer.uri}
            self.stoppers.append(self.printer.stop)
        except Exception as err:
            self._lost("printer simulator", err)
            devices["printer"] = {"type": "none"}
        try:
            from kiosk.devices.button.simulator import ButtonSimulator

            self.button = ButtonSimulator("socket").start()
            devices["button"] = {"type": "serial", "port": self.button.url}
            self.stoppers.append(self.button.close)
        except Exception as err:
            self._lost("call button simulator", err)
            devices["button"] = {"type": "keyboard"}
        queue = self._start_queue(site, kiosk_id)
        return {"devices": devices, "queue": queue}

    def _lost(self, what: str, err: BaseException) -> None:
        self.missing.append(f"{what}: {err}")
        _say(f"  ✗ {what} not started ({err}); the demo continues without it")

    def _start_queue(self, site: dict, kiosk_id: str) -> dict:
        state = self.out / "queue-state"
        port = _free_port()
        base = [sys.executable, "-m", "kiosk", "queue"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        try:
            def run(*args: str, stdin: str = "") -> str:
                done = subprocess.run([*base, *args, "--state-dir", str(state)], input=stdin, text=True,
                                      capture_output=True, timeout=60, env=env)
                if done.returncode != 0:
                    raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else args[0])
                return done.stdout

            run("add-site", "--code", site["code"], "--name", site["name"], "--level", site["level"])
            self.token = run("add-kiosk", "--kiosk-id", kiosk_id, "--site", site["code"], "--rotate"
                             ).strip().splitlines()[-1]
            run("add-user", "--username", HELPER[0], "--role", "helper", "--sites", site["code"],
                "--display-name", "李帮办", "--update", stdin=HELPER[1] + "\n")
            server_log = open(self.out / "queue-server.log", "ab")  # noqa: SIM115 (closed with the server)
            proc = subprocess.Popen([*base, "serve", "--port", str(port), "--state-dir", str(state)],
                                    stdout=server_log, stderr=subprocess.STDOUT, env=env)
            self.stoppers.append(lambda: (proc.terminate(), proc.wait(10), server_log.close()))
            self.queue_url = f"http://127.0.0.1:{port}"
            if not _wait_port(port, 30):
                raise RuntimeError("the server did not start listening within 30 s")
        except Exception as err:
            self._lost("help-queue server", err)
            self.queue_url, self.token = None, None
            return {"url": "http://127.0.0.1:9"}
        return {"url": self.queue_url, "token": self.token}

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            try:
                stop()
            except Exception:
                log.debug("stopping a demo part failed", exc_info=True)


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def demo_config(out: Path, sections: dict):
    from kiosk.config.settings import parse_config
    from kiosk.screens.shots import shot_config

    base = shot_config(out / "state").model_dump(mode="json")
    base.update(sections)
    base["ui"].update({"fullscreen": False, "idle_timeout_s": 90})
    return parse_config(base, "<demo>")


def run(out_dir: str | None = None, interactive: bool | None = None) -> int:
    """Runs the demo; returns the exit code."""
    from kiosk.logsetup import log_to_file

    out = Path(out_dir or "demo-out").resolve()
    out.mkdir(parents=True, exist_ok=True)
    log_file = log_to_file(out / "demo.log", console_level=logging.ERROR)
    interactive = bool(os.environ.get("DISPLAY")) if interactive is None else interactive
    _say("kiosk demo: starting the simulated devices, the help-queue server and the kiosk …")
    site = {"code": "421303", "name": "曾都区政务服务中心", "level": "district"}
    parts = Parts(out)
    try:
        config = demo_config(out, parts.start(site, "zd-qj-01"))
        if parts.queue_url:
            _say(f"  helper console: {parts.queue_url}/   login {HELPER[0]} / password {HELPER[1]}")
        _say("  manager PIN on the kiosk: 246810 (tap the hall's name five times)")
        if interactive:
            from kiosk.terminal.app import run_kiosk

            _say(f"  the kiosk opens in a window; close it to end the demo. Log: {log_file}")
            return run_kiosk(config, fullscreen=False, size=(540, 960), log_file=False)
        code = scripted_visit(config, parts, out)
        _say(f"  log (INFO, ID numbers masked): {log_file}")
        return code
    finally:
        parts.stop()
        if parts.missing:
            _say("  parts missing: " + "; ".join(parts.missing))


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
        _say(f"  ran: visit 1 {did[0]} ({', '.join(did[1:])}, helper called); "
             "visit 2 代办 with a missing material (一次性告知单)")
        _say(f"  help requests: {len(sent)} created, {delivered} delivered to the queue server")
    except Exception as err:
        _say(f"  ✗ the scripted visit stopped: {err}")
        shot("error")
        return 1
    finally:
        h.close()
        port.close()
        hub.close()
        if queue is not None:
            queue.stop()
    slips = slips_png(out)
    _say(f"  screens: {len(shots)} PNG in {screens}")
    _say(f"  printed slips: {len(slips)} PNG previews in {out / 'slips'}")
    return 0
