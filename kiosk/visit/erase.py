"""Erasing personal data in place: zeroing buffers (bytearrays, numpy arrays, objects holding them) and
shredding temp files. The lowest module of ``visit``: identity and the visit's wipe both use it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def zero(obj: Any) -> None:
    """Overwrites a buffer in place: a bytearray, a numpy array, or every such buffer held by an object
    (a ``CapturedDocument``'s image, thumbnail …; its ``wipe()`` is called when it has one).
    ``None``, strings, bytes and numbers are left alone (nothing writable to zero)."""
    if obj is None:
        return
    if isinstance(obj, bytearray):
        obj[:] = bytes(len(obj))
    elif _is_array(obj):
        try:
            if not obj.flags.writeable:
                obj.setflags(write=True)
            obj.fill(0)
        except ValueError:  # a read-only view of someone else's buffer: nothing we own to zero
            pass
    elif not isinstance(obj, (str, bytes, int, float)):
        if callable(getattr(obj, "wipe", None)):
            obj.wipe()
        held = list(getattr(obj, "__dict__", {}).values())
        held += [getattr(obj, s, None) for s in getattr(type(obj), "__slots__", ())]
        for value in held:
            if isinstance(value, bytearray) or _is_array(value):
                zero(value)


def _is_array(obj: Any) -> bool:
    return hasattr(obj, "fill") and hasattr(obj, "flags")  # numpy, without importing it


def shred(path: Path) -> None:
    """Overwrites a file with zeros, syncs it and deletes it; a file already gone is fine."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
