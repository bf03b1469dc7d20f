"""A printer that answers some DLE EOT queries and ignores one (cheap printers answer n=1 and n=2 but not
n=3): the paper sensor (n=4) is still asked, so near end and paper end are seen; a silent printer still
costs one wait, a printer that stops mid-round at most two."""

import time

from kiosk.devices.base import HealthState
from kiosk.devices.printer.simulator import REPLIES
from kiosk.devices.printer.status import query
from kiosk.printing.layout import Cut, Slip, Text


def fake(replies: dict[int, int], ignores: tuple[int, ...]):
    sent: list[bytes] = []

    def read(timeout: float) -> bytes:
        n = sent[-1][2]
        if n in ignores:
            time.sleep(timeout)
            return b""
        return bytes([replies[n]])

    return sent, read


def test_a_skipped_third_query_still_asks_the_paper_sensor():
    sent, read = fake(REPLIES["near_end"], ignores=(3,))
    started = time.monotonic()
    status = query(sent.append, read, timeout=0.2)
    assert [s[2] for s in sent] == [1, 2, 3, 4]
    assert status.paper == "near_end" and status.online is True and status.replies[3] is None
    assert status.can_print is True and status.error is None
    assert time.monotonic() - started < 0.2 + 1.0  # one wait, for n=3


def test_a_skipped_first_query_is_a_silent_printer_one_wait():
    sent, read = fake(REPLIES["ok"], ignores=(1,))
    status = query(sent.append, read, timeout=0.2)
    assert [s[2] for s in sent] == [1] and status.paper == "unknown" and not status.answered


def test_two_unanswered_queries_end_the_round():
    sent, read = fake(REPLIES["ok"], ignores=(2, 3))
    status = query(sent.append, read, timeout=0.2)
    assert [s[2] for s in sent] == [1, 2, 3] and status.replies == {1: 0x12, 2: None, 3: None, 4: None}
    assert status.online is True and status.paper == "unknown" and status.can_print is None


def test_the_driver_sees_paper_out_on_a_printer_ignoring_the_third_query(sim, printer):
    sim.set_state("near_end", ignores=(3,))
    status = printer.status()
    assert status.paper == "near_end"
    assert printer.health().state == HealthState.CONNECTED
    assert printer.health().detail.get("warning") == "paper_near_end"
    sim.set_state("out", ignores=(3,))
    status = printer.status()
    assert status.paper == "out" and printer.health().detail == {"paper": "out"}


def test_a_near_end_printer_ignoring_the_third_query_prints_and_warns(sim, printer):
    sim.set_state("near_end", ignores=(3,))
    result = printer.print_slip(Slip([Text("取号 A001"), Cut()]))
    assert result.status.paper == "near_end" and sim.wait_for_slips(1) and sim.slips
    assert printer.health().detail.get("warning") == "paper_near_end"
