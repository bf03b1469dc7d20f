"""ContactButton over the network: RFC 2217 carries DTR and CTS between the real driver and the
contact simulator (pyserial's PortManager on the server side)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import Backoff, HealthState
from kiosk.devices.button.contact_simulator import ContactSimulator
from kiosk.devices.button.events import ButtonEvent, PressKind
from kiosk.devices.button.press import PressLogic
from kiosk.devices.button.serial_button import ContactButton
from kiosk.i18n import say, tr
from tests.devices.waiting import ManualClock, sampled, wait_for


@pytest.fixture
def sim():
    with ContactSimulator() as simulator:
        yield simulator


def start(url: str, clock=time.monotonic) -> tuple[ContactButton, list[ButtonEvent]]:
    logic = PressLogic("contact", debounce_ms=30, long_press_ms=500, min_interval_s=0, clock=clock)
    button = ContactButton(url, logic, backoff=Backoff(0.05, 0.2)).start()
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    assert button.wait_connected(5), button.health()
    return button, got


def seen(button: ContactButton, closed: bool) -> None:
    """The contact's new level crossed RFC 2217 and the driver has read it."""
    assert wait_for(lambda: button.contact_closed is closed)
    sampled(button)


def test_press_bounce_and_long_press_over_rfc2217(sim):
    """Real RFC 2217 traffic, the test's own clock: exact timing however loaded the machine is."""
    clock = ManualClock()
    button, got = start(sim.url, clock)
    try:
        assert sim.wait_powered(3)                   # the driver raised DTR through RFC 2217
        assert sim.wiring.rts is False               # and left RTS low
        assert say(button.self_test().message) == tr("button.contact_open", port=sim.url, line="CTS", presses=0)
        sim.set_contact(True)                        # a clean 150 ms press
        seen(button, True)
        clock.advance(0.15)
        sim.set_contact(False)
        seen(button, False)
        clock.advance(0.05)
        assert wait_for(lambda: len(got) == 1)
        assert got[0].kind is PressKind.PRESS and got[0].held_s == pytest.approx(0.15)
        for _ in range(5):                           # chatter, each flip 2 ms: then a clean hold
            sim.set_contact(True)
            seen(button, True)
            clock.advance(0.002)
            sim.set_contact(False)
            seen(button, False)
            clock.advance(0.002)
        sim.set_contact(True)
        seen(button, True)
        clock.advance(0.15)
        sim.set_contact(False)
        seen(button, False)
        clock.advance(0.1)
        assert wait_for(lambda: len(got) == 2)       # the chatter and the hold are one press
        sampled(button)
        assert len(got) == 2 and got[1].held_s == pytest.approx(0.15)
        sim.set_contact(True)
        seen(button, True)
        clock.advance(0.6)
        assert wait_for(lambda: len(got) == 3)
        assert got[2].kind is PressKind.LONG_PRESS
        sim.set_contact(False)
    finally:
        button.close()


def test_contact_is_dead_without_dtr(sim):
    """CTS only follows the contact while DTR powers it: with no driver the line stays low."""
    sim.set_contact(True)
    assert sim.wiring.cts is False
    button, got = start(sim.url)
    try:
        assert wait_for(lambda: button.logic.pressed)
    finally:
        button.close()
        sim.set_contact(False)


def test_unplug_and_replug_over_rfc2217(sim):
    button, got = start(sim.url)
    try:
        sim.unplug()
        assert wait_for(lambda: button.health().state is HealthState.DISCONNECTED)
        assert say(button.health().reason) in (tr("button.unplugged", port=sim.url), tr("button.refused", port=sim.url))
        sim.replug()
        assert button.wait_connected(5)
        assert sim.wait_powered(3)
        sim.press(0.15)
        assert wait_for(lambda: len(got) == 1)
    finally:
        button.close()


def test_from_config_over_rfc2217(sim):
    button = ContactButton.from_config(ButtonConfig(type="serial-contact", port=sim.url, min_interval_s=0,
                                                    debounce_ms=20))
    try:
        got: list[ButtonEvent] = []
        button.subscribe(got.append)
        assert button.wait_connected(5) and sim.wait_powered(3)
        sim.press(0.1)
        assert wait_for(lambda: len(got) == 1)
    finally:
        button.close()


def test_cli_contact_simulator():
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulate", "button", "--contact", "--port", "0"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    button = None
    try:
        first = proc.stdout.readline()
        url = re.search(r"rfc2217://127\.0\.0\.1:\d+", first).group(0)
        button, got = start(url)
        time.sleep(0.2)
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert wait_for(lambda: len(got) == 1)
        proc.stdin.write("q\n")
        proc.stdin.flush()
        assert proc.wait(5) == 0
    finally:
        if button:
            button.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
