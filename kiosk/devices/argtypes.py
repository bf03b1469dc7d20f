"""argparse types shared by the device commands (cheap to import: the parser is built at every start)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def seconds(*, positive: bool = False, maximum: float = 3600.0) -> Callable[[str], float]:
    """A ``type=`` for durations: a finite number of seconds ≥ 0 (> 0 with ``positive``) up to ``maximum``;
    anything else is a usage error (exit 2) that says what is expected."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        low_ok = value > 0 if positive else value >= 0
        if not (math.isfinite(value) and low_ok and value <= maximum):
            bound = "more than 0" if positive else "0 or more"
            raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds; expected {bound}, "
                                             f"at most {maximum:g}, e.g. 1.5")
        return value

    parse.__name__ = "seconds"
    return parse


def size_range(text: str) -> tuple[int, int]:
    """A ``type=`` for QR module sizes: ``LOW-HIGH`` within 1–16, e.g. ``2-5``."""
    low, sep, high = text.partition("-")
    if sep and low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 16:
        return int(low), int(high)
    raise argparse.ArgumentTypeError(f"'{text}' is not a range of QR module sizes; expected LOW-HIGH within "
                                     "1-16, e.g. 1-8 or 2-5")


size_range.__name__ = "size range"
