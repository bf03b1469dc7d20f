"""`kiosk screenshots --out DIR`: every screen, in normal and elderly mode and in its error states, as PNG.

The screens are the real ones, driven through the real controller and visit with simulated data; the
device states come from :class:`~kiosk.screens.shot_ports.ShotDevices`, a port that only reports states
(it does no I/O, so a screenshot never waits for hardware). The camera preview is a synthetic frame with the page found by the
real detector. Also used by ``kiosk demo`` and the UI tests (:func:`Harness`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kiosk.screens.shot_ports import KINDS, SAMPLE_ID, SAMPLE_MATTER, ShotDevices, ShotVoice

__all__ = ["KINDS", "ShotDevices", "ShotVoice", "make_env", "preview_frame", "render_all", "save",
           "scenario_harness", "shot_config"]


def shot_config(state_dir: str | Path, access: dict | None = None, **ui):
    """A complete kiosk config for screenshots and tests (no files needed besides the packaged ones).

    ``access`` fills ``[access]``; by default without the 65+ offer and the attract loop (the sample
    resident of every scripted visit was born in 1949) and without service hours (always open)."""
    from argon2 import PasswordHasher

    from kiosk.config.settings import parse_config

    pin_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("246810")
    return parse_config({
        "kiosk_id": "zd-qj-01", "location": "一楼大厅 东侧自助区", "state_dir": str(state_dir),
        "site": {"level": "district", "code": "421303", "name": "曾都区政务服务中心",
                 "address": "随州市曾都区青年路 1 号", "phone": "0722-0000000",
                 "help_desk": "一楼大厅 3 号帮办代办窗口"},
        "queue": {"url": "http://127.0.0.1:9"},
        "ui": {"fullscreen": False, **ui},
        "manager": {"pin_hash": pin_hash, "max_attempts": 3, "lockout_s": 300},
        "access": {"senior_offer_age": 0, "attract_after_s": 0, **(access or {})},
    }, "<screenshots>")


def preview_frame(hint_key: str = "ok"):
    """A synthetic camera frame with a page on a desk, the page found by the real detector."""
    import cv2
    import numpy as np

    from kiosk.devices.camera import synth
    from kiosk.devices.camera.detect import detect_page
    from kiosk.i18n import tr
    from kiosk.terminal.views import PreviewFrame

    scene = synth.random_scene(np.random.default_rng(7), 1280, 720, hard=False)
    frame, _truth = synth.render(scene)
    found = detect_page(frame)
    small = cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    corners = [(float(x) / 2, float(y) / 2) for x, y in found.corners] if found is not None else []
    return PreviewFrame(np.ascontiguousarray(rgb).tobytes(), 640, 360, corners,
                        tr(f"kiosk.materials.hint.{hint_key}"), hint_key == "ok")


def save(window, path: Path) -> Path:
    """Saves the window to ``path`` (Kivy appends 0001 to the name it is given; this renames it)."""
    import time

    from kivy.base import EventLoop

    until = time.monotonic() + 0.15  # a button touched last shows pressed for its min_state_time
    for _ in range(3):
        EventLoop.idle()
    while time.monotonic() < until:
        EventLoop.idle()
    stem = path.with_suffix("")
    window.screenshot(str(stem) + ".png")
    os.replace(str(stem) + "0001.png", path)
    return path


def make_env(out_dir: str | None = None):
    """A temporary state directory for a screenshot or test run."""
    return Path(tempfile.mkdtemp(prefix="kiosk-shots-", dir=out_dir))




def _scenarios():
    """(name, device port options, steps) for every screen and error state."""
    from kiosk.i18n import tr
    from kiosk.screens import shots_more
    from kiosk.screens.shots_access import scenarios as access_scenarios

    def to_matter(h, kind="assist"):
        h.start(kind)
        h.type_id(SAMPLE_ID)

    def to_materials(h, kind="assist", matter=None):
        to_matter(h, kind)
        h.choose_matter(matter or _matter(h))

    def result(h, kind="assist", missing=False):
        h.to_result(kind, _matter(h), missing)
        if h.controller.visit.help_request_id:  # the queue said: waiting, about 2 minutes
            h.controller._help_status(h.controller.visit.help_request_id,
                                      {"state": "waiting", "expected_wait_s": 120}, True)

    def offline(h):
        to_materials(h)
        h.press(tr("kiosk.header.call_helper"))
        h.settle()
        h.controller._help_status(h.controller.visit.help_request_id, {}, False)
        h.settle()

    def claimed(h, where=to_materials):
        where(h)
        h.press(tr("kiosk.header.call_helper"))
        h.settle()
        h.controller._help_status(h.controller.visit.help_request_id,
                                  {"state": "claimed", "helper_display": "李*", "expected_wait_s": 120}, True)

    def unanswered(h):
        to_materials(h, matter="property-transfer")
        h.tap(h.material_rows()[0].ids.b3)  # one answer on page 1; the rest wait

    def unknown(h):
        to_materials(h)
        row = h.material_rows()[-1]
        h.tap(row.ids.b4)  # 不知道: a helper is called
        h.settle()
        h.controller._help_status(h.controller.visit.help_request_id,
                                  {"state": "claimed", "helper_display": "李*", "expected_wait_s": 60}, True)
        h.pump(4)

    def notice_not_printed(h):  # a matter with a material needed in some cases: the screen shows it too
        to_materials(h, matter="pension-claim")
        h.mark_all("missing")
        h.press(tr("kiosk.materials.check"))
        h.settle()

    def done_waiting(h):
        claimed(h, lambda h: result(h))
        h.press(tr("kiosk.result.done"))
        h.pump(4)

    def confirm_home(h):
        to_materials(h)
        h.tap(h.screen().ids.nav.ids.nav_home)

    def capture(h):
        to_materials(h)
        h.tap(h.button(tr("kiosk.materials.capture"), h.material_rows()[0]))
        h.controller.emit("preview", preview_frame("glare"))

    def manager_locked(h):
        h.root.go("manager")
        pad = h.screen("manager").ids.pinpad
        for _ in range(3):
            h.keys(pad, "111111")
            h.tap(pad.enter)

    def manager_open(h):
        h.root.go("manager")
        pad = h.screen("manager").ids.pinpad
        h.keys(pad, "246810")
        h.tap(pad.enter)

    return [
        ("01_start", {}, lambda h: None),
        ("02_identify_card", {}, lambda h: h.start("assist")),
        ("03_identify_manual", {}, lambda h: (h.start("assist"), h.type_id("4201031990", enter=False))),
        ("04_identify_bad_number", {}, lambda h: (h.start("assist"), h.type_id("110105194912310021"))),
        ("05_identify_reader_missing", {"missing": ("idcard",)}, lambda h: h.start("proxy")),
        ("06_identify_consult_skip", {}, lambda h: h.start("consult")),
        ("07_matter_departments", {}, to_matter),
        ("08_matter_list", {}, lambda h: (to_matter(h), h.tap(h.button(_dep(h))))),
        ("09_matter_search", {}, lambda h: (to_matter(h), h.tap(h.screen().ids.search_box),
                                            h.keys(h.screen().ids.keyboard, "ylbx"))),
        ("10_materials", {}, to_materials),
        ("11_materials_capture", {}, capture),
        ("12_materials_camera_lost", {"missing": ("camera",)}, to_materials),
        ("13_help_coming", {}, lambda h: (to_materials(h), h.controller.emit(
            "help", (tr("kiosk.help.coming_eta", minutes=3), "ok")))),
        ("14_help_offline", {}, offline),
        ("15_result_assist_complete", {}, result),
        ("16_result_proxy_complete", {}, lambda h: result(h, "proxy")),
        ("17_result_incomplete", {}, lambda h: result(h, "assist", missing=True)),
        ("18_result_paper_out", {"paper_out": True}, result),
        ("19_done", {}, lambda h: (result(h), h.press(tr("kiosk.result.done")))),
        # the overlay shown by hand: the UI's half-second idle check (stopped) would hide it again, since
        # the visit's own clock is not counting down
        ("20_idle_countdown", {}, lambda h: (to_matter(h), h.root.stop(), h.root.show_countdown(12))),
        ("21_manager_pin", {}, lambda h: h.root.go("manager")),
        ("22_manager_lockout", {}, manager_locked),
        ("23_manager_dashboard", {"paper_out": True}, manager_open),
        ("24_materials_unanswered", {}, unanswered),
        ("25_materials_dont_know", {}, unknown),
        ("26_result_notice_not_printed", {"paper_out": True}, notice_not_printed),
        ("27_help_claimed", {}, claimed),
        ("28_done_waiting_for_helper", {}, done_waiting),
        ("29_confirm_home", {}, confirm_home),
        *shots_more.scenarios(to_matter, to_materials, result),
    ] + access_scenarios()


def _matter(h) -> str:
    ids = [m.id for m in h.controller.visit.catalog.matters]
    return SAMPLE_MATTER if SAMPLE_MATTER in ids else ids[0]


def _dep(h) -> str:
    return h.controller.visit.catalog.get(_matter(h)).department


def scenario_harness(options: dict, elderly: bool):
    """A Harness for a scenario's options: device port states, and ``access`` (the ``[access]`` config),
    ``now`` (a fixed wall clock) and ``queue`` (True: a help-queue client) when the scenario names them."""
    from kiosk.screens.harness import Harness

    config = shot_config(make_env(), options.get("access"), elderly_mode_default=elderly)
    ports = {k: v for k, v in options.items() if k not in ("now", "access", "queue")}
    now = options.get("now")
    client = None
    if options.get("queue"):  # a real help-queue client, offline (its outbox keeps what is sent)
        from kiosk.queue.client import HelpQueueClient

        client = HelpQueueClient(config, poll_interval_s=0.2)
    h = Harness(config, ShotDevices(**ports), client, voice=ShotVoice(), now=(lambda: now) if now else None)
    if client is not None:
        close = h.close
        h.close = lambda: (close(), client.stop())
    return h


def render_all(out_dir: str | Path, modes: tuple[str, ...] = ("normal", "elderly"),
               only: str | None = None) -> list[Path]:
    """Renders every scenario in each mode to ``out_dir/<mode>/<name>.png``. Kivy must be prepared
    (:func:`kiosk.terminal.app.prepare_kivy`) with the window size before this runs."""
    from kivy.core.window import Window

    out = Path(out_dir)
    paths = []
    for mode in modes:
        (out / mode).mkdir(parents=True, exist_ok=True)
        for name, options, steps in _scenarios():
            if only and only not in name:
                continue
            h = scenario_harness(options, mode == "elderly")
            try:
                steps(h)
                h.settle()
                paths.append(save(Window, out / mode / f"{name}.png"))
            finally:
                h.close()
    return paths
