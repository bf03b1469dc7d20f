"""Loads each widget's or screen's ``.kv`` file (the one beside its ``.py``) exactly once."""

from __future__ import annotations

from pathlib import Path

_loaded: set[str] = set()


def load_kv(py_file: str) -> None:
    """Loads ``<module>.kv`` next to ``py_file`` unless it is already loaded."""
    path = str(Path(py_file).with_suffix(".kv"))
    if path in _loaded:
        return
    from kivy.lang import Builder

    Builder.load_file(path)
    _loaded.add(path)
