"""Helpers of the UI tests: a kiosk config pointing at the simulators and a harness built on real drivers
(:func:`kiosk`), or a harness over the screenshot ports (:func:`shot_kiosk`: device states, no I/O); the
``shot_kiosks`` fixture (conftest.py) builds the latter and closes them after the test."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.config.settings import parse_config
from kiosk.screens.shot_ports import SAMPLE_ID
from kiosk.screens.shots import ShotDevices, ShotVoice, make_env, shot_config

ID_NUMBER = SAMPLE_ID  # born 1949-12-31


def config(tmp: Path, *, idcard: dict | None = None, printer: dict | None = None, camera: dict | None = None,
           queue: dict | None = None, **ui):
    base = shot_config(tmp / "state", **ui).model_dump(mode="json")
    base["queue"].update(queue or {})
    base["devices"] = {"idcard": idcard or {"type": "none"}, "printer": printer or {"type": "none"},
                       "camera": camera or {"type": "none"}, "button": {"type": "keyboard", "key": "F12"}}
    return parse_config(base, "<ui-test>")


class FakeClock:
    """A monotonic clock the test moves by hand (``clock.t += 61``)."""

    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def shot_kiosk(*, access: dict | None = None, queue: bool = False, clock=None, now=None, elderly: bool = False,
               **devices):
    """A Harness over :class:`ShotDevices` (``devices``: its ``missing``/``paper_out`` states) and a
    :class:`ShotVoice` (``h.voice``), in a fresh state dir. ``access`` fills ``[access]``; ``queue`` adds a
    real (offline) help-queue client (``h.queue``); ``clock`` is the monotonic clock (``h.clock``), ``now``
    a fixed wall clock (a ``datetime``)."""
    from kiosk.queue.client import HelpQueueClient
    from kiosk.screens.harness import Harness  # after the window fixture set the window's size

    cfg = shot_config(make_env(), access, elderly_mode_default=elderly)
    client = HelpQueueClient(cfg, poll_interval_s=0.2) if queue else None
    voice = ShotVoice()
    h = Harness(cfg, ShotDevices(**devices), client, clock=clock, voice=voice,
                now=(lambda: now) if now is not None else None)
    h.queue, h.voice, h.clock = client, voice, clock
    return h


def kiosk(cfg, *, clock=None, queue: bool = True):
    """A Harness over the real DeviceHub and HubPort, with a real (offline) help-queue client."""
    from kiosk.devices.hub import DeviceHub
    from kiosk.queue.client import HelpQueueClient
    from kiosk.screens.harness import Harness
    from kiosk.terminal.device_port import HubPort

    hub = DeviceHub(cfg.devices, poll_s=0.2)
    port = HubPort(hub, still_frames=cfg.devices.camera.still_frames)
    client = HelpQueueClient(cfg, poll_interval_s=0.2) if queue else None
    h = Harness(cfg, port, client, clock=clock)
    h.hub, h.port, h.queue = hub, port, client
    return h


def sim_kiosk(sims: dict, tmp: Path, *, card: bool = False, printer: bool = False, queue: dict | None = None):
    """A :func:`kiosk` on the ``sims`` fixture's simulators (``h.sims``): ``card``, the SAM reader with no
    card on it (returns once the reader is open); ``printer``, the ESC/POS printer with paper in."""
    devices = {}
    if card:
        sims["sam"].remove()
        devices["idcard"] = {"type": "sam", "port": sims["idcard_url"], "poll_interval_s": 0.1}
    if printer:
        sims["printer"].set_state("ok")
        devices["printer"] = {"type": "escpos", "uri": sims["printer"].uri}
    h = kiosk(config(tmp, queue=queue, **devices))
    h.sims = sims
    if card:
        wait(h, lambda: h.port.has("idcard"), 10, "the reader to open")
    return h


def close(h) -> None:
    """Closes a harness of :func:`kiosk` or :func:`shot_kiosk` with what it drives."""
    h.close()
    if getattr(h, "port", None) is not None:
        h.port.close()
        h.hub.close()
    if h.queue is not None:
        h.queue.stop()


def wait(h, condition, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        h.pump(2)
        time.sleep(0.01)


def skip_ahead(h, seconds: float) -> None:
    """Moves Kivy's clock (the kiosk's timers, not the wall clock) ``seconds`` ahead, as if the kiosk had
    stood untouched that long, then runs two ticks: a timeout is checked without waiting it out. The
    clock only ever moves forward (the offset stays for the process)."""
    from kivy.clock import Clock

    if getattr(Clock, "_skipped", None) is None:
        real = Clock.time  # Kivy's own (a static method)
        Clock._skipped = 0.0
        Clock.time = lambda: real() + Clock._skipped
    Clock._skipped += seconds
    h.pump(2)


def requests(h) -> list:
    """The help requests in the kiosk's outbox (pending, sent or dead)."""
    items = []
    for state in ("pending", "sent", "dead"):
        items += [i for i in h.queue.outbox.items(state, 1000) if i.kind == "request"]
    return items
