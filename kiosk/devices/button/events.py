"""What a call button produces: :class:`ButtonEvent` (a press or a long press), already debounced and
rate-limited by :class:`kiosk.devices.button.press.PressLogic`."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PressKind(enum.StrEnum):
    PRESS = "press"
    LONG_PRESS = "long_press"


@dataclass(frozen=True)
class ButtonEvent:
    """One counted press.

    ``kind``: press or long_press. ``source``: which adapter and port it came from (e.g.
    ``serial socket://127.0.0.1:7301``). ``at``: when the press began, in the clock of the
    :class:`PressLogic` that counted it (``time.monotonic`` unless a test injects another).
    ``held_s``: how long it was held (0 for buttons that send one byte per press).
    """

    kind: PressKind
    source: str
    at: float
    held_s: float = 0.0

    def as_dict(self) -> dict:
        return {"kind": self.kind.value, "source": self.source, "at": self.at, "held_s": round(self.held_s, 3)}
