"""全程免费 and the attract loop (issue 12 item 16) with real touches: the start screen and the 代办 choice
say the service is free; while nobody uses the kiosk a loop explains 帮办 and 代办 in pictures and plain
words, and the first touch brings the start screen back at once (it never delays a visit)."""

import time

import pytest

from tests.ui.kit import FakeClock


@pytest.fixture
def make(shot_kiosks):
    return lambda after_s=60: shot_kiosks(access={"attract_after_s": after_s}, clock=FakeClock())


def wait_loop(h, shown=True, timeout=10.0):
    deadline = time.monotonic() + timeout
    while (h.root.attract.loop is not None) is not shown:
        assert time.monotonic() < deadline, "the attract loop did not " + ("show" if shown else "go")
        h.pump(2)
        time.sleep(0.02)


def test_free_is_said_where_the_resident_decides(make):
    h = make()
    s = h.screen("start")
    assert "免费" in s.ids.subtitle.text and "免费" in s.ids.proxy.text


def test_the_loop_comes_when_idle_and_the_first_touch_shows_the_start_screen_at_once(make):
    h = make()
    h.pump(4)
    assert h.root.attract.loop is None  # not before the quiet time
    h.clock.t += 61
    wait_loop(h)
    loop = h.root.attract.loop
    assert "帮办" in loop.ids.title.text and "免费" in loop.ids.free.text and "任意位置" in loop.ids.hint.text
    started = time.monotonic()
    h.tap(loop)  # one touch anywhere
    assert h.root.attract.loop is None and h.current == "start"
    assert time.monotonic() - started < 1.0
    h.start("assist")  # the next touch already starts the visit
    assert h.current == "identify"


def test_the_loop_turns_its_slides_and_never_shows_during_a_visit(make):
    h = make()
    h.clock.t += 61
    wait_loop(h)
    d = h.root.attract
    seen = {d.loop.kind}
    for _ in range(3):
        d.check(d.root.controller.attract.slide_s)
        seen.add(d.loop.kind)
    assert seen == {"assist", "proxy", "free", "green"}
    h.tap(d.loop)
    h.start("proxy")
    h.clock.t += 61  # quiet, but a visit is under way: the idle countdown's business, not the loop's
    d.check(0.5)
    assert d.loop is None


def test_no_loop_when_switched_off(make):
    h = make(after_s=0)
    h.clock.t += 3600
    h.root.attract.check(0.5)
    assert h.root.attract.loop is None
