"""A SAM module in software: answers request frames byte for byte like a desk reader does.

:class:`SamModule` holds the card in the field and the module's state (found → selected → read) and
turns each request :class:`~kiosk.devices.idcard.protocol.Frame` into the bytes the module would send.
It knows nothing of transports; :mod:`kiosk.devices.idcard.sim_server` puts it on a TCP port or a pty
with real wire timing. Thread-safe: a test or a technician may present / remove cards and flip faults
while a reader talks to it.

Faults (``FAULTS``): ``no_card`` (find always fails), ``removed_mid_read`` (the card leaves during the
read: SW3 41, card gone), ``bad_checksum`` (every reply's CHK is wrong), ``garbage`` (random bytes before
and after every reply), ``silence`` (no reply at all), ``not_authorized`` (SW3 66 to everything),
``self_test_failed`` (SW3 60 to everything), ``slow`` (the link runs at 9600 baud: the server's wire timing
uses it), ``glitch`` (the next read reply only has a wrong checksum: one burst of line noise; the fault
then clears itself).

``latency`` gives the module's own time per command before it answers (the SAM's RF exchange with the
card), on top of the wire time the server adds: YinanSoft's SerialReader SDK waits 2000 ms for 30 01,
3000 ms for 30 10 and 1500 ms for 30 03 at 115200 baud. It is 0 unless a test asks (fast tests).

After a read the card stays *selectable* while it lies in the field (a host may select and read it again),
though a GA/T 467 module does not *find* it again.
"""

from __future__ import annotations

import random
import threading
from collections import deque

from kiosk.devices.idcard import errors as sw
from kiosk.devices.idcard.card import IdCard
from kiosk.devices.idcard.identities import DEFAULT_IDENTITY, IDENTITIES
from kiosk.devices.idcard.layout import build_read_data, encode_appended_address, encode_text
from kiosk.devices.idcard.protocol import PREAMBLE, Command, Frame, build_response

FAULTS = ("no_card", "removed_mid_read", "bad_checksum", "garbage", "silence", "not_authorized",
          "self_test_failed", "slow", "glitch")
SLOW_BAUD = 9600
# 05.01-20240315-0000123456-1234567890 as a module sends it: 16-bit 5 and 1, then three 32-bit numbers,
# all little-endian (05 00 01 00 …), as the vendors' SDKs read them
SAM_ID = (5).to_bytes(2, "little") + (1).to_bytes(2, "little") + (20240315).to_bytes(4, "little") + (
    123456).to_bytes(4, "little") + (1234567890).to_bytes(4, "little")
_COMMANDS = {c.value: c for c in Command}


class SamModule:
    """The module's behaviour. ``reply(frame)`` → bytes to send (``b""`` for silence)."""

    def __init__(self, identity: str | IdCard | None = DEFAULT_IDENTITY, faults: tuple[str, ...] | set[str] = (),
                 seed: int | None = None, refind_after_read: bool = False,
                 latency: dict[Command, float] | None = None, read_status: int | None = None):
        """``refind_after_read``: behave like modules that keep finding a card that was read and still lies
        in the field (GA/T 467 modules do not; the driver must cope with both). ``latency``: seconds the
        module takes before answering each command (none by default). ``read_status``: the SW3 the module
        answers every read of this card with instead of 90 (a card it refuses, e.g. 37 or 3F)."""
        self.refind_after_read = refind_after_read
        self.read_status = read_status
        self.latency = dict(latency or {})
        self._lock = threading.Lock()
        self._card: IdCard | None = None
        self._state = "idle"  # idle | found | selected | read
        self._faults: set[str] = set()
        self._random = random.Random(seed)
        self.requests: deque[bytes] = deque(maxlen=1000)  # CMD PARA of the last requests, for tests
        for fault in faults:
            self.set_fault(fault, True)
        if identity is not None:
            self.present(identity)

    # --- what a test or technician does -------------------------------------------------------------
    def present(self, identity: str | IdCard | None = None) -> IdCard:
        """Puts a card in the field (by identity name, an IdCard, or the last / default one)."""
        if identity is None:
            card = self._card or IDENTITIES[DEFAULT_IDENTITY]
        elif isinstance(identity, IdCard):
            card = identity
        elif identity in IDENTITIES:
            card = IDENTITIES[identity]
        else:
            raise KeyError(f"unknown identity '{identity}'; expected one of {', '.join(IDENTITIES)}")
        with self._lock:
            self._card = card
            self._state = "idle"
        return card

    def remove(self) -> None:
        """Takes the card out of the field."""
        with self._lock:
            self._card = None
            self._state = "idle"

    def set_fault(self, name: str, on: bool = True) -> None:
        if name not in FAULTS:
            raise KeyError(f"unknown fault '{name}'; expected one of {', '.join(FAULTS)}")
        with self._lock:
            (self._faults.add if on else self._faults.discard)(name)

    @property
    def faults(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._faults)

    @property
    def card(self) -> IdCard | None:
        with self._lock:
            return self._card

    @property
    def state(self) -> str:
        with self._lock:
            return self._state

    # --- the protocol ---------------------------------------------------------------------------------
    def processing_time(self, frame: Frame) -> float:
        """Seconds the module takes before it answers ``frame`` (its ``latency`` for that command)."""
        command = _COMMANDS.get(frame.command)
        return self.latency.get(command, 0.0) if command is not None else 0.0

    def reply_to_bad_frame(self, code: int) -> bytes:
        """What the module sends back for a request it could not parse (SW3 10 or 11)."""
        with self._lock:
            return self._dress(build_response(code))

    def reply(self, frame: Frame) -> bytes:
        """The bytes the module sends in answer to one good request frame."""
        with self._lock:
            self.requests.append(frame.command)
            if "silence" in self._faults:
                return b""
            return self._dress(self._answer(frame))

    def _dress(self, out: bytes) -> bytes:
        if "glitch" in self._faults and len(out) > 100:  # a read reply: noise on the line this once
            self._faults.discard("glitch")
            out = out[:-1] + bytes([out[-1] ^ 0x5A])
        if "bad_checksum" in self._faults:
            out = out[:-1] + bytes([out[-1] ^ 0x5A])
        if "garbage" in self._faults:
            out = self._noise() + out + self._noise()
        return out

    def _noise(self) -> bytes:
        """1–24 random bytes, rich in AA (partial preambles), never a whole preamble."""
        while True:
            noise = bytes(self._random.choice((0xAA, 0xAA, 0x96, 0x69, self._random.randrange(256)))
                          for _ in range(self._random.randint(1, 24)))
            if PREAMBLE not in noise:
                return noise

    def _answer(self, frame: Frame) -> bytes:
        command = _COMMANDS.get(frame.command)
        if command is None:
            return build_response(0x21)
        if "not_authorized" in self._faults:
            return build_response(0x66)
        if "self_test_failed" in self._faults:
            return build_response(0x60)
        if command is Command.RESET:
            self._state = "idle"
            return build_response(sw.SUCCESS)
        if command is Command.MODULE_STATUS:
            return build_response(sw.SUCCESS)
        if command is Command.MODULE_ID:
            return build_response(sw.SUCCESS, SAM_ID)
        card = self._card
        if command is Command.FIND:
            # after a good read the same card is not found again until it leaves the field
            if card is None or "no_card" in self._faults or (self._state == "read" and not self.refind_after_read):
                if self._state != "read":
                    self._state = "idle"
                return build_response(0x80)
            self._state = "found"
            return build_response(sw.CARD_FOUND, b"\x00\x00\x00\x00")
        if command is Command.SELECT:
            if card is None or self._state not in ("found", "read"):
                return build_response(0x81)
            self._state = "selected"
            return build_response(sw.SUCCESS, bytes(8))
        if command in (Command.READ, Command.READ_WITH_FINGERPRINT):
            if card is None or self._state != "selected":
                return build_response(0x41)
            if "removed_mid_read" in self._faults:
                self._card, self._state = None, "idle"
                return build_response(0x41)
            if self.read_status is not None:
                self._state = "idle"
                return build_response(self.read_status)
            self._state = "read"
            fingerprint = bytes(card.fingerprint_raw) if command is Command.READ_WITH_FINGERPRINT else None
            return build_response(sw.SUCCESS, build_read_data(encode_text(card), bytes(card.photo_raw),
                                                              fingerprint))
        # READ_APPENDED_ADDRESS: only right after a read
        if card is None or self._state != "read":
            return build_response(0x41)
        if not card.appended_address:
            return build_response(sw.ITEM_EMPTY)
        return build_response(sw.SUCCESS, encode_appended_address(card.appended_address))
