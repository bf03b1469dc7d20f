"""The foreground loop every `kiosk simulate …` shares."""

from __future__ import annotations

import io
import threading
import time

from kiosk.devices.sim_console import run_in_foreground


def test_console_lines_reach_the_simulator_and_quit_stops_it(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("sys.stdin", io.StringIO("present\nstatus\nquit\nnever read\n"))
    lines: list[str] = []
    stopped: list[bool] = []
    run_in_foreground(lambda: stopped.append(True), lambda line: lines.append(line.strip()) or line.startswith("quit"))
    assert lines == ["present", "status", "quit"] and stopped == [True]


def test_end_of_stdin_keeps_serving_until_the_duration_or_done(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    stopped: list[bool] = []
    started = time.monotonic()
    run_in_foreground(lambda: stopped.append(True), lambda line: False, duration=0.3)
    assert 0.25 < time.monotonic() - started < 1.0 and stopped == [True]
    done = threading.Event()
    threading.Timer(0.1, done.set).start()
    run_in_foreground(lambda: stopped.append(True), lambda line: False, done=done)
    assert stopped == [True, True]
