"""The roll ends in the middle of a slip: after the slip's bytes the driver asks the paper sensor once more
(GS r 1, answered once the slip is printed; DLE EOT 4 and 2 from a printer that does not answer GS r), and a
printer that now says "paper end" makes the slip a failed print that keeps the slip (the resident is not told
"printed" over half a ticket). Printers without status print as before (unknown, not failed)."""


import pytest

from kiosk.devices.base import HealthState, Reason
from kiosk.devices.printer.driver import PaperEndedError, PaperOutError
from kiosk.devices.printer.paper_end import after_slip, paper_ended
from kiosk.devices.printer.simulator import REPLIES
from kiosk.devices.printer.status import decode, query
from kiosk.i18n import say
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.layout import Cut, Slip, Text
from tests.devices.printer.conftest import send

DLE_EOT_ROUND = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
AFTER_ROUND = b"\x10\x04\x04\x10\x04\x02"  # the paper sensor, then n=2 (stopped by paper end)
GS_R1 = b"\x1d\x72\x01"  # transmit paper sensor status, answered in order


def ticket(text: str = "取号 A001") -> Slip:
    return Slip([Text(text, size=2, align="center"), Text("请持本凭条到窗口办理"), Cut()])


# ---- the simulator ------------------------------------------------------------------------------------------
def test_the_simulator_roll_ends_after_n_bytes_of_a_slip_and_the_rest_is_lost(sim):
    one, two = to_escpos(ticket("一")), to_escpos(ticket("二"))
    sim.set_state("ok", paper_left=len(one) + len(two) // 2)
    assert send(sim.uri, DLE_EOT_ROUND, read=4) == b"\x12\x12\x12\x12"  # status queries use no paper
    send(sim.uri, one + two)
    assert sim.wait_for_slips(2)
    assert [s.blocks[0].text for s in sim.slips] == ["一"] and [s.blocks[0].text for s in sim.lost] == ["二"]
    assert sim.state == "out" and send(sim.uri, DLE_EOT_ROUND, read=4) == b"\x1a\x32\x12\x7e"
    sim.set_state("ok")  # a new roll: endless again
    send(sim.uri, two)
    assert sim.wait_for_slips(3) and sim.slips[-1].blocks[0].text == "二"


def test_a_silent_simulator_whose_roll_ends_stays_silent_and_loses_the_slip(sim):
    sim.set_state("silent", paper_left=10)
    send(sim.uri, to_escpos(ticket()))
    assert sim.wait_for_slips(1) and len(sim.lost) == 1 and sim.state == "off"


def test_the_simulator_can_ignore_a_status_query(sim):
    sim.set_state("near_end", ignores=(3,))
    assert send(sim.uri, DLE_EOT_ROUND, read=3) == b"\x12\x12\x1e"  # n=3 unanswered, n=4 answered
    assert sim.status_queries == [1, 2, 3, 4]


# ---- the driver ---------------------------------------------------------------------------------------------
def test_paper_ending_during_the_slip_fails_the_print_and_keeps_the_slip(sim, printer):
    slip = ticket()
    data = to_escpos(slip)
    sim.set_state("ok", paper_left=len(data) // 2)
    with pytest.raises(PaperEndedError) as caught:
        printer.print_slip(slip)
    err = caught.value
    assert isinstance(err, PaperOutError)  # the kiosk's paper-out path takes it as it is
    assert err.reason == Reason("printer.paper_ended")  # a code: the slip may be incomplete
    assert err.slip is slip and err.bytes_sent == len(data) and err.status.paper == "out"
    assert "不完整" in say(err, "zh_CN") and "incomplete" in say(err, "en")
    assert bytes(sim.received) == DLE_EOT_ROUND + data + GS_R1
    assert sim.wait_for_slips(1) and sim.slips == [] and len(sim.lost) == 1
    health = printer.health()
    assert health.state == HealthState.ERROR and health.reason == Reason("printer.paper_out")
    assert health.detail == {"paper": "out"}
    with pytest.raises(PaperOutError):  # still out: refused before sending, the slip kept again
        printer.print_slip(err.slip)
    sim.set_state("ok")  # a new roll: the kept slip prints whole
    result = printer.print_slip(err.slip)
    assert sim.wait_for_slips(2) and sim.slips[0].blocks[0].text == "取号 A001"
    assert result.status.paper == "ok" and printer.health().state == HealthState.CONNECTED


def test_a_slip_that_fits_on_what_is_left_prints_the_next_one_fails(sim, printer):
    first, second = ticket("一"), ticket("二")
    sim.set_state("ok", paper_left=len(to_escpos(first)) + 20)
    assert printer.print_slip(first).status.paper == "ok"
    with pytest.raises(PaperEndedError) as caught:
        printer.print_slip(second)
    assert caught.value.slip is second
    assert sim.wait_for_slips(2) and [s.blocks[0].text for s in sim.slips] == ["一"]


def test_a_whole_slip_asks_the_paper_sensor_after_it_and_reports_near_end(sim, printer):
    sim.set_state("ok")
    data = to_escpos(ticket())
    result = printer.print_slip(ticket())
    assert bytes(sim.received) == DLE_EOT_ROUND + data + GS_R1
    assert result.status.paper == "ok" and result.status.online is True
    sim.set_state("near_end")  # the roll nears its end while the next slip prints
    printer.print_slip(ticket())
    assert printer.health().detail.get("warning") == "paper_near_end"


def test_a_printer_without_status_prints_as_before_and_is_not_asked_again(sim, printer):
    sim.set_state("silent", paper_left=10)
    data = to_escpos(ticket())
    result = printer.print_slip(ticket())  # unknown, not failed: nothing can tell the roll ended
    assert result.status.paper == "unknown" and result.bytes_sent == len(data)
    assert sim.wait_for_bytes(3 + len(data)) and sim.wait_for_slips(1) and len(sim.lost) == 1
    assert bytes(sim.received) == b"\x10\x04\x01" + data  # one silent query before; none after
    assert printer.health().state == HealthState.CONNECTED


def test_no_status_check_means_no_status_round_after_either(sim, printer):
    sim.set_state("ok", paper_left=10)
    printer.print_slip(ticket(), check_status=False)
    assert sim.wait_for_slips(1) and len(sim.lost) == 1
    assert bytes(sim.received) == to_escpos(ticket())


def test_a_printer_ignoring_the_paper_sensor_query_is_asked_n2_after_the_slip(sim, printer):
    """n=4 unanswered before the slip: after it (and GS r, which this printer does not answer either) only
    n=2 is asked (no wait spent on a query it skips), and its "stopped by paper end" bit alone fails the print."""
    data = to_escpos(ticket())
    sim.gs_r = "ignores"
    sim.set_state("ok", ignores=(4,))
    printer.print_slip(ticket())
    assert bytes(sim.received) == DLE_EOT_ROUND + data + GS_R1 + b"\x10\x04\x02"
    sim.set_state("ok", ignores=(4,), paper_left=len(data) // 2)
    with pytest.raises(PaperEndedError):
        printer.print_slip(ticket())


def test_no_answer_after_the_slip_keeps_what_the_round_before_said():
    """A printer that answered before the slip and not after it (busy with the slip, or it reads its input
    in order) is taken as printed, as before: unknown is not failed."""
    before = decode(dict(REPLIES["near_end"]))
    after = query(lambda data: None, lambda timeout: b"", timeout=0.05, queries=(4, 2))
    merged = after_slip(before, after)
    assert merged == before and not paper_ended(after)
    assert paper_ended(after_slip(before, decode({4: 0x7E, 2: 0x32})))
    assert paper_ended(after_slip(before, decode({2: 0x32})))  # offline, cause: paper end
    assert not paper_ended(after_slip(before, decode({4: 0x1E, 2: 0x12})))  # near end: the slip is whole
