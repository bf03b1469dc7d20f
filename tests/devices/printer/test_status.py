import time

import pytest

from kiosk.devices.printer.simulator import REPLIES
from kiosk.devices.printer.status import decode, is_status_byte, query


@pytest.mark.parametrize("state, online, paper, cover", [
    ("ok", True, "ok", False),
    ("near_end", True, "near_end", False),
    ("out", False, "out", False),
    ("cover_open", False, "ok", True),
])
def test_decode_every_state_of_the_simulator(state, online, paper, cover):
    status = decode(dict(REPLIES[state]))
    assert (status.online, status.paper, status.cover_open) == (online, paper, cover)
    assert status.error is None
    assert status.can_print is (state in ("ok", "near_end"))


def test_documented_reply_bytes():
    assert all(is_status_byte(b) for b in (0x12, 0x1A, 0x32, 0x7E, 0x1E, 0x16))
    assert not is_status_byte(0x00) and not is_status_byte(0xFF) and not is_status_byte(0x13)
    out = decode({1: 0x1A, 2: 0x32, 4: 0x7E})
    assert (out.online, out.paper) == (False, "out")
    assert decode({2: 0x32}).paper == "out"  # stopped by paper end, even without n=4


def test_errors_and_invalid_bytes_are_named():
    status = decode({1: 0x12, 2: 0x12, 3: 0x12 | 0x08 | 0x20, 4: 0x12})
    assert status.error == "cutter error; unrecoverable error"
    junk = decode({1: 0x00, 2: None, 3: None, 4: None})
    assert junk.online is None and junk.paper == "unknown" and "invalid reply to n=1 (0x00)" in junk.error


def test_a_silent_printer_is_unknown_after_one_timeout_not_out_of_paper():
    sent = []
    started = time.monotonic()
    status = query(sent.append, lambda timeout: time.sleep(timeout) or b"", timeout=0.3)
    elapsed = time.monotonic() - started
    assert (status.online, status.paper, status.cover_open) == (None, "unknown", None)
    assert "no answer within 0.3 s" in status.error and not status.answered
    assert sent == [b"\x10\x04\x01"]  # it gave up after the first silence
    assert 0.25 < elapsed < 0.6


def test_query_sends_each_dle_eot_and_reads_its_answer():
    replies = dict(REPLIES["near_end"])
    sent: list[bytes] = []
    status = query(sent.append, lambda timeout: bytes([replies[sent[-1][2]]]), timeout=0.5)
    assert sent == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04"]
    assert status.paper == "near_end" and status.as_dict()["replies"]["4"] == "0x1E"


def test_noise_before_an_answer_is_skipped_and_stale_bytes_are_drained():
    """A printer (or a noisy serial line) that sends junk before each answer still reads right; what is
    left over from one query is drained before the next."""
    replies = dict(REPLIES["near_end"])
    sent: list[bytes] = []
    pending: list[bytes] = []

    def send(data: bytes) -> None:
        sent.append(data)
        pending[:] = [b"\xff\x00ga", bytes([replies[data[2]]]) + b"!!"]  # junk, answer, trailing junk

    status = query(send, lambda timeout: pending.pop(0) if pending else b"", timeout=0.5,
                   drain=pending.clear)
    assert status.replies == replies and status.paper == "near_end" and status.error is None


def test_a_printer_that_answers_only_junk_is_unknown_and_quick():
    started = time.monotonic()
    status = query(lambda data: None, lambda timeout: b"\x00\xff\x01", timeout=1.0)
    assert (status.online, status.paper, status.cover_open) == (None, "unknown", None)
    assert "invalid reply to n=1 (0x01)" in status.error
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("replies", [
    {1: 0x00, 2: 0x00, 3: 0x00, 4: 0x00},
    {1: 0xFF, 2: 0xFF, 3: 0xFF, 4: 0xFF},
    {1: 0x12, 2: 0xFF, 3: 0x00, 4: 0x55},  # online, then noise: paper and cover unknown
    {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x13},  # one bit off the fixed pattern on the paper query
])
def test_a_reply_that_is_no_status_byte_is_unknown_never_ok(replies):
    status = decode(replies)
    assert status.paper == "unknown" and status.can_print is None and "invalid reply" in status.error
    assert status.answered is (replies[1] == 0x12)


@pytest.mark.parametrize("replies, named", [
    ({1: 0x12, 2: 0x52, 3: 0x1A, 4: 0x12}, "cutter error"),  # the jam only in n=2 / n=3, n=1 still online
    ({1: 0x12, 2: 0x12, 3: 0x32, 4: 0x12}, "unrecoverable error"),
    ({1: 0x12, 2: 0x12, 3: 0x16, 4: 0x12}, "recoverable error"),  # n=3 bit 2
    ({1: 0x12, 2: 0x52}, "error"),  # n=2 bit 6, and n=3 never answered
])
def test_error_bits_refuse_on_their_own_whatever_n1_says(replies, named):
    """dantsu/ESCPOS-ThermalPrinter-Android PrinterStatus.isReady() refuses on errorOccurred (n=2 bit 6) and
    unrecoverableError (n=3 bit 5) besides the offline bit; a cutter jam or a mechanical error leaves data in
    the printer's buffer: the slip is not on paper though the kiosk would say printed."""
    status = decode(replies)
    assert status.can_print is False and status.faulted
    assert named in status.error.split("; ")


def test_an_auto_recoverable_error_alone_does_not_refuse():
    """Head too hot (n=3 bit 6): the printer resumes by itself and prints what it holds."""
    status = decode({1: 0x12, 2: 0x52, 3: 0x52, 4: 0x12})
    assert status.can_print is True and not status.faulted and status.error == "auto-recoverable error"
