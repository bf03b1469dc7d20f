"""Keeps the kiosk's native memory down: text pixels are not kept twice, and freed memory goes back to the OS.

Kivy's SDL2 text provider renders a label into an SDL surface, copies the pixels into the label's
texture, and then keeps the surface until that label is rendered again: every label on every screen
holds a second full copy of its pixels (about 27 MB on the kiosk's screens). :func:`drop_text_surfaces`
frees the surface as soon as its pixels are copied out.

Software GL (Mesa llvmpipe) and SDL's text renderer allocate and free many large blocks (label pixels,
texture storage) through the C heap; glibc keeps freed blocks for reuse, so a long-running kiosk's
resident set stays at its worst visit's peak. ``malloc_trim`` returns the free pages. It is called when a
visit has ended (the start screen shows again), where a few milliseconds are never noticed.

Pillow (Kivy's image provider, the slips' glyphs) imports numpy for a type alias only, which costs the
kiosk 14 MB resident while nothing of it is used: :func:`pil_without_numpy` imports Pillow without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys

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


def pil_without_numpy() -> bool:
    """Imports Pillow with numpy out of its sight, unless numpy is loaded already (the camera's OpenCV needs
    it). Pillow 10.x imports ``numpy.typing`` at start only to name a type (``PIL._typing.NumpyArray``);
    it imports numpy itself where it takes an array (``Image.fromarray``, ``__array_interface__``), so
    nothing breaks, and numpy loads the day something needs it. True when Pillow came in without numpy."""
    if "numpy" in sys.modules or "PIL._typing" in sys.modules:
        return False
    sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" raises ImportError meanwhile
    try:
        import PIL._typing  # noqa: F401
    except ImportError:  # no Pillow: Kivy uses its other image providers
        return False
    finally:
        del sys.modules["numpy"]
    return True


def drop_text_surfaces() -> bool:
    """Makes the core text provider free each label's render surface once its pixels are taken (see the
    module's text). Idempotent; False when the provider keeps no such surface (not SDL2)."""
    from kivy.core.text import Label as CoreLabel

    render_end = CoreLabel._render_end
    if getattr(render_end, "drops_surface", False):
        return True
    begin = getattr(CoreLabel._render_begin, "__code__", None)
    if begin is None or "_surface" not in begin.co_names:
        return False

    def _render_end(self):
        try:
            return render_end(self)
        finally:
            self.__dict__.pop("_surface", None)

    _render_end.drops_surface = True  # type: ignore[attr-defined]
    CoreLabel._render_end = _render_end
    return True


def freeze_built_ui() -> None:
    """Moves every object alive now (the UI just built, the modules, the catalogue: they live as long as
    the process) out of the garbage collector's sight, so a full collection only walks what visits
    create: about 6 ms instead of 80 here. Objects frozen are never collected; undo with
    :func:`thaw` when a whole UI is let go (tests build many)."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    gc.unfreeze()


def release_free_memory() -> bool:
    """Frees the widgets dropped during a visit, then returns the C heap's free pages to the OS; False
    where the C library cannot hand pages back (not glibc).

    Kivy widgets live in reference cycles, which only a full garbage collection frees; with a kiosk's
    hundreds of thousands of long-lived objects Python runs one rarely, and until then every dropped
    widget keeps its text's pixels (a dropped matter button about 1 MB). So a visit's end runs one
    (a few milliseconds once :func:`freeze_built_ui` has run).
    """
    gc.collect()
    trim = _load()
    if not trim:
        return False
    trim(0)
    return True
