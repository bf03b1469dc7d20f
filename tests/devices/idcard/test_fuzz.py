"""Hypothesis throws random and mutated frames at the SAM parser and the card decoder.

They may only ever raise their own protocol errors (SamProtocolError), and they always finish: every
call either returns or consumes bytes, so a bounded number of calls drains any input.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.layout import TEXT_LEN, build_read_data, encode_text, parse_text, split_read_data
from kiosk.devices.idcard.protocol import (
    PREAMBLE,
    Command,
    FrameParser,
    SamProtocolError,
    build_request,
    build_response,
)

VALID_FRAMES = [
    build_request(Command.FIND), build_request(Command.READ), build_response(0x80), build_response(0x9F, bytes(4)),
    build_response(0x90, bytes(8)), build_response(0x66),
    *(build_response(0x90, build_read_data(encode_text(card), bytes(card.photo_raw)))
      for card in IDENTITIES.values()),
    build_response(0x90, build_read_data(encode_text(IDENTITIES["zhang_san"]), bytes(1024), bytes(512))),
]
FUZZ = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def drain(parser: FrameParser, data: bytes, chunks: list[int]) -> list[bytes]:
    """Feeds ``data`` in ``chunks`` and pulls frames; fails the test on any non-protocol exception or
    on a call that neither returns a frame nor consumes input."""
    frames = []
    pos = 0
    sizes = chunks or [len(data) or 1]
    i = 0
    while pos < len(data):
        size = max(1, sizes[i % len(sizes)])
        parser.feed(data[pos:pos + size])
        pos += size
        i += 1
        for _ in range(len(data) + 2):  # bounded: each error consumes at least one byte
            try:
                frame = parser.next_frame()
            except SamProtocolError:
                continue
            if frame is None:
                break
            frames.append(bytes(frame.body))
        else:
            raise AssertionError("parser kept going without consuming input")
        assert parser.bytes_needed() >= 1
    return frames


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from(VALID_FRAMES)))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "preamble", "len"]))
        pos = draw(st.integers(0, max(0, len(frame) - 1)))
        if kind == "flip" and frame:
            frame[pos] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            frame[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and frame:
            del frame[pos:pos + draw(st.integers(1, 8))]
        elif kind == "truncate":
            del frame[pos:]
        elif kind == "preamble":
            frame[pos:pos] = PREAMBLE
        elif kind == "len" and len(frame) > 7:
            frame[5:7] = draw(st.integers(0, 0xFFFF)).to_bytes(2, "big")
    return bytes(frame)


@FUZZ
@given(st.binary(max_size=3000), st.lists(st.integers(1, 700), max_size=8))
def test_random_bytes(data: bytes, chunks: list[int]) -> None:
    drain(FrameParser(), data, chunks)


@FUZZ
@given(st.lists(mutated(), min_size=1, max_size=4), st.binary(max_size=40), st.lists(st.integers(8, 900), max_size=6))
def test_mutated_frames_then_a_good_one_is_still_found(frames: list[bytes], noise: bytes, chunks: list[int]) -> None:
    good = build_response(0x9F, b"\x01\x02\x03\x04")
    # A mutated frame may announce a length that swallows what follows (up to MAX_LEN); pad so the parser
    # gets past any such frame, then the good frame must come out.
    tail = bytes(4200) + good
    found = drain(FrameParser(), b"".join(frames) + noise.replace(b"\xaa", b"") + tail, chunks)
    assert found[-1] == good[7:-1]


@FUZZ
@given(st.binary(min_size=TEXT_LEN, max_size=TEXT_LEN))
def test_random_text_blocks_decode_or_raise_card_data_error(block: bytes) -> None:
    with contextlib.suppress(SamProtocolError):
        parse_text(block)


@FUZZ
@given(st.sampled_from(list(IDENTITIES.values())), st.integers(0, TEXT_LEN - 1), st.binary(min_size=1, max_size=16))
def test_mutated_text_blocks_decode_or_raise_card_data_error(card, pos: int, patch: bytes) -> None:  # noqa: ANN001
    block = bytearray(encode_text(card))
    block[pos:pos + len(patch)] = patch
    with contextlib.suppress(SamProtocolError):
        parse_text(bytes(block[:TEXT_LEN].ljust(TEXT_LEN, b" ")))


@FUZZ
@given(st.binary(max_size=1400), st.booleans())
def test_random_read_data_splits_or_raises(data: bytes, with_fingerprint: bool) -> None:
    with contextlib.suppress(SamProtocolError):
        split_read_data(data, with_fingerprint)
