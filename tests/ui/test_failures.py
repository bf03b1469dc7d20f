"""Idle reset with the wipe, device failures that must not strand the resident, and manager mode."""

import socket

import pytest

from tests.ui.kit import ID_NUMBER, FakeClock, close, config, kiosk, wait


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"socket://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there once closed


@pytest.fixture
def made(window, tmp_path):
    harnesses = []

    def make(**kw):
        clock = kw.pop("clock", None)
        h = kiosk(config(tmp_path / f"kiosk{len(harnesses)}", **kw), clock=clock)
        harnesses.append(h)
        return h

    yield make
    for h in harnesses:
        close(h)


def test_idle_countdown_touch_cancels_then_reset_wipes_everything(made):
    clock = FakeClock()
    h = made(clock=clock)
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.choose_matter("pension-enrol")
    visit = h.controller.visit
    identity = visit.identity
    doc = bytearray(b"\xff" * 32)
    photo_id = h.material_rows()[0].material_id
    visit.camera_available = True
    visit.attach_capture(photo_id, doc)
    temp = visit.temp_file(".png")
    temp.write_bytes(b"personal")
    quiet, countdown = visit.timeouts
    clock.t += quiet + 1
    h.root.tick()
    assert h.root.overlay is not None and h.root.overlay.seconds == pytest.approx(countdown - 1, abs=1)
    h.tap(h.screen())  # any touch cancels
    assert h.root.overlay is None and h.current == "materials"
    clock.t += quiet + countdown + 1
    h.root.tick()
    h.pump(3)
    assert h.current == "start" and h.root.overlay is None
    assert visit.identity is None and identity.id_number == "" and identity.name == ""
    assert doc == bytearray(32)  # captured image zeroed in place
    assert not temp.exists() and visit.captures == {} and visit.matter is None


def test_elderly_mode_gives_longer_idle_time(made):
    clock = FakeClock()
    h = made(clock=clock)
    h.tap(h.screen("start").ids.elderly)
    assert h.controller.visit.elderly
    h.start("assist")
    quiet_normal = h.config.ui.idle_timeout_s
    clock.t += quiet_normal + 1
    h.root.tick()
    assert h.root.overlay is None  # still quiet: elderly time is longer
    clock.t += quiet_normal * (h.config.ui.elderly_timeout_factor - 1)
    h.root.tick()
    assert h.root.overlay is not None


def test_reader_missing_offers_manual_entry_and_reports_health(made):
    h = made(idcard={"type": "sam", "port": closed_port_url(), "poll_interval_s": 0.1})
    wait(h, lambda: not h.hub.device_health("idcard").ok, 10, "the reader to be reported missing")
    h.pump(4)
    h.start("assist")
    s = h.screen("identify")
    assert s.manual and "读卡器" in s.message
    h.keys(s.ids.keypad, ID_NUMBER)
    h.tap(s.ids.keypad.enter)
    assert h.current == "matter"


def test_camera_lost_leaves_paper_marks_only(made):
    h = made(camera={"type": "simulator", "scenario": "lost", "still_frames": 60})
    wait(h, lambda: h.controller.camera_available(), 15, "the camera")
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.choose_matter("pension-enrol")
    s = h.screen("materials")
    h.tap(h.material_rows()[0].ids.b1)  # 拍照: the simulated camera goes away after 30 frames
    assert s.capturing
    wait(h, lambda: not s.camera_ok, 20, "the camera to be reported lost")
    assert not s.capturing
    row = h.material_rows()[0]
    assert row.ids.b1.disabled and not row.ids.b2.disabled
    h.tap(row.ids.b2)
    assert h.controller.visit.statuses[row.material_id].value == "paper"
    assert not h.controller.visit.camera_available


def test_camera_capture_by_itself_when_the_page_is_still(made):
    h = made(camera={"type": "simulator", "scenario": "page", "still_frames": 4})
    wait(h, lambda: h.controller.camera_available(), 15, "the camera")
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.choose_matter("pension-enrol")
    s = h.screen("materials")
    h.tap(h.material_rows()[0].ids.b1)
    assert s.capturing
    wait(h, lambda: s.captured, 20, "the automatic capture")
    h.tap(s.ids.c2)  # 用这张
    first = h.material_rows()[0].material_id
    assert h.controller.visit.statuses[first].value == "captured"
    assert len(h.controller.visit.captures[first]) == 1


def test_manager_pin_lockout_then_dashboard(made, tmp_path):
    h = made()
    for _ in range(5):
        h.tap(h.root.header.ids.title)
    assert h.current == "manager"
    m = h.screen("manager")
    for _ in range(3):  # max_attempts = 3 in the test config
        h.keys(m.ids.pinpad, "111111")
        h.tap(m.ids.pinpad.enter)
    assert "锁定" in m.message and not m.unlocked
    h.keys(m.ids.pinpad, "246810")
    h.tap(m.ids.pinpad.enter)
    assert not m.unlocked  # even the right PIN waits out the lock-out
    again = made()  # a restart of a kiosk does not lift the lock-out … (same state dir is kiosk0)
    again.controller.manager_auth._state_file = h.controller.manager_auth._state_file
    again.controller.manager_auth._load()
    assert again.controller.manager_auth.locked_for() > 0
    fresh = made()  # … another kiosk's state dir has none
    fresh.root.go("manager")
    m = fresh.screen("manager")
    fresh.keys(m.ids.pinpad, "246810")
    fresh.tap(m.ids.pinpad.enter)
    assert m.unlocked
    texts = [w.text for w in m.ids.devices.children]
    assert any("打印机" in t for t in texts)
    assert "zd-qj-01" in m.ids.settings.text and "待发送" in m.ids.outbox.text
    fresh.tap(m.ids.leave)
    assert fresh.current == "start"
