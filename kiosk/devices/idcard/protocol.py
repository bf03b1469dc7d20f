"""SAM module framing (GA/T 467): building frames, a stream parser, and the errors SW3 codes mean.

Every frame is ``AA AA AA 96 69 | LEN_H LEN_L | BODY… | CHK``. LEN is big-endian and counts the body
plus the checksum byte; CHK is the XOR of every byte from LEN_H to the last body byte. A request body is
``CMD PARA DATA…``, a response body ``SW1 SW2 SW3 DATA…``.

:class:`FrameParser` is fed arbitrary bytes (garbage, partial frames, several frames at once) and hands
out whole frames; it never raises anything but :class:`SamProtocolError` subclasses, and it never waits
for more than :data:`MAX_LEN` bytes of a frame it has started.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kiosk.devices.base import ProtocolError, Reason

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2  # preamble + LEN
MIN_LEN = 3  # CMD PARA CHK: the shortest legal frame (a response needs 4: SW1 SW2 SW3 CHK)
# The longest legal frame is the 30 10 reply with a 1024-byte fingerprint block (2321 bytes, LEN 2314).
MAX_LEN = 4096


class Command(bytes, Enum):
    """CMD PARA pairs of the commands a host sends."""

    RESET = b"\x10\xff"
    MODULE_STATUS = b"\x11\xff"
    MODULE_ID = b"\x12\xff"
    FIND = b"\x20\x01"
    SELECT = b"\x20\x02"
    READ = b"\x30\x01"
    READ_APPENDED_ADDRESS = b"\x30\x03"
    READ_WITH_FINGERPRINT = b"\x30\x10"


class SamProtocolError(ProtocolError):
    """Bytes on the line broke the SAM framing (bad checksum, impossible length, short or odd body)."""


class ChecksumError(SamProtocolError):
    """A frame's XOR checksum did not match its bytes."""


class FrameLengthError(SamProtocolError):
    """A frame announced a length no SAM frame can have."""


def xor_checksum(data: bytes | bytearray | memoryview) -> int:
    """XOR of every byte of ``data`` (LEN_H … last body byte)."""
    value = 0
    for b in data:
        value ^= b
    return value


def build_frame(body: bytes) -> bytes:
    """A whole frame around ``body`` (request ``CMD PARA DATA`` or response ``SW1 SW2 SW3 DATA``)."""
    length = len(body) + 1
    if not MIN_LEN <= length <= MAX_LEN:
        raise ValueError(f"body of {len(body)} bytes cannot be framed; expected 2..{MAX_LEN - 1} bytes")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([xor_checksum(head) ^ xor_checksum(body)])


def build_request(command: Command, data: bytes = b"") -> bytes:
    """The request frame for ``command``, e.g. FIND → ``AA AA AA 96 69 00 03 20 01 22``."""
    return build_frame(command.value + data)


def build_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A response frame (what the module sends), e.g. ``build_response(0x80)`` for "no card"."""
    return build_frame(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True)
class Frame:
    """One checked frame. ``body`` is everything between LEN and CHK (a bytearray from the parser, so
    :meth:`wipe` can overwrite card data once it is parsed)."""

    body: bytes | bytearray

    @property
    def sw3(self) -> int:
        """The status byte of a response; raises SamProtocolError when the body is too short for one."""
        if len(self.body) < 3:
            raise SamProtocolError(Reason("idcard.protocol.short", size=len(self.body)))
        return self.body[2]

    @property
    def data(self) -> bytes | bytearray:
        """The DATA bytes of a response (after SW1 SW2 SW3)."""
        return self.body[3:]

    @property
    def command(self) -> bytes:
        """CMD PARA of a request."""
        return bytes(self.body[:2])

    def to_bytes(self) -> bytes:
        return build_frame(bytes(self.body))

    def wipe(self) -> None:
        """Overwrites the body with zeros when it is a bytearray (no-op for bytes)."""
        if isinstance(self.body, bytearray):
            self.body[:] = bytes(len(self.body))


class FrameParser:
    """Turns a byte stream into frames.

    ``feed(data)`` buffers bytes; ``next_frame()`` returns the next whole frame, or ``None`` when more
    bytes are needed. Bytes before a preamble are skipped (``skipped`` counts them). A frame with a bad
    checksum is consumed and reported as :class:`ChecksumError`; an impossible length as
    :class:`FrameLengthError` after dropping the first preamble byte, so the hunt resumes right behind it.
    After an error, calling ``next_frame()`` again continues with the bytes that follow.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes | bytearray) -> None:
        self._buf += data

    def bytes_needed(self) -> int:
        """At least this many more bytes are needed before ``next_frame()`` can return a frame."""
        buf = self._buf
        start = buf.find(PREAMBLE)
        if start < 0:
            # keep a possible preamble prefix at the end; a whole header is still to come
            return max(1, HEADER_LEN - self._tail_prefix())
        have = len(buf) - start
        if have < HEADER_LEN:
            return HEADER_LEN - have
        length = int.from_bytes(buf[start + 5:start + 7], "big")
        if not MIN_LEN <= length <= MAX_LEN:
            return 1
        return max(1, HEADER_LEN + length - have)

    def _tail_prefix(self) -> int:
        """Length of the longest suffix of the buffer that is a proper prefix of the preamble."""
        buf = self._buf
        for n in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
            if buf[-n:] == PREAMBLE[:n]:
                return n
        return 0

    def next_frame(self) -> Frame | None:
        buf = self._buf
        start = buf.find(PREAMBLE)
        if start < 0:
            keep = self._tail_prefix()
            drop = len(buf) - keep
            if drop:
                self.skipped += drop
                del buf[:drop]
            return None
        if start:
            self.skipped += start
            del buf[:start]
        if len(buf) < HEADER_LEN:
            return None
        length = int.from_bytes(buf[5:7], "big")
        if not MIN_LEN <= length <= MAX_LEN:
            del buf[:1]
            self.skipped += 1
            raise FrameLengthError(Reason("idcard.protocol.length", length=length, low=MIN_LEN, high=MAX_LEN))
        end = HEADER_LEN + length
        if len(buf) < end:
            return None
        body = buf[HEADER_LEN:end - 1]
        expected = xor_checksum(buf[5:end - 1])
        got = buf[end - 1]
        buf[:end] = bytes(end)  # overwrite before dropping: a read reply carries personal data
        del buf[:end]
        if got != expected:
            raise ChecksumError(Reason("idcard.protocol.checksum", got=f"{got:02X}", expected=f"{expected:02X}"))
        return Frame(body)

    def clear(self) -> None:
        """Drops buffered bytes, overwriting them first (they may hold personal data)."""
        self._buf[:] = bytes(len(self._buf))
        self._buf.clear()


def parse_frames(data: bytes) -> list[Frame]:
    """Every good frame in ``data`` (bad ones skipped): a convenience for tests and tools."""
    parser = FrameParser()
    parser.feed(data)
    frames: list[Frame] = []
    while True:
        try:
            frame = parser.next_frame()
        except SamProtocolError:
            continue
        if frame is None:
            return frames
        frames.append(frame)
