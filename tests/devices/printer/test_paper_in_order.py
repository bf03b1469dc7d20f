"""After a slip the driver asks ``GS r 1`` (transmit paper sensor status), which a printer answers only once
the data before it is printed, so a roll that ends near the end of a long slip is caught even when the
printer answers ``DLE EOT`` in real time, ahead of what is still in its buffer (Epson's ESC/POS reference,
``GS r`` and ``DLE EOT``). A printer that never answers ``GS r`` gets the ``DLE EOT`` round after the slip
as before, and is not asked ``GS r`` again."""

from __future__ import annotations

import socket

import pytest

from kiosk.devices.base import HealthState
from kiosk.devices.printer import in_order
from kiosk.devices.printer.driver import EscposPrinter, PaperEndedError
from kiosk.devices.printer.simulator import PrinterSimulator
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.layout import QR, Cut, Feed, Slip, Text

DLE_EOT_ROUND = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
AFTER_ROUND = b"\x10\x04\x04\x10\x04\x02"
GS_R1 = b"\x1d\x72\x01"
LAG_BYTES_PER_S = 3000  # the lagging simulator's print speed: a 1.4 KB slip takes about half a second


def ticket(text: str = "取号 A001") -> Slip:
    return Slip([Text(text, size=2, align="center"), Text("请持本凭条到窗口办理"), Cut()])


def long_slip(lines: int = 30) -> Slip:
    """A 一次性告知单-like slip: ``lines`` lines of Chinese text (30 lines: about 1.4 KB, 130 mm)."""
    return Slip([Text(f"第{i:02d}项 一次性告知单 材料：身份证原件、户口簿") for i in range(lines)] + [Cut()])


def send(uri: str, data: bytes, read: int = 0, timeout: float = 10.0) -> bytes:
    host, port = uri[len("tcp://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(data)
        reply = b""
        while len(reply) < read:
            chunk = conn.recv(16)
            if not chunk:
                break
            reply += chunk
        return reply


@pytest.fixture
def lagging():
    """A printer whose print engine lags behind its input: DLE EOT is answered at once, GS r in order."""
    with PrinterSimulator(print_bytes_per_s=LAG_BYTES_PER_S) as simulator:
        yield simulator


# ---- the simulator --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("state", "reply"), [("ok", b"\x00"), ("near_end", b"\x03")])
def test_the_simulator_answers_gs_r_1_with_the_paper_sensor_bits(sim, state, reply):
    sim.set_state(state)
    assert send(sim.uri, GS_R1, read=1) == reply
    assert send(sim.uri, b"\x1d\x72\x31", read=1) == reply  # n = 49 is the same request


def test_the_simulator_answers_gs_r_only_after_the_slip_before_it_and_says_paper_end(sim):
    data = to_escpos(ticket())
    sim.set_state("ok", paper_left=len(data) // 2)
    assert send(sim.uri, data + GS_R1, read=1) == b"\x0c"  # bits 2-3: roll paper end sensor, no paper
    assert sim.wait_for_slips(1) and len(sim.lost) == 1


def test_the_lagging_simulator_answers_dle_eot_ahead_of_its_buffer_and_gs_r_in_order(lagging):
    data = to_escpos(long_slip())
    lagging.set_state("ok", paper_left=len(data) * 9 // 10)
    reply = send(lagging.uri, data + b"\x10\x04\x04" + GS_R1 + b"\x10\x04\x04", read=3)
    assert reply == b"\x12\x12\x0c"  # both DLE EOT at once: paper present (not printed that far yet); GS r: end
    assert lagging.wait_for_slips(1) and len(lagging.lost) == 1 and lagging.state == "out"
    assert send(lagging.uri, b"\x10\x04\x04", read=1) == b"\x7e"


def test_a_simulator_can_ignore_gs_r_and_still_answer_dle_eot():
    with PrinterSimulator(gs_r="ignores") as sim:
        assert send(sim.uri, GS_R1 + b"\x10\x04\x04", read=1) == b"\x12"


def test_a_simulator_going_offline_at_paper_end_does_not_answer_gs_r_then():
    """Epson's TM models (and clones' manuals): at paper end the printer goes offline and does not execute
    GS r, so its bits 2-3 never say paper end; DLE EOT, a real-time command, still answers."""
    with PrinterSimulator(gs_r="silent_at_end", state="out") as sim:
        assert send(sim.uri, GS_R1 + b"\x10\x04\x04", read=1) == b"\x7e"
        sim.set_state("ok")
        assert send(sim.uri, GS_R1, read=1) == b"\x00"


# ---- the driver -------------------------------------------------------------------------------------------
def test_a_long_slip_whose_roll_ends_near_its_end_fails_though_dle_eot_answers_ahead(lagging, status_timeout_s):
    slip = long_slip()
    data = to_escpos(slip)
    lagging.set_state("ok", paper_left=len(data) * 9 // 10)
    with EscposPrinter(lagging.uri, status_timeout_s=status_timeout_s) as printer:
        with pytest.raises(PaperEndedError) as caught:
            printer.print_slip(slip)
        assert caught.value.slip is slip and caught.value.status.paper == "out"
        assert bytes(lagging.received) == DLE_EOT_ROUND + data + GS_R1  # answered in order: no DLE EOT after
        assert printer.health().state == HealthState.ERROR
        lagging.set_state("ok")  # a new roll: the kept slip prints whole, and says so only once printed
        result = printer.print_slip(caught.value.slip)
        assert result.status.paper == "ok" and lagging.wait_for_slips(2) and len(lagging.slips) == 1
        assert printer.health().state == HealthState.CONNECTED


def test_a_printer_answering_gs_r_reports_near_end_from_it(sim, printer):
    data = to_escpos(ticket())
    sim.set_state("near_end")
    result = printer.print_slip(ticket())
    assert bytes(sim.received) == DLE_EOT_ROUND + data + GS_R1
    assert result.status.paper == "near_end" and printer.health().detail.get("warning") == "paper_near_end"


def test_a_printer_ignoring_gs_r_falls_back_to_dle_eot_and_is_not_asked_gs_r_again(status_timeout_s):
    data = to_escpos(ticket())
    with PrinterSimulator(gs_r="ignores") as sim, EscposPrinter(sim.uri, status_timeout_s=status_timeout_s) as p:
        assert p.print_slip(ticket()).status.paper == "ok"  # one bounded wait for GS r, then DLE EOT as before
        assert bytes(sim.received) == DLE_EOT_ROUND + data + GS_R1 + AFTER_ROUND
        sim.set_state("ok", paper_left=len(data) // 2)
        with pytest.raises(PaperEndedError):  # the DLE EOT round still catches a roll ending mid-slip
            p.print_slip(ticket())
        assert bytes(sim.received) == (DLE_EOT_ROUND + data + GS_R1 + AFTER_ROUND) + (DLE_EOT_ROUND + data
                                                                                      + AFTER_ROUND)


def test_a_printer_offline_at_paper_end_is_caught_by_dle_eot_after_gs_r_stays_unanswered(status_timeout_s):
    """The Epson way: at paper end GS r is not executed; the wait ends, the real-time round says paper
    end. The silence had a cause, so the printer is still asked GS r after the next slip."""
    slip = long_slip()
    data = to_escpos(slip)
    with PrinterSimulator(print_bytes_per_s=LAG_BYTES_PER_S, gs_r="silent_at_end") as sim, \
            EscposPrinter(sim.uri, status_timeout_s=status_timeout_s) as printer:
        sim.set_state("ok", paper_left=len(data) * 9 // 10)
        with pytest.raises(PaperEndedError):
            printer.print_slip(slip)
        assert bytes(sim.received) == DLE_EOT_ROUND + data + GS_R1 + AFTER_ROUND
        sim.set_state("ok")
        small = to_escpos(ticket())
        assert printer.print_slip(ticket()).status.paper == "ok"
        assert bytes(sim.received).endswith(DLE_EOT_ROUND + small + GS_R1)


def test_printers_without_status_are_not_asked_gs_r(status_timeout_s):
    with PrinterSimulator(state="silent") as sim, EscposPrinter(sim.uri, status_timeout_s=status_timeout_s) as p:
        assert p.print_slip(ticket()).status.paper == "unknown"
        assert sim.wait_for_slips(1) and bytes(sim.received) == b"\x10\x04\x01" + to_escpos(ticket())


# ---- the wait for the answer --------------------------------------------------------------------------------
def test_the_wait_for_gs_r_allows_for_the_slips_print_time_and_is_bounded():
    short, long = ticket(), long_slip()
    assert in_order.slip_height_mm(long) == pytest.approx((30 * 30 + 4 * 30) / 8)  # 30 lines + the cut's feed
    assert in_order.slip_height_mm(Slip([QR("https://zwfw.example.cn/q/B012", size=6), Cut(feed=0)])) > 20
    wait_short = in_order.wait_s(short, len(to_escpos(short)), status_timeout_s=0.5)
    wait_long = in_order.wait_s(long, len(to_escpos(long)), status_timeout_s=0.5)
    assert 0.5 < wait_short < wait_long
    assert wait_long == pytest.approx(0.5 + in_order.slip_height_mm(long) / in_order.SLOWEST_MM_S)
    serial = in_order.wait_s(long, 9600, status_timeout_s=0.5, baudrate=9600)
    assert serial == pytest.approx(wait_long + 10.0)  # 10 bits a byte on the line
    endless = Slip([Feed(20)] * 2000)
    assert in_order.wait_s(endless, 10, status_timeout_s=0.5) == in_order.MAX_WAIT_S


def test_the_height_behind_the_wait_matches_the_preview_of_the_same_slip():
    """The preview draws the layout the printer gets, at 8 dots a mm: the wait's slip length agrees with it."""
    from kiosk.printing.preview import PreviewRenderer

    preview = PreviewRenderer()
    for slip in (ticket(), long_slip(), Slip([Text("大字", size=3), QR("https://zwfw.example.cn/q/B012", size=8),
                                              Feed(3), Cut()], width_mm=58)):
        dots = preview.render(slip).image.height
        assert in_order.slip_height_mm(slip) * in_order.DOTS_PER_MM == pytest.approx(dots, rel=0.05)


@pytest.mark.parametrize(("byte", "paper"), [(0x00, "ok"), (0x03, "near_end"), (0x0C, "out"), (0x0F, "out"),
                                             (0x60, "ok")])
def test_gs_r_paper_sensor_bits(byte, paper):
    """Bits 0-1 near-end sensor, 2-3 end sensor, 5-6 reserved (Epson GS r; Samsung SRP-275, Bixolon)."""
    assert in_order.is_reply(byte) and in_order.paper(byte) == paper


@pytest.mark.parametrize("byte", [0x12, 0x7E, 0xFF, 0x80])
def test_dle_eot_replies_and_noise_are_no_gs_r_answer(byte):
    assert not in_order.is_reply(byte)  # bit 4 or 7 set: GS r fixes both to 0
