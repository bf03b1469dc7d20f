"""The foreground loop every `kiosk simulate …` shares, and the duration arguments of the device commands."""

from __future__ import annotations

import io
import threading
import time

import pytest

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


@pytest.mark.parametrize("argv", [
    ["devices", "read-id", "--port", "socket://127.0.0.1:1", "--wait", "-1"],
    ["devices", "read-id", "--port", "socket://127.0.0.1:1", "--wait", "nan"],
    ["devices", "printer-status", "--printer", "tcp://127.0.0.1:1", "--timeout", "-1"],
    ["devices", "printer-status", "--printer", "tcp://127.0.0.1:1", "--timeout", "0"],
    ["devices", "button-test", "--seconds", "soon"],
    ["simulate", "button", "--every", "0"],
])
def test_durations_that_make_no_sense_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    from kiosk.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and "is not a number of seconds" in capsys.readouterr().err
