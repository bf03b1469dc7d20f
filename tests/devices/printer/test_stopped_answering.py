"""A printer that answered DLE EOT and then falls silent is off or cut off, not a model without status.

Epson's ESC/POS reference: DLE EOT "is executed even when the printer is offline, the receive buffer is full
or there is an error", so a powered printer that speaks it always answers. Behind a network print server
(or a serial line without flow control) a switched-off printer still takes the bytes: the slip is lost while
the kiosk would say printed. The simulator's ``off`` state is that: bytes taken, nothing answered, nothing
printed.
"""

from __future__ import annotations

import pytest

from kiosk.devices.base import HealthState
from kiosk.devices.printer.driver import EscposPrinter, PrinterUnavailable
from kiosk.devices.printer.simulator import PrinterSimulator
from kiosk.i18n import say
from kiosk.printing.layout import Cut, Slip, Text


def slip(text: str = "取号 A001") -> Slip:
    return Slip([Text(text), Cut()])


@pytest.fixture
def status_timeout_s() -> float:
    return 0.3


def test_a_printer_that_stops_answering_refuses_the_slip_and_keeps_it(sim, printer):
    assert printer.status().answered  # the monitor's last round: it answered
    sim.set_state("off")
    with pytest.raises(PrinterUnavailable) as caught:
        printer.print_slip(slip("二"))
    assert caught.value.slip == slip("二")
    assert sim.lost == [] and sim.slips == []  # the slip's bytes were never sent
    assert printer.health().state == HealthState.ERROR
    assert "不再应答" in say(printer.health().reason, "zh_CN")
    sim.set_state("ok")  # switched on again: the same slip prints
    printer.print_slip(caught.value.slip)
    assert sim.wait_for_slips(1) and printer.health().state == HealthState.CONNECTED


def test_silence_right_after_a_slip_is_taken_for_a_busy_printer(sim, printer):
    """Two slips back to back (ticket and 授权委托书): a printer that reads its input in order may answer
    the second round only once the first slip is on paper. Within BUSY_AFTER_WRITE_S that silence is
    unknown, as for a printer without status, not "off" (the trade-off: one switched off in that window
    is not noticed)."""
    printer.print_slip(slip("一"))
    sim.set_state("silent")
    result = printer.print_slip(slip("二"))
    assert result.status.paper == "unknown" and sim.wait_for_slips(2)


def test_the_monitor_reports_it_too(sim, printer):
    printer.status()
    sim.set_state("off")
    status = printer.status()
    assert status.paper == "unknown" and printer.health().state == HealthState.ERROR


def test_a_printer_that_never_answered_still_prints():
    with PrinterSimulator(state="silent") as sim:
        driver = EscposPrinter(sim.uri, status_timeout_s=0.3)
        try:
            driver.print_slip(slip())
            assert sim.wait_for_slips(1)
        finally:
            driver.close()
