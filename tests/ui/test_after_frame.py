"""Work the kiosk puts off until after a frame (the garbage collections, the lists' warm-up) waits for
that frame's layout, however long it takes: it never runs on the way to the frame."""

import time


def frame() -> None:
    from kivy.clock import Clock

    Clock.tick()
    Clock.tick_draw()


def test_the_delay_starts_after_a_long_layout_pass_not_before_it(window):
    from kivy.clock import Clock

    from kiosk.screens.root import after_next_frame

    ran = []
    after_next_frame(lambda: ran.append("late"), 0.05)
    Clock.schedule_once(lambda _dt: time.sleep(0.2), -1)  # this frame's layout: longer than the delay
    frame()
    frame()  # the first tick the delay may start in: nothing can be due yet, whatever the machine's load
    assert ran == []
    until = time.monotonic() + 30
    while not ran:
        assert time.monotonic() < until, "the work put off was never run"
        frame()
    assert ran == ["late"]


def test_cancelled_before_its_frame_it_never_runs(window):
    from kiosk.screens.root import after_next_frame

    ran = []
    later = after_next_frame(lambda: ran.append("late"), 0.0)
    frame()  # the frame passed: the delay is set up
    later.cancel()
    for _ in range(5):
        frame()
    assert ran == []
