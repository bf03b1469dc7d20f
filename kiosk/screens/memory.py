"""Hands freed native memory back to the OS between visits.

Software GL (Mesa llvmpipe) and SDL's text renderer allocate and free many large blocks (label pixels,
texture storage) through the C heap; glibc keeps freed blocks for reuse, so a long-running kiosk's
resident set stays at its worst visit's peak. ``malloc_trim`` returns the free pages. It is called when a
visit has ended (the start screen shows again), where a few milliseconds are never noticed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
_trim = None


def _load():
    global _trim
    if _trim is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _trim = libc.malloc_trim
            _trim.argtypes, _trim.restype = [ctypes.c_size_t], ctypes.c_int
        except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to hand back
            _trim = False
    return _trim


def release_free_memory() -> bool:
    """Returns the C heap's free pages to the OS; False where the C library cannot (not glibc)."""
    trim = _load()
    if not trim:
        return False
    trim(0)
    return True
