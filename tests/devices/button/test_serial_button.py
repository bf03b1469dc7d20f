"""SerialButton and ContactButton with real serial traffic: the simulator over socket:// and a pty,
and pyserial's loop:// (RTS shows as CTS) for the dry contact."""

from __future__ import annotations

import time

import pytest
import serial

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import Backoff, HealthState
from kiosk.devices.button.events import ButtonEvent, PressKind
from kiosk.devices.button.press import PressLogic
from kiosk.devices.button.serial_button import ContactButton, SerialButton, open_serial, reason_for
from kiosk.devices.button.simulator import ButtonSimulator
from kiosk.i18n import say, tr
from tests.devices.waiting import ManualClock, sampled, wait_for


def fast() -> Backoff:
    return Backoff(initial=0.05, maximum=0.2)



@pytest.fixture(params=["socket", "pty"])
def sim(request):
    with ButtonSimulator(request.param) as simulator:
        yield simulator


def start_serial(url: str, **kw) -> tuple[SerialButton, list[ButtonEvent]]:
    logic = PressLogic(f"serial {url}", debounce_ms=50, min_interval_s=kw.pop("min_interval_s", 0.3))
    button = SerialButton(url, logic, backoff=fast(), **kw).start()
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    assert button.wait_connected(3), button.health()
    return button, got


def test_press_bounce_and_held_autorepeat_count_as_one_each(sim):
    # real bytes in real time: the rate-limit window (1 s) and the pauses between presses (1.3 s) are wide
    # enough that a loaded machine stretching a 50 ms sleep several times over changes nothing
    button, got = start_serial(sim.url, min_interval_s=1.0)
    try:
        assert sim.wait_connected(30)
        assert sim.press() == 1
        assert wait_for(lambda: len(got) == 1)
        assert got[0].kind is PressKind.PRESS and got[0].source == f"serial {sim.url}"
        time.sleep(1.3)
        sim.bounce(edges=6, spacing_ms=2)            # one bouncing press
        assert wait_for(lambda: len(got) == 2)
        time.sleep(1.3)
        sim.hold(0.25, repeat_ms=50)                 # auto-repeat while held: rate-limited to one
        assert wait_for(lambda: len(got) == 3)
        time.sleep(0.3)
        assert len(got) == 3, got
        assert button.logic.suppressed >= 1
        result = button.self_test()
        assert result.ok and "3" in say(result.message)
    finally:
        button.close()


def test_only_the_configured_byte_counts(sim):
    button, got = start_serial(sim.url, press_byte=0x50)
    try:
        sim.wait_connected(3)
        sim.send_raw(b"xyz")
        sim.press()
        assert wait_for(lambda: len(got) == 1)
        assert wait_for(lambda: button.ignored_bytes == 3)
    finally:
        button.close()


def test_unplug_reports_health_and_replug_reconnects(sim):
    button, got = start_serial(sim.url)
    seen: list[HealthState] = []
    button.subscribe_health(lambda h: seen.append(h.state))
    try:
        sim.unplug()
        assert wait_for(lambda: button.health().state is HealthState.DISCONNECTED)
        assert sim.url in say(button.health().reason)
        assert not button.self_test(wait_s=0).ok
        time.sleep(0.3)                              # a few failed reopen attempts
        sim.replug()
        assert button.wait_connected(3), button.health()
        assert sim.wait_connected(3)
        sim.press()
        assert wait_for(lambda: len(got) == 1)
        assert seen[0] is HealthState.DISCONNECTED and seen[-1] is HealthState.CONNECTED
        assert button.connects >= 2
    finally:
        button.close()


def test_nothing_listening_gives_a_clear_reason_then_recovers():
    sim = ButtonSimulator("socket").start()
    sim.unplug()                                     # port known, nothing listening
    logic = PressLogic("s", min_interval_s=0)
    button = SerialButton(sim.url, logic, backoff=fast()).start()
    try:
        result = button.self_test(wait_s=2)
        assert not result.ok
        assert say(result.message) == tr("button.refused", port=sim.url)
        sim.replug()
        assert button.wait_connected(3)
    finally:
        button.close()
        sim.close()


def test_missing_device_path_says_not_found(tmp_path):
    port = str(tmp_path / "ttyUSB9")
    button = SerialButton(port, PressLogic("s"), backoff=fast()).start()
    try:
        result = button.self_test(wait_s=2)
        assert not result.ok and say(result.message) == tr("button.not_found", port=port)
        assert button.health().state is HealthState.DISCONNECTED
    finally:
        button.close()


def test_close_stops_the_thread_quickly(sim):
    button, _ = start_serial(sim.url)
    thread = button._thread
    started = time.monotonic()
    button.close()
    button.close()                                   # twice is harmless
    assert time.monotonic() - started < 0.5
    assert thread is not None and not thread.is_alive()
    assert button.health().state is HealthState.DISCONNECTED


def test_from_config_starts_the_driver(sim):
    config = ButtonConfig(type="serial", port=sim.url, min_interval_s=0)
    button = SerialButton.from_config(config)
    try:
        assert button.wait_connected(3)
        assert sim.wait_connected(3)
        got: list[ButtonEvent] = []
        button.subscribe(got.append)
        sim.press()
        assert wait_for(lambda: len(got) == 1)
    finally:
        button.close()


def test_reasons_name_the_problem():
    assert say(reason_for("/dev/x", serial.SerialException("[Errno 13] could not open port: Permission denied"))) \
        == tr("button.no_permission", port="/dev/x")
    assert say(reason_for("/dev/x", serial.SerialException("read failed: [Errno 5] Input/output error"))) \
        == tr("button.unplugged", port="/dev/x")
    assert say(reason_for("/dev/x", serial.SerialException("Could not exclusively lock port /dev/x"))) \
        == tr("button.busy", port="/dev/x")
    assert say(reason_for("/dev/x", serial.SerialException("odd"))) == tr("button.lost", port="/dev/x", error="odd")
    assert say(reason_for("/dev/x", OSError(5, "Input/output error"))) == tr("button.unplugged", port="/dev/x")


# -- the dry contact over loop:// -------------------------------------------------------------------------

def start_contact(**kw):
    ports: list[serial.SerialBase] = []

    def opener(url: str, baud: int):
        ports.append(open_serial(url, baud, rts=False, dtr=True))
        return ports[-1]

    logic = PressLogic("contact", debounce_ms=30, long_press_ms=kw.pop("long_press_ms", 400),
                       min_interval_s=kw.pop("min_interval_s", 0), clock=kw.pop("clock", time.monotonic))
    button = ContactButton("loop://", logic, open_port=opener, backoff=fast(), **kw).start()
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    assert button.wait_connected(3)
    return button, got, ports


def test_contact_press_long_press_and_bounce_over_loop():
    """Time is the test's (a manual clock): the driver's readings are real, their timing is exact, so a
    loaded machine that starves the polling thread cannot turn a glitch into a press."""
    clock = ManualClock()
    button, got, ports = start_contact(clock=clock)
    try:
        port = ports[-1]
        assert port.dtr is True                      # the contact is powered
        assert "断开" in say(button.self_test().message)   # open contact while idle
        port.rts = True                              # close the contact for 150 ms
        sampled(button)
        assert button.contact_closed and "闭合" in say(button.self_test().message)
        clock.advance(0.15)
        sampled(button)
        assert button.logic.pressed
        port.rts = False
        sampled(button)
        clock.advance(0.05)
        assert wait_for(lambda: len(got) == 1)
        assert got[0].kind is PressKind.PRESS and got[0].held_s == pytest.approx(0.15)
        for _ in range(4):                           # glitches shorter than the debounce: nothing
            port.rts = True
            sampled(button)
            clock.advance(0.01)
            port.rts = False
            sampled(button)
        clock.advance(0.1)
        sampled(button)
        assert len(got) == 1 and not button.logic.pressed
        port.rts = True                              # hold: long press while still held
        sampled(button)
        clock.advance(0.5)
        assert wait_for(lambda: len(got) == 2, timeout=2)
        assert got[1].kind is PressKind.LONG_PRESS and button.logic.pressed
        port.rts = False
        sampled(button)
        clock.advance(0.1)
        sampled(button)
        assert len(got) == 2 and not button.logic.pressed
    finally:
        button.close()


def test_contact_on_dsr_follows_dtr_on_loop():
    """On loop:// DSR mirrors DTR, which the driver holds high: the contact reads closed (shorted)."""
    button, got, _ = start_contact(line="dsr")
    try:
        assert "闭合" in say(button.self_test().message)
    finally:
        button.close()


def test_contact_port_lost_and_reopened():
    button, got, ports = start_contact()
    try:
        ports[-1].close()                            # the port goes away under the driver
        assert wait_for(lambda: button.health().state is HealthState.DISCONNECTED)
        assert wait_for(lambda: len(ports) == 2 and button.health().state is HealthState.CONNECTED)
        ports[-1].rts = True
        time.sleep(0.1)
        ports[-1].rts = False
        assert wait_for(lambda: len(got) == 1)
    finally:
        button.close()


def test_contact_rejects_unknown_line():
    with pytest.raises(ValueError, match="cts"):
        ContactButton("loop://", PressLogic("x"), line="rts")


def test_contact_from_config_uses_the_real_opener():
    button = ContactButton.from_config(ButtonConfig(type="serial-contact", port="loop://", line="cts"))
    try:
        assert button.wait_connected(3)
        assert button.self_test().ok
    finally:
        button.close()


def test_contact_closed_too_long_is_reported_as_stuck_until_it_opens():
    button, got, ports = start_contact(stuck_s=0.3, long_press_ms=200)
    try:
        ports[-1].rts = True
        assert wait_for(lambda: button.health().state is HealthState.ERROR)
        assert say(button.health().reason) == tr("button.contact_stuck", port="loop://", line="CTS", seconds="0.3")
        assert not button.self_test().ok
        assert [e.kind for e in got] == [PressKind.LONG_PRESS]   # counted once, not repeatedly
        ports[-1].rts = False
        assert wait_for(lambda: button.health().state is HealthState.CONNECTED)
    finally:
        button.close()


def test_contact_on_a_port_without_modem_lines_is_an_error_that_says_so():
    with ButtonSimulator("pty") as sim:                  # a pty has no modem lines (ENOTTY)
        button = ContactButton(sim.url, PressLogic("c"), backoff=fast()).start()
        try:
            result = button.self_test(wait_s=2)
            assert not result.ok and say(result.message) == tr("button.no_modem_lines", port=sim.url)
            assert button.health().state is HealthState.ERROR
        finally:
            button.close()


def test_contact_over_socket_is_refused_up_front():
    with pytest.raises(ValueError, match="rfc2217"):
        ContactButton("socket://127.0.0.1:7301", PressLogic("c"))
    with pytest.raises(ValueError, match="no modem lines"):
        ButtonConfig(type="serial-contact", port="socket://127.0.0.1:7301")
