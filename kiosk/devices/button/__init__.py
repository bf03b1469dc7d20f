"""The call button: adapters (serial byte, serial dry contact, evdev, the kiosk's own keyboard) below one
:class:`~kiosk.devices.button.press.PressLogic` (debounce, long press, rate limit) that emits
:class:`~kiosk.devices.button.events.ButtonEvent`. Drivers are created by :mod:`kiosk.devices.registry`;
each has ``subscribe(listener)`` for events and ``subscribe_health(listener)`` for its health.
Simulators: :mod:`~kiosk.devices.button.simulator` (byte per press over socket:// or a pty) and
:mod:`~kiosk.devices.button.contact_simulator` (a dry contact over rfc2217://)."""
