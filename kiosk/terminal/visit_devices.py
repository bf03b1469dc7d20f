"""The devices' side of the visit: the card reader's reads and faults, the camera's captures, device
health. It is what the device port talks to (:class:`~kiosk.terminal.device_port.DeviceListener`).

No Kivy here. The port calls it on the UI thread (through ``later``); a device lost mid-visit becomes the
visit's intents (a helper told, the keypad instead of the reader), carried out by ``carry_out``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.i18n import say
from kiosk.terminal.events import Events
from kiosk.terminal.voice_guide import VoiceGuide
from kiosk.visit import VisitError

log = logging.getLogger(__name__)


class VisitDevices:
    """``devices`` is a :class:`~kiosk.terminal.device_port.HubPort`-like object or None (no devices);
    ``button`` is called for the hardware call button."""

    def __init__(self, visit, devices, *, events: Events, guide: VoiceGuide, carry_out: Callable[[list], None],
                 button: Callable[[], None]):
        self.visit, self.devices = visit, devices
        self._events, self._guide, self._carry_out, self._button = events, guide, carry_out, button
        self.later, self.emit = events.later, events.emit  # the port's way back onto the UI thread

    # the reader -----------------------------------------------------------------------------------
    def want_card(self, on: bool) -> None:
        if self.devices is not None:
            self.devices.want_card(on)

    def reader_available(self) -> bool:
        return self.visit.reader_available and self.devices is not None and self.devices.has("idcard")

    def card_read(self, card) -> None:
        """A card was read (UI thread). Ignored unless the identify step is showing."""
        if self.visit.step.value != "identify":
            return
        try:
            self.visit.identify_with_card(card)
        except VisitError as err:
            log.warning("card read ignored: %s", err)
            return
        self.want_card(False)
        self.emit("card", f"{self.visit.identity.masked_name}  {self.visit.identity.masked_id}")

    def card_error(self, message: str) -> None:
        """The reader reported a problem with a card (UI thread), e.g. "请把证件放平"."""
        if self.visit.step.value == "identify":
            self.emit("card_error", message)
            self._guide.speak(message)

    def reader_state(self, ok: bool, problem: str = "") -> None:
        if ok:
            self.visit.device_back("idcard")
        elif self.visit.reader_available:
            self._carry_out(self.visit.reader_missing(problem or "reader not answering"))
        self.emit("reader", ok)

    # health and the call button -------------------------------------------------------------------
    def health_changed(self, health) -> None:
        """A device's health changed (UI thread): the reader and camera states feed the visit."""
        ok = health.state.value in ("connected", "disabled")
        if health.device == "idcard":
            self.reader_state(ok, say(health.reason))
        elif health.device == "camera":
            self.camera_state(ok, say(health.reason))
        self.emit("health", health)

    def button_pressed(self, _event: Any = None) -> None:
        """The hardware call button (moved onto the UI thread by the device port)."""
        self.visit.touch()
        self._button()

    # the camera -----------------------------------------------------------------------------------
    def camera_available(self) -> bool:
        return self.visit.camera_available and self.devices is not None and self.devices.has("camera")

    def camera_state(self, ok: bool, problem: str = "") -> None:
        """The camera came back or went away (UI thread)."""
        if ok:
            self.visit.device_back("camera")
        else:
            self._carry_out(self.visit.camera_lost(problem or "camera lost"))
        self.emit("camera", ok)

    def start_capture(self, material_id: str) -> None:
        if self.devices is not None:
            self.devices.start_capture(material_id)

    def stop_capture(self) -> None:
        if self.devices is not None:
            self.devices.stop_capture()

    def shutter(self) -> None:
        if self.devices is not None:
            self.devices.shutter()

    def accept_capture(self, material_id: str) -> None:
        doc = self.devices.take_capture() if self.devices is not None else None
        if doc is not None:
            self.visit.attach_capture(material_id, doc)
