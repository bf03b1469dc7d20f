"""KeyboardButton: key events fed by the app, with Kivy's key names, through the press logic."""

from __future__ import annotations

import time

import pytest

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import HealthState
from kiosk.devices.button.events import ButtonEvent, PressKind
from kiosk.devices.button.keyboard import KeyboardButton
from kiosk.devices.button.keys import normalize_key
from kiosk.devices.button.press import PressLogic
from kiosk.i18n import say
from tests.devices.waiting import wait_for


def make(key: str = "F12", **kw) -> tuple[KeyboardButton, list[ButtonEvent]]:
    kw.setdefault("debounce_ms", 20)
    kw.setdefault("long_press_ms", 300)
    kw.setdefault("min_interval_s", 0)
    button = KeyboardButton(key, PressLogic(f"keyboard {key}", **kw))
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    return button, got



def test_configured_key_is_swallowed_and_counted_others_pass_through():
    button, got = make()
    try:
        assert button.feed("a", True) is False and button.feed("a", False) is False
        assert button.feed("f12", True) is True      # Kivy's spelling
        time.sleep(0.05)
        assert button.feed("f12", False) is True
        assert wait_for(lambda: len(got) == 1)       # confirmed by the timer thread after the debounce
        assert got[0].kind is PressKind.PRESS and got[0].source == "keyboard F12"
        assert button.feed("", True) is False
    finally:
        button.close()


def test_long_press_arrives_while_the_key_is_still_held_despite_autorepeat():
    button, got = make()
    try:
        button.feed("f12", True)
        for _ in range(5):
            time.sleep(0.03)
            button.feed("f12", True)                 # auto-repeat
        assert wait_for(lambda: len(got) == 1, timeout=1.0)
        assert got[0].kind is PressKind.LONG_PRESS
        assert button.logic.pressed
        button.feed("f12", False)
        time.sleep(0.1)
        assert len(got) == 1
    finally:
        button.close()


def test_tap_shorter_than_debounce_is_ignored():
    button, got = make(debounce_ms=50)
    try:
        button.feed("f12", True)
        button.feed("f12", False)
        time.sleep(0.15)
        assert got == []
    finally:
        button.close()


def test_rate_limit_from_config_and_health():
    button = KeyboardButton.from_config(ButtonConfig(type="keyboard", key="space", debounce_ms=0,
                                                     min_interval_s=3))
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    try:
        for _ in range(3):
            button.feed("spacebar", True)            # Kivy calls it spacebar
            button.feed("spacebar", False)
        assert wait_for(lambda: len(got) == 1)
        time.sleep(0.05)
        assert len(got) == 1 and button.logic.suppressed == 2
        assert button.health().state is HealthState.CONNECTED
        result = button.self_test()
        assert result.ok and "space" in say(result.message)
    finally:
        button.close()
    assert button.health().state is HealthState.DISCONNECTED
    assert button.feed("space", True) is True        # still swallowed, but nothing counts after close


@pytest.mark.parametrize(("name", "expected"), [
    ("F12", "f12"), ("KEY_F12", "f12"), ("spacebar", "space"), ("Return", "enter"), ("BTN_0", "btn_0"),
    ("pgdown", "pagedown"), (" b ", "b"),
])
def test_key_names_are_normalized(name, expected):
    assert normalize_key(name) == expected


def test_empty_key_name_is_refused():
    with pytest.raises(ValueError, match="empty"):
        normalize_key("  ")
