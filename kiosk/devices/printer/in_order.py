"""``GS r 1`` (``1D 72 01``, transmit paper sensor status): the status request that waits for the print.

Epson's ESC/POS reference (``GS r``, download4.epson.biz ``…/escpos/gs_lr.html``): the command is stored in
the receive buffer and executed in order, so the answer comes once the data before it is processed; "if
GS r 1 is used after the print data, the host recognises the print completion by receiving the paper
sensor status". ``DLE EOT`` is answered in real time, ahead of the buffer, and cannot tell that. The answer
is one byte:

====  ==================================================================
bits  meaning
====  ==================================================================
0–1   roll paper near-end sensor: ``00`` adequate, ``11`` (03) near end
2–3   roll paper end sensor: ``00`` present, ``11`` (0C) not present
4, 7  fixed 0 (a ``DLE EOT`` reply has bit 4 set: the two cannot be confused)
5–6   reserved
====  ==================================================================

Several models (Epson TM-J2000, and clones' manuals: EP-360, Better BT-532C) go offline at paper end and
do not execute ``GS r`` then, so the end bits never say so: no answer within :func:`wait_s` is for the
caller to settle with the real-time ``DLE EOT`` round.

:func:`wait_s` bounds the wait by the slip's print time: its height (:func:`slip_height_mm`) at
:data:`SLOWEST_MM_S`, plus the time the bytes take on a serial line, plus the driver's status wait; at most
:data:`MAX_WAIT_S`. It is only spent in full when no answer comes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.printing.layout import (
    LINE_DOTS,
    QR,
    Columns,
    Cut,
    Feed,
    Raster,
    Rule,
    Slip,
    Text,
    columns_for,
    columns_lines,
    wrap,
)

GS_R_PAPER = b"\x1d\x72\x01"
SLOWEST_MM_S = 50.0  # cheap 58 mm thermal printers print 50–90 mm/s; Epson TM-T20 class 150–250 mm/s
DOTS_PER_MM = 8  # 203 dpi thermal heads
MAX_WAIT_S = 60.0  # whatever the slip: the wait ends


def is_reply(b: int) -> bool:
    """Whether ``b`` can be a ``GS r`` answer (bits 4 and 7 fixed to 0)."""
    return b & 0x90 == 0


def paper(b: int) -> str:
    """``ok``, ``near_end`` or ``out`` from a ``GS r 1`` answer (either bit of a sensor's pair counts)."""
    return "out" if b & 0x0C else "near_end" if b & 0x03 else "ok"


def slip_height_mm(slip: Slip) -> float:
    """How long ``slip`` is on paper: its lines at their size (the default 30-dot spacing), feeds, QR
    symbols (module size shrunk to the paper, as the renderer does), images and the cut's feed."""
    dots = 0
    for block in slip.blocks:
        if isinstance(block, Text):
            dots += len(wrap(block.text, columns_for(slip.width_mm, block.size))) * LINE_DOTS * block.size
        elif isinstance(block, Columns):
            lines = columns_lines(block.left, block.right, columns_for(slip.width_mm, block.size))
            dots += len(lines) * LINE_DOTS * block.size
        elif isinstance(block, Rule):
            dots += LINE_DOTS
        elif isinstance(block, (Feed, Cut)):
            dots += (block.lines if isinstance(block, Feed) else block.feed) * LINE_DOTS
        elif isinstance(block, QR):
            dots += block.modules() * block.module_size(slip.paper.dots) + LINE_DOTS
        elif isinstance(block, Raster):
            dots += block.height
    return dots / DOTS_PER_MM


def wait_s(slip: Slip, sent: int, status_timeout_s: float, baudrate: int | None = None) -> float:
    """How long to wait for the ``GS r`` answer after ``slip`` (``sent`` bytes; ``baudrate`` for a serial
    line, 10 bits a byte): the slowest print of it plus the status wait, at most MAX_WAIT_S."""
    line_s = sent * 10 / baudrate if baudrate else 0.0
    return min(MAX_WAIT_S, status_timeout_s + slip_height_mm(slip) / SLOWEST_MM_S + line_s)


def ask(send: Callable[[bytes], None], read: Callable[[float], bytes], drain: Callable[[], None],
        wait: float) -> int | None:
    """Sends ``GS r 1`` and returns its answer, or None when none came within ``wait`` s. Bytes that cannot
    be one (a late ``DLE EOT`` reply, noise) are skipped; the wait never grows."""
    drain()
    send(GS_R_PAPER)
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        answers = [b for b in read(left) if is_reply(b)]
        if answers:
            return answers[0]
    return None
