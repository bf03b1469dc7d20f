"""The terminal as an appliance, the Kivy side (the rest is :mod:`kiosk.deploy`).

- :func:`lock_down`: no way out of the app for a resident with a USB keyboard: Kivy's F1 settings panel
  never opens, Escape does nothing, and a request to close the window (Alt+F4 under a window manager, a
  compositor's close) is refused. ``SIGTERM`` (``systemctl stop``) still stops the app cleanly, on the UI
  thread; the handler is installed before SDL starts, so SDL leaves it alone.
- :class:`SystemdLink`: ``READY=1`` once the first frame of the start screen is on the screen;
  ``WATCHDOG=1`` from Kivy's clock, i.e. from the UI thread's frame loop, so a frozen UI (not only a dead
  process) misses them and systemd restarts the kiosk; ``STATUS=`` with device and queue health whenever
  it changes (``systemctl status kiosk`` shows it); ``STOPPING=1`` on the way out.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterable

from kiosk.deploy.sdnotify import Notifier

log = logging.getLogger(__name__)
STATUS_EVERY_S = 5.0


def install_sigterm() -> None:
    """``SIGTERM`` stops the running app on Kivy's clock, or exits at once before it runs. Call before the
    window exists: SDL turns the signal into a close request (which kiosk mode refuses) unless a handler
    is already set."""
    from kivy.app import App
    from kivy.clock import Clock

    def on_term(_signum, _frame) -> None:
        app = App.get_running_app()
        if app is None:
            raise SystemExit(128 + signal.SIGTERM)
        log.info("SIGTERM: stopping")
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, on_term)


def lock_down(app) -> None:
    """Makes ``app`` (a Kivy ``App``) keep the screen: see the module docstring."""
    from kivy.core.window import Window

    app.use_kivy_settings = False
    app.open_settings = lambda *_a: False  # F1 (Kivy binds it in run()) opens nothing
    app.close_settings = lambda *_a: False

    def refuse_close(*_a, **_k) -> bool:
        log.info("window close request refused (kiosk mode)")
        return True

    Window.bind(on_request_close=refuse_close)


def status_line(health: Iterable, queue=None) -> str:
    """One line for ``systemctl status``: each device's state, then the help queue's."""
    parts = []
    for h in health:
        state = getattr(h.state, "value", str(h.state))
        detail = h.detail or {}
        word = {"connected": "ok", "disabled": "off"}.get(state, state)
        if detail.get("paper") in ("out", "near_end"):
            word = f"{word}, paper {detail['paper'].replace('_', ' ')}"
        if detail.get("cover_open"):
            word = f"{word}, cover open"
        parts.append(f"{h.device} {word}")
    if queue is not None:
        try:
            pending = queue.pending_count()
            parts.append(f"queue {'online' if queue.online else 'offline'}" + (f", {pending} waiting" if pending else ""))
        except Exception as err:  # noqa: BLE001 - the status line must never stop the UI
            parts.append(f"queue unknown ({err.__class__.__name__})")
    return "; ".join(parts) or "no devices"


class SystemdLink:
    """Connects a running Kivy app to systemd through ``notifier`` (see the module docstring).

    ``status`` returns the current status line; it runs on the UI thread every :data:`STATUS_EVERY_S`.
    """

    def __init__(self, notifier: Notifier, status: Callable[[], str], *, screen: Callable[[], str] | None = None):
        self.notifier = notifier
        self.status = status
        self.screen = screen
        self.ready = False
        self._last_status: str | None = None
        self._events: list = []

    def start(self) -> None:
        """Binds to the window and the clock (call from ``App.on_start``)."""
        if not self.notifier.enabled:
            return
        from kivy.clock import Clock
        from kivy.core.window import Window

        Window.bind(on_flip=self._flipped)
        interval = self.notifier.watchdog_interval_s
        if interval:
            self._events.append(Clock.schedule_interval(lambda _dt: self.notifier.watchdog(), min(interval, 10.0)))
        self._events.append(Clock.schedule_interval(lambda _dt: self.send_status(), STATUS_EVERY_S))

    def _flipped(self, *_a) -> None:
        """After each buffer swap until the start screen has been shown once."""
        if self.ready or (self.screen is not None and self.screen() != "start"):
            return
        from kivy.core.window import Window

        Window.unbind(on_flip=self._flipped)
        self.ready = True
        status = self._safe_status()
        self._last_status = status
        self.notifier.ready(status)
        log.info("systemd: ready (%s)", status)

    def _safe_status(self) -> str:
        try:
            return self.status()
        except Exception as err:  # noqa: BLE001 - a broken status must not take the watchdog down
            return f"status unavailable ({err.__class__.__name__})"

    def send_status(self) -> None:
        if not self.ready:
            return
        status = self._safe_status()
        if status != self._last_status:
            self._last_status = status
            self.notifier.status(status)

    def stop(self) -> None:
        for event in self._events:
            event.cancel()
        self._events.clear()
        if self.notifier.enabled:
            self.notifier.stopping()
        self.notifier.close()
