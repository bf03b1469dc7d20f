"""The controller's listeners and its way back onto the UI thread, shared by its collaborators.

No Kivy here: ``dispatch`` is given (the app's moves a call onto Kivy's thread; tests may call at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, Any], None]


class Events:
    """UI listeners receive ``(event, payload)`` (see :mod:`kiosk.terminal.controller` for the events)."""

    def __init__(self, dispatch: Callable[..., None]):
        self._dispatch = dispatch
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: str, payload: Any = None) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    def later(self, fn: Callable, *args: Any) -> None:
        """Runs ``fn(*args)`` on the UI thread (from any thread)."""
        self._dispatch(fn, *args)

    def clear(self) -> None:
        """No more listeners: work still queued for the UI thread must not reach a UI that is gone."""
        self._listeners.clear()
