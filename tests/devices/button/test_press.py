"""PressLogic: debounce, long press and rate limiting, driven with explicit timestamps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.button.events import ButtonEvent, PressKind
from kiosk.devices.button.press import EPS, PressLogic


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def make(**kw) -> tuple[PressLogic, list[ButtonEvent], Clock]:
    clock = Clock()
    kw.setdefault("debounce_ms", 50)
    kw.setdefault("long_press_ms", 1500)
    kw.setdefault("min_interval_s", 3.0)
    logic = PressLogic("test", clock=clock, **kw)
    got: list[ButtonEvent] = []
    logic.subscribe(got.append)
    return logic, got, clock


def tap(logic: PressLogic, at: float, held: float) -> None:
    logic.edge(True, at)
    logic.edge(False, at + held)
    logic.tick(at + held + 1.0)


def test_clean_press_is_counted_at_release_with_its_start_and_hold():
    logic, got, _ = make()
    logic.edge(True, 10.0)
    assert logic.tick(10.04) == []           # not yet stable
    assert logic.tick(10.05) == [] and logic.pressed
    logic.edge(False, 10.3)
    assert got == []                         # release not confirmed yet
    logic.tick(10.35)
    assert got == [ButtonEvent(PressKind.PRESS, "test", 10.0, pytest.approx(0.3))]
    assert not logic.pressed


def test_bounce_shorter_than_debounce_is_dropped():
    logic, got, _ = make()
    for i in range(6):                       # 6 edges 2 ms apart, ends released
        logic.edge(i % 2 == 0, 10.0 + i * 0.002)
    logic.tick(11.0)
    assert got == [] and logic.counted == 0


def test_bouncy_contact_counts_once():
    logic, got, _ = make()
    t = 10.0
    for i in range(5):                       # closing bounce, then held 200 ms
        logic.edge(i % 2 == 0, t + i * 0.003)
    logic.tick(t + 0.2)
    for i in range(5):                       # opening bounce
        logic.edge(i % 2 == 1, t + 0.3 + i * 0.003)
    logic.tick(t + 1.0)
    assert [e.kind for e in got] == [PressKind.PRESS]
    assert got[0].at == pytest.approx(t + 0.012)  # the last closing edge began the stable press


def test_a_glitch_during_a_hold_does_not_split_the_press():
    logic, got, _ = make(min_interval_s=0)
    logic.edge(True, 10.0)
    logic.tick(10.1)
    logic.edge(False, 10.2)
    logic.edge(True, 10.21)                  # 10 ms open: bounce
    logic.tick(10.3)
    logic.edge(False, 10.5)
    logic.tick(11.0)
    assert len(got) == 1 and got[0].held_s == pytest.approx(0.5)


def test_debounce_zero_counts_every_edge_pair():
    logic, got, _ = make(debounce_ms=0, min_interval_s=0)
    tap(logic, 10.0, 0.001)
    tap(logic, 20.0, 0.001)
    assert len(got) == 2


def test_long_press_fires_while_held_and_not_again_at_release():
    logic, got, clock = make()
    logic.edge(True, 10.0)
    assert logic.next_deadline() == pytest.approx(10.05)
    logic.tick(10.1)
    assert logic.next_deadline() == pytest.approx(11.5)
    assert logic.tick(11.49) == []
    events = logic.tick(11.5)
    assert [e.kind for e in events] == [PressKind.LONG_PRESS] and events[0].held_s == pytest.approx(1.5)
    assert logic.next_deadline() is None
    logic.edge(False, 14.0)
    logic.tick(15.0)
    assert [e.kind for e in got] == [PressKind.LONG_PRESS]


def test_long_press_detected_at_release_when_no_tick_came_in_between():
    logic, got, _ = make()
    logic.edge(True, 10.0)
    logic.edge(False, 12.0)
    logic.tick(13.0)
    assert [(e.kind, e.held_s) for e in got] == [(PressKind.LONG_PRESS, pytest.approx(2.0))]


def test_release_just_before_the_threshold_is_a_short_press_even_if_confirmed_after_it():
    logic, got, _ = make()
    logic.edge(True, 10.0)
    logic.tick(10.1)
    logic.edge(False, 11.49)                 # released at 1.49 s
    logic.tick(11.52)                        # past 1.5 s but the release is still being debounced
    logic.tick(11.6)
    assert [e.kind for e in got] == [PressKind.PRESS]


def test_rate_limit_counts_presses_within_the_interval_once():
    logic, got, _ = make(min_interval_s=3.0)
    for at in (10.0, 11.0, 12.9, 13.1, 14.0, 16.2):
        tap(logic, at, 0.1)
    assert [e.at for e in got] == [10.0, 13.1, 16.2]
    assert logic.suppressed == 3 and logic.counted == 3


def test_long_press_has_its_own_rate_limit():
    logic, got, _ = make(min_interval_s=3.0)
    tap(logic, 10.0, 0.1)
    tap(logic, 11.0, 2.0)                    # a long press right after a press still counts
    tap(logic, 13.5, 2.0)                    # a second long press within 3 s does not
    assert [e.kind for e in got] == [PressKind.PRESS, PressKind.LONG_PRESS]


def test_momentary_presses_debounce_and_rate_limit():
    logic, got, _ = make(min_interval_s=1.0)
    for i in range(5):                       # one bouncing press: 5 bytes 2 ms apart
        logic.press(10.0 + i * 0.002)
    logic.press(10.5)                        # a real second press, within the interval
    logic.press(11.2)
    assert [e.at for e in got] == [10.0, 11.2]
    assert all(e.kind is PressKind.PRESS and e.held_s == 0 for e in got)


def test_key_autorepeat_downs_do_not_restart_the_press():
    logic, got, _ = make()
    logic.edge(True, 10.0)
    for i in range(1, 10):
        logic.edge(True, 10.0 + i * 0.03)   # auto-repeat while held
    logic.edge(False, 10.4)
    logic.tick(11.0)
    assert len(got) == 1 and got[0].at == 10.0 and got[0].held_s == pytest.approx(0.4)


def test_default_time_comes_from_the_clock_and_reset_forgets_a_press():
    logic, got, clock = make()
    logic.edge(True)
    clock.t += 0.1
    logic.tick()
    assert logic.pressed
    logic.reset()                            # device lost while held
    assert not logic.pressed and logic.next_deadline() is None
    clock.t += 5
    logic.tick()
    assert got == []


def test_a_failing_subscriber_does_not_stop_the_others(caplog):
    logic, got, _ = make()

    def broken(event: ButtonEvent) -> None:
        raise RuntimeError("boom")

    logic.subscribe(broken)
    later: list[ButtonEvent] = []
    unsubscribe = logic.subscribe(later.append)
    tap(logic, 10.0, 0.1)
    assert len(got) == 1 and len(later) == 1
    assert "button listener" in caplog.text
    unsubscribe()
    tap(logic, 20.0, 0.1)
    assert len(got) == 2 and len(later) == 1


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        PressLogic("x", debounce_ms=-1)
    with pytest.raises(ValueError):
        PressLogic("x", long_press_ms=0)


def test_event_as_dict():
    event = ButtonEvent(PressKind.LONG_PRESS, "serial /dev/ttyUSB1", 5.0, 1.23456)
    assert event.as_dict() == {"kind": "long_press", "source": "serial /dev/ttyUSB1", "at": 5.0, "held_s": 1.235}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0.0005, 2.0)), max_size=60))
def test_any_edge_sequence_keeps_the_invariants(steps):
    """Whatever the input: events come in time order, presses respect the rate limit, and a press
    never counts before its level was stable for the debounce time."""
    logic, got, _ = make(min_interval_s=1.0)
    t = 0.0
    for down, gap in steps:
        t += gap
        logic.edge(down, t)
        logic.tick(t)
    logic.edge(False, t + 0.001)
    logic.tick(t + 10)
    for kind in PressKind:
        times = [e.at for e in got if e.kind is kind]
        assert times == sorted(times)
        assert all(b - a >= 1.0 - EPS for a, b in zip(times, times[1:], strict=False))
    for e in got:
        assert e.held_s >= 0.05 - EPS
        assert (e.kind is PressKind.LONG_PRESS) == (e.held_s >= 1.5 - EPS)
