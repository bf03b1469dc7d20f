"""Real-time printer status through ``DLE EOT n`` (``10 04 n``), decoded into a :class:`PrinterStatus`.

Each query is answered with one byte whose fixed bits match ``0xx1xx10`` (``b & 0x93 == 0x12``):

====  =========================================================================
n=1   bit 3: offline
n=2   bit 2: cover open; bit 5: stopped by paper end; bit 6: error
n=3   bit 2: recoverable (mechanical) error; bit 3: cutter error; bit 5: unrecoverable error;
      bit 6: auto-recoverable error
n=4   bits 2–3: paper near end; bits 5–6: paper end
====  =========================================================================

An error bit refuses printing on its own, whatever n=1 says (``faulted``): data sent to a printer with a
jammed cutter or a mechanical error stays in its buffer, so the kiosk would call a slip printed that is not
on paper. dantsu/ESCPOS-ThermalPrinter-Android ``PrinterStatus.isReady()`` refuses the same way (n=2 bit 6,
n=3 bit 5 besides the offline bit; its n=3 bit 2 is ``recoverableError``). Only an auto-recoverable error
alone (head too hot) does not: the printer resumes by itself and prints what it holds.

An idle printer answers ``0x12`` to each; out of paper it answers ``1A / 32 / 7E`` to n = 1 / 2 / 4.
*No answer is not "no paper"* (python-escpos's ``paper_status()`` says 0 then): a printer that stays
silent for ``timeout`` seconds is reported with everything ``unknown`` / ``None``, and the remaining
queries are not sent, so a silent printer costs one timeout, not four. A printer that answered an earlier
query and skips one (cheap printers answer n=1 and n=2 but not n=3) is still asked the rest, so the paper
sensor (n=4) is read; a second unanswered query ends the round (at most two timeouts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 3, 4)
PAPER_STATES = ("ok", "near_end", "out", "unknown")


def is_status_byte(b: int) -> bool:
    """Whether ``b`` has the fixed bits of a status reply (``0xx1xx10``)."""
    return b & 0x93 == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said. ``None`` / ``unknown`` mean it did not say (no answer, no status channel).

    ``error`` is a short English reason for technicians when something is wrong or unknown, else None.
    ``replies`` maps each query n to the byte received (None: no valid answer). ``faulted``: an error bit
    (n=2 bit 6, n=3 bits 2, 3, 5) says the printer cannot print now.
    """

    online: bool | None = None
    paper: str = "unknown"
    cover_open: bool | None = None
    error: str | None = None
    replies: dict[int, int | None] = field(default_factory=dict)
    faulted: bool = False

    @property
    def answered(self) -> bool:
        """Whether any reply was a status byte (noise, 0x00 or 0xFF is not an answer)."""
        return any(v is not None and is_status_byte(v) for v in self.replies.values())

    @property
    def can_print(self) -> bool | None:
        """False when the printer said it cannot print now; True only when it said online, cover closed
        and paper there; None when any of them is unknown (no answer, or a reply that is no status byte)."""
        if self.paper == "out" or self.cover_open or self.online is False or self.faulted:
            return False
        if self.online is None or self.cover_open is None or self.paper == "unknown":
            return None
        return True

    def as_dict(self) -> dict:
        d = asdict(self)
        d["replies"] = {str(k): (None if v is None else f"0x{v:02X}") for k, v in self.replies.items()}
        return d


UNKNOWN = PrinterStatus(error="no status")


def decode(replies: dict[int, int | None]) -> PrinterStatus:
    """A status from the reply byte of each query (missing or invalid bytes count as unknown)."""
    valid = {n: b for n, b in replies.items() if b is not None and is_status_byte(b)}
    problems: list[str] = []
    bad = [n for n, b in replies.items() if b is not None and not is_status_byte(b)]
    if bad:
        problems.append("invalid reply to " + ", ".join(f"n={n} (0x{replies[n]:02X})" for n in bad))
    online = None if 1 not in valid else not valid[1] & 0x08
    cover = None if 2 not in valid else bool(valid[2] & 0x04)
    paper = "unknown"
    if 4 in valid:
        b = valid[4]
        paper = "out" if b & 0x60 else "near_end" if b & 0x0C else "ok"
    if 2 in valid and valid[2] & 0x20:
        paper = "out"
    if 3 in valid:
        b = valid[3]
        if b & 0x04:
            problems.append("recoverable error")
        if b & 0x08:
            problems.append("cutter error")
        if b & 0x20:
            problems.append("unrecoverable error")
        if b & 0x40:
            problems.append("auto-recoverable error")
    if 2 in valid and valid[2] & 0x40 and not (3 in valid and valid[3] & 0x6C):
        problems.append("error")
    if not valid:
        problems.append("no answer to status queries")
    return PrinterStatus(online, paper, cover, "; ".join(problems) or None, dict(replies), _faulted(valid))


def _faulted(valid: dict[int, int]) -> bool:
    """Whether the error bits say the printer cannot print now: n=3 recoverable, cutter or unrecoverable
    error; or n=2's error bit unless n=3 shows it is only an auto-recoverable one."""
    n3 = valid.get(3)
    if n3 is not None and n3 & 0x2C:
        return True
    return 2 in valid and bool(valid[2] & 0x40) and not (n3 is not None and n3 & 0x40)


def query(send: Callable[[bytes], None], read: Callable[[float], bytes], timeout: float = 1.0,
          queries: tuple[int, ...] = QUERIES, drain: Callable[[], None] | None = None) -> PrinterStatus:
    """Sends ``DLE EOT n`` for each n and decodes the answers.

    ``send(data)`` writes to the printer; ``read(timeout)`` returns the bytes that came within
    ``timeout`` s (``b''`` if none); ``drain()``, when given, discards bytes already waiting before each
    query (a late answer or line noise must not pass for the next answer). Bytes that cannot be a status
    reply (noise before the answer) are skipped; when only such bytes come, the last one is reported as
    an invalid reply. An unanswered query ends the round when none before it was answered (the printer
    is silent) or when it is the second one; the whole call takes at most about ``2 × timeout`` s more
    than the printer's answers.
    """
    replies: dict[int, int | None] = {n: None for n in queries}
    unanswered = 0
    for n in queries:
        if drain is not None:
            drain()
        send(DLE_EOT + bytes([n]))
        reply = _one_byte(read, timeout)
        replies[n] = reply
        if reply is None:
            unanswered += 1
            if unanswered == 2 or not any(b is not None for b in replies.values()):
                break
    status = decode(replies)
    if all(b is None for b in replies.values()):
        status = PrinterStatus(None, "unknown", None, f"no answer within {timeout:g} s", replies)
    return status


_NOISE_GRACE_S = 0.05  # after bytes that cannot be an answer, how long the real answer may still take


def _one_byte(read: Callable[[float], bytes], timeout: float) -> int | None:
    """The newest status-shaped byte that came within ``timeout``; else the last other byte (an invalid
    reply, decoded as such) once no better one followed for a moment; None when nothing came."""
    deadline = time.monotonic() + timeout
    invalid: int | None = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return invalid
        data = read(left)
        valid = [b for b in data if is_status_byte(b)]
        if valid:
            return valid[-1]  # the newest answer is the answer to this query
        if data:
            invalid = data[-1]
            deadline = min(deadline, time.monotonic() + _NOISE_GRACE_S)
