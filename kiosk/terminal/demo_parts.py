"""The parts of `kiosk demo` that run beside the kiosk: the device simulators and the help-queue server.

:class:`Parts` starts each (a part that cannot start is named and left out); :func:`stay_up` keeps them
running after the scripted visits, saying where each is, until Ctrl-C.
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


def say(text: str) -> None:
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
        self.sam_url = ""
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
            self.sam_url = server.start_tcp()
            devices["idcard"] = {"type": "sam", "port": self.sam_url, "poll_interval_s": 0.2}
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
        say(f"  ✗ {what} not started ({err}); the demo continues without it")

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
            self.stoppers.append(lambda: (_end(proc), server_log.close()))
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


def _end(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    """Stops the server: SIGTERM, then SIGKILL if it has not exited after ``grace_s``."""
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def stay_up(parts: Parts) -> None:
    """Says what is still running and waits for Ctrl-C (SIGINT) or SIGTERM."""
    import signal

    say("  the scripted visits are done; still running for you to look at:")
    if parts.queue_url:
        say(f"    help-queue console  {parts.queue_url}/console/  (login {HELPER[0]} / {HELPER[1]}: "
             "the visit's help request is waiting there)")
    if parts.sam is not None:
        # the visit's card was read and lies on the reader, which (as GA/T 467 modules do) finds it no more
        # until it is put back: put back, and found at every read, so the read-id said here reads it
        parts.sam.refind_after_read = True
        parts.sam.present("zhang_san")
        say(f"    ID card reader      {parts.sam_url}  (a card lies on it: kiosk devices read-id --port {parts.sam_url})")
    if parts.printer is not None:
        say(f"    ticket printer      {parts.printer.uri}  (kiosk devices print-test --printer {parts.printer.uri})")
    say("  press Ctrl-C to stop everything")

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("\n  stopping the server and the simulators …")
    finally:
        signal.signal(signal.SIGTERM, previous)
