"""Framing, byte for byte against DEVICES.md §1, and the stream parser's behaviour on real-world mess."""

from __future__ import annotations

import pytest

from kiosk.devices.base import ProtocolError
from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.layout import build_read_data, encode_text, split_read_data
from kiosk.devices.idcard.protocol import (
    PREAMBLE,
    ChecksumError,
    Command,
    FrameLengthError,
    FrameParser,
    SamProtocolError,
    build_request,
    build_response,
    parse_frames,
    xor_checksum,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(("command", "frame"), [
    (Command.RESET, "AA AA AA 96 69 00 03 10 FF EC"),
    (Command.MODULE_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
    (Command.MODULE_ID, "AA AA AA 96 69 00 03 12 FF EE"),
    (Command.FIND, "AA AA AA 96 69 00 03 20 01 22"),
    (Command.SELECT, "AA AA AA 96 69 00 03 20 02 21"),
    (Command.READ, "AA AA AA 96 69 00 03 30 01 32"),
    (Command.READ_APPENDED_ADDRESS, "AA AA AA 96 69 00 03 30 03 30"),
    (Command.READ_WITH_FINGERPRINT, "AA AA AA 96 69 00 03 30 10 23"),
])
def test_request_frames_match_the_documented_bytes(command: Command, frame: str) -> None:
    assert build_request(command) == h(frame)


@pytest.mark.parametrize(("sw3", "data", "frame"), [
    (0x9F, bytes(4), "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"),
    (0x80, b"", "AA AA AA 96 69 00 04 00 00 80 84"),
    (0x90, bytes(8), "AA AA AA 96 69 00 0C 00 00 90" + " 00" * 8 + " 9C"),
    (0x81, b"", "AA AA AA 96 69 00 04 00 00 81 85"),
    (0x41, b"", "AA AA AA 96 69 00 04 00 00 41 45"),
    (0x10, b"", "AA AA AA 96 69 00 04 00 00 10 14"),
])
def test_response_frames_match_the_documented_bytes(sw3: int, data: bytes, frame: str) -> None:
    assert build_response(sw3, data) == h(frame)
    [parsed] = parse_frames(h(frame))
    assert parsed.sw3 == sw3 and parsed.data == data


def test_read_reply_is_1295_bytes_with_the_documented_header() -> None:
    card = IDENTITIES["zhang_san"]
    frame = build_response(0x90, build_read_data(encode_text(card), bytes(card.photo_raw)))
    assert len(frame) == 1295
    assert frame[:14] == h("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    assert frame[-1] == xor_checksum(frame[5:-1])
    assert frame[14:270] == encode_text(card) and frame[270:1294] == bytes(card.photo_raw)


@pytest.mark.parametrize(("fp_len", "total"), [(0, 1297), (512, 1809), (1024, 2321)])
def test_fingerprint_read_reply_sizes(fp_len: int, total: int) -> None:
    card = IDENTITIES["zhang_san"]
    data = build_read_data(encode_text(card), bytes(card.photo_raw), bytes(fp_len))
    frame = build_response(0x90, data)
    assert len(frame) == total
    assert frame[14:16] == fp_len.to_bytes(2, "big")
    [parsed] = parse_frames(frame)
    text, photo, fingerprint = split_read_data(parsed.data, with_fingerprint=True)
    assert text == encode_text(card) and len(photo) == 1024 and len(fingerprint) == fp_len


def test_parser_takes_frames_byte_by_byte_with_garbage_around() -> None:
    stream = b"\x00\x13\xaa\xaa" + build_response(0x80) + b"\x55\xaa\x96" + build_response(0x9F, bytes(4)) + b"\xaa"
    parser = FrameParser()
    frames = []
    for b in stream:
        parser.feed(bytes([b]))
        while (frame := parser.next_frame()) is not None:
            frames.append(frame.sw3)
    assert frames == [0x80, 0x9F]
    assert parser.skipped == 7  # 00 13 AA AA before, 55 AA 96 between; the trailing AA may start a preamble


def test_preamble_inside_a_frame_does_not_resynchronise() -> None:
    card = IDENTITIES["rare_ext_b"]
    assert PREAMBLE in card.photo_raw
    frame = build_response(0x90, build_read_data(encode_text(card), bytes(card.photo_raw)))
    [parsed] = parse_frames(frame)
    assert len(parsed.body) == 1295 - 8


def test_bad_checksum_is_reported_and_the_next_frame_still_parses() -> None:
    bad = bytearray(build_response(0x90, bytes(8)))
    bad[-1] ^= 0xFF
    parser = FrameParser()
    parser.feed(bytes(bad) + build_response(0x80))
    with pytest.raises(ChecksumError) as info:
        parser.next_frame()
    assert isinstance(info.value, SamProtocolError) and isinstance(info.value, ProtocolError)
    assert parser.next_frame().sw3 == 0x80
    assert parser.next_frame() is None


def test_impossible_length_is_reported_and_the_hunt_resumes() -> None:
    parser = FrameParser()
    parser.feed(PREAMBLE + b"\xff\xff" + build_response(0x9F, bytes(4)))
    with pytest.raises(FrameLengthError):
        parser.next_frame()
    assert parser.next_frame().sw3 == 0x9F


def test_bytes_needed_never_overreads_a_frame() -> None:
    frame = build_response(0x90, bytes(8))
    parser = FrameParser()
    got = b""
    while len(got) < len(frame):
        need = parser.bytes_needed()
        assert len(got) + need <= len(frame)
        parser.feed(frame[len(got):len(got) + need])
        got += frame[len(got):len(got) + need]
    assert parser.next_frame().sw3 == 0x90


def test_short_body_has_no_status_word() -> None:
    [frame] = parse_frames(build_request(Command.FIND))
    with pytest.raises(SamProtocolError):
        _ = frame.sw3
