"""Manager mode behind a PIN: device health with a self-test per device, the settings in force, the
outbox, and leaving kiosk mode. Repeated wrong PINs lock the pad (see :mod:`kiosk.terminal.manager_auth`)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets.common import KButton, KLabel, discard_children


class ManagerScreen(KioskScreen):
    step = StringProperty("")
    unlocked = BooleanProperty(False)
    pin = StringProperty("")
    message = StringProperty("")
    message_error = BooleanProperty(False)

    def refresh(self) -> None:
        if THEME.elderly:  # staff at work: the resident's large-print mode would not fit the dashboard
            self.controller.set_elderly(False)
        self.unlocked, self.pin = False, ""
        self._pin_state()

    def on_leave(self, *_args) -> None:
        self.unlocked, self.pin = False, ""

    def _pin_state(self) -> None:
        auth = self.controller.manager_auth
        if not auth.configured:
            self.message, self.message_error = tr("kiosk.manager.no_pin"), True
        elif auth.locked_for() > 0:
            self.message, self.message_error = tr("kiosk.manager.locked", minutes=_minutes(auth.locked_for())), True
        else:
            self.message, self.message_error = tr("kiosk.manager.enter_pin"), False

    def on_key(self, key: str) -> None:
        if key == "back":
            self.pin = self.pin[:-1]
        elif key == "clear":
            self.pin = ""
        elif key == "enter":
            self.submit()
        elif key.isdigit() and len(self.pin) < 12:
            self.pin += key

    def submit(self) -> None:
        result = self.controller.manager_auth.check(self.pin)
        self.pin = ""
        if result.ok:
            self.unlocked = True
            self.message, self.message_error = "", False
            self.show_dashboard()
        elif result.reason == "wrong":
            self.message, self.message_error = tr("kiosk.manager.wrong", left=result.attempts_left), True
        elif result.reason == "locked":
            self.message, self.message_error = tr("kiosk.manager.locked", minutes=_minutes(result.locked_for_s)), True
        elif result.reason in ("bad_input", "unavailable"):
            self.message, self.message_error = tr(f"kiosk.manager.{result.reason}"), True
        else:
            self._pin_state()

    # dashboard ------------------------------------------------------------------------------------
    def show_dashboard(self) -> None:
        c = self.controller
        box = self.ids.devices
        discard_children(box)
        for row in c.device_rows():
            line = KLabel(text=row.text, markup=True, font_size=THEME.font_small)
            box.add_widget(line)
            test = KButton(text=tr("kiosk.manager.self_test", device=row.label), outline=True,
                           font_size=THEME.font_small)
            test.bind(on_release=lambda _b, kind=row.kind: self.self_test(kind))
            test.device_kind = row.kind
            box.add_widget(test)
        self.ids.settings.text = c.settings_text()
        self.ids.outbox.text = c.outbox_text()

    def self_test(self, kind: str) -> None:
        self.ids.test_result.text = tr("kiosk.manager.testing", device=kind)
        self.controller.self_test(kind)

    def on_event(self, event: str, payload) -> None:
        if event == "self_test" and self.unlocked:
            self.ids.test_result.text = payload
        elif event == "health" and self.unlocked:
            self.show_dashboard()

    def leave(self) -> None:
        self.go("start")

    def quit_kiosk(self) -> None:
        self.controller.quit()


def _minutes(seconds: float) -> int:
    return max(1, int(seconds + 59) // 60)


load_kv(__file__)
