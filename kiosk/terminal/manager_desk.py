"""Manager mode's side of the controller: device rows, self-tests, the settings in force, the outbox state.

No Kivy here. Self-tests run on ``worker`` (the printer's: a test page must not cut into a slip).
"""

from __future__ import annotations

from kiosk.i18n import say, tr
from kiosk.terminal.events import Events
from kiosk.terminal.views import DeviceRow
from kiosk.terminal.worker import Worker


class ManagerDesk:
    """What the manager screen shows and does (behind the PIN)."""

    def __init__(self, config, devices, queue, *, worker: Worker, events: Events):
        self.config, self.devices, self.queue = config, devices, queue
        self._worker, self._events = worker, events

    def device_rows(self) -> list[DeviceRow]:
        rows = []
        healths = {h.device: h for h in self.devices.healths()} if self.devices is not None else {}
        for kind in ("idcard", "camera", "printer", "button"):
            label = tr(f"kiosk.devices.{kind}")
            h = healths.get(kind)
            state = h.state.value if h else "disabled"
            reason = say(h.reason) if h else ""
            colour = {"connected": "1a8c40", "disabled": "5c6670"}.get(state, "c62828")
            text = f"[b]{label}[/b]  [color={colour}]{tr(f'kiosk.devices.state.{state}')}[/color]"
            rows.append(DeviceRow(kind, label, text + (f"\n{reason}" if reason else "")))
        return rows

    def self_test(self, kind: str) -> None:
        def job() -> None:
            result = self.devices.self_test(kind) if self.devices is not None else None
            if result is None:  # no devices at all
                outcome = tr("kiosk.devices.state.disabled")
            else:
                outcome = (("⚠ " if result.warning else "✓ ") if result.ok else "✗ ") + say(result.message)
            text = f"{tr(f'kiosk.devices.{kind}')}: {outcome}"
            self._events.later(self._events.emit, "self_test", text)
            self._events.later(self._events.emit, "health", None)

        self._worker.submit(job)

    def settings_text(self) -> str:
        c, ui = self.config, self.config.ui
        d = c.devices
        return tr("kiosk.manager.settings_text", kiosk=c.kiosk_id, site=f"{c.site.code} {c.site.name}",
                  location=c.location or "-", queue=c.queue.url, idle=int(ui.idle_timeout_s),
                  countdown=int(ui.countdown_s), factor=ui.elderly_timeout_factor,
                  idcard=f"{d.idcard.type} {d.idcard.port}", camera=f"{d.camera.type} {d.camera.source}",
                  printer=f"{d.printer.type} {d.printer.uri} {d.printer.paper_width_mm}mm",
                  button=f"{d.button.type} {d.button.port or d.button.device or d.button.key}")

    def outbox_text(self) -> str:
        if self.queue is None:
            return tr("kiosk.manager.no_queue")
        counts = self.queue.outbox.counts()
        online = tr("kiosk.manager.online") if self.queue.online else tr("kiosk.manager.offline")
        return tr("kiosk.manager.outbox_text", online=online, pending=counts.get("pending", 0),
                  dead=counts.get("dead", 0), sent=counts.get("sent", 0),
                  error=self.queue.last_error or "-")
