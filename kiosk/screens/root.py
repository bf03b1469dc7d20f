"""The kiosk's root widget: the shared header above the screens, the idle countdown on top.

:func:`build_root` assembles everything for a controller; ``kiosk run``, the screenshots, the demo, the
benchmark and the UI tests all use it, so they show the same thing. Twice a second the root asks the
controller for the visit's idle phase: during the countdown it shows the
:class:`~kiosk.screens.widgets.countdown.IdleOverlay`; when it runs out the controller resets the visit
(wiping its personal data) and the start screen comes back. Any touch restarts the quiet time. The
visit's countdown keeps running under manager mode (staff at the PIN pad never keep a resident's data
alive), and manager mode closes itself after the quiet time. 回到首页 on any screen asks first
(:class:`~kiosk.screens.widgets.nav.ConfirmHome`) once the resident entered something, then wipes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.properties import ObjectProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition

from kiosk.screens import theme
from kiosk.screens.access import call_helper as access_call_helper
from kiosk.screens.access import handle_event, install
from kiosk.screens.kvload import load_kv
from kiosk.screens.memory import freeze_built_ui, release_free_memory
from kiosk.screens.on_demand import OnDemandScreens
from kiosk.screens.theme import THEME
from kiosk.screens.widgets.common import discard
from kiosk.screens.widgets.countdown import IdleOverlay
from kiosk.screens.widgets.header import Header
from kiosk.screens.widgets.nav import ConfirmHome
from kiosk.screens.widgets.rating import attach_rating

log = logging.getLogger(__name__)
ROUTES = {"card": "identify", "card_error": "identify", "reader": "identify", "preview": "materials",
          "captured": "materials", "camera": "materials", "result": "result", "self_test": "manager",
          "health": "manager"}


class KioskRoot(FloatLayout):
    controller = ObjectProperty(None)
    header: Header
    sm: OnDemandScreens

    def __init__(self, controller, **kwargs):
        super().__init__(**kwargs)
        self.controller = controller
        self.overlay: IdleOverlay | None = None
        self.confirm: ConfirmHome | None = None
        self.rating = None  # the RatingHost (widgets/rating.py)
        self.on_quit: Callable[[], None] | None = None
        self._last_touch = time.monotonic()
        self.header = self.ids.header
        self.sm = self.ids.sm
        self.sm.adopt = self.add_screen  # screens built on demand get the controller and root too
        self.sm.transition = NoTransition()
        self.sm.bind(current=self._screen_changed)
        self.header.bind(on_call_helper=lambda *_: self.call_helper(),
                         on_manager=lambda *_: self.go("manager"),
                         on_repeat=lambda *_: controller.repeat_voice(),
                         on_change_volume=lambda *_: self.next_volume())
        controller.subscribe(self.on_controller_event)
        self._events = [Clock.schedule_interval(lambda _dt: self.tick(), 0.5),
                        Clock.schedule_interval(lambda _dt: controller.refresh_help(), 3.0)]

    # navigation -------------------------------------------------------------------------------
    def add_screen(self, screen) -> None:
        screen.controller = self.controller
        screen.kiosk_root = self
        self.sm.add_widget(screen)

    def go(self, name: str) -> None:
        self.sm.current = name

    def screen(self, name: str):
        return self.sm.get_screen(name)

    def _screen_changed(self, _sm, name: str) -> None:
        screen = self.sm.get_screen(name)
        self.header.step = screen.step
        self.header.ids.call_helper.disabled = name == "manager"
        self.close_confirm()
        self.controller.screen_changed(name)
        self.show_voice()
        if name == "start":  # a visit ended: its screens built on demand and freed native memory go
            after_next_frame(self.let_go, 0.5)  # once the start screen is drawn

    def let_go(self) -> None:
        """Between visits: drops the screens built on demand, hands freed memory back to the OS."""
        if self.sm.current == "start":
            self.sm.drop_unused()
        release_free_memory()

    # controller events ------------------------------------------------------------------------
    def on_controller_event(self, event: str, payload) -> None:
        if event == "help":
            text, tone = payload
            self.show_help(text, tone)
        elif event == "elderly":
            if THEME.elderly != bool(payload):
                THEME.elderly = bool(payload)
                self.prewarm()
            self.show_voice()
        elif event == "reset":
            self.hide_countdown()
            self.close_confirm()
            self.show_help("", "ok")
            if self.sm.current != "start":
                self.go("start")
        elif event == "quit":
            if self.on_quit is not None:
                self.on_quit()
        elif event in ROUTES:
            target = self.sm.built(ROUTES[event])  # a screen built on demand and not shown: nothing to update
            if target is not None:
                target.on_event(event, payload)
        elif event == "button":
            self.call_helper()
        else:
            handle_event(self, event, payload)

    def prewarm(self, delay: float = 0.3) -> None:
        """Soon after (idle time on the start screen), builds the lists and renders their text once."""
        after_next_frame(self.screen("matter").prewarm, delay)
        after_next_frame(self.screen("materials").prewarm, delay)

    def call_helper(self) -> None:
        if not access_call_helper(self):  # after hours: the hours screen instead
            self.controller.call_helper(self.sm.current)

    def show_voice(self) -> None:
        """再听一遍 and the volume under the header while the voice speaks (elderly mode)."""
        h = self.header
        h.voice_on = bool(self.controller.voice_on) and self.sm.current != "manager"
        voice = self.controller.voice
        if voice is not None:
            h.volume = voice.volume

    def next_volume(self) -> None:
        self.header.volume = self.controller.next_volume()

    # home -------------------------------------------------------------------------------------
    def ask_home(self, entered: bool | None = None) -> None:
        """回到首页: at once when nothing was entered, else after the resident confirms (then wiped).
        ``entered`` adds what only a screen knows (digits typed but not yet confirmed)."""
        if not (entered or self.controller.entered_data()):
            self.go_home()
            return
        if self.confirm is None:
            self.confirm = ConfirmHome()
            self.confirm.bind(on_answer=lambda _w, yes: self.go_home() if yes else self.close_confirm())
            self.add_widget(self.confirm)
            self.controller.say("home")

    def close_confirm(self) -> None:
        if self.confirm is not None:
            self.remove_widget(self.confirm)
            discard(self.confirm)  # its kv bindings on THEME go with it (a dead widget must not be called)
            self.confirm = None

    def go_home(self) -> None:
        """Ends the visit here: wiped, the start screen shows."""
        self.close_confirm()
        self.controller.reset("manual")
        if self.sm.current != "start":
            self.go("start")

    def show_help(self, text: str, tone: str) -> None:
        """Shows the help banner; ``tone`` is ok / warn / error; empty text hides it."""
        self.header.help_text = text
        self.header.help_colour = list({"ok": theme.OK, "warn": theme.WARN}.get(tone, theme.ERROR))

    # idle -------------------------------------------------------------------------------------
    def on_touch_down(self, touch) -> bool:
        self._last_touch = time.monotonic()
        if self.sm.current != "manager":  # a touch on the PIN pad does not keep a resident's data alive
            self.controller.touch()
        if self.overlay is not None:
            self.hide_countdown()
            return True
        return super().on_touch_down(touch)  # the 回到首页 question (on top) is modal: only its buttons answer

    def tick(self) -> None:
        if self.sm.current == "manager":
            if self.controller.idle_tick()[0] == "expired":  # the visit behind the PIN pad is wiped on time
                self.controller.reset("idle")
            if time.monotonic() - self._last_touch > self.controller.config.ui.idle_timeout_s:
                self.go("start")
            return
        phase, seconds = self.controller.idle_tick()
        if phase == "countdown":
            self.show_countdown(seconds)
        elif phase == "expired":
            self.hide_countdown()
            self.controller.reset(self.controller.expired_reason())
        elif self.overlay is not None:
            self.hide_countdown()

    def show_countdown(self, seconds: int) -> None:
        if self.overlay is None:
            self.overlay = IdleOverlay()
            self.add_widget(self.overlay)
            self.controller.say("idle")
        self.overlay.seconds = seconds

    def hide_countdown(self) -> None:
        if self.overlay is not None:
            self.remove_widget(self.overlay)
            discard(self.overlay)
            self.overlay = None

    def stop(self) -> None:
        for event in self._events:
            event.cancel()


def after_next_frame(fn: Callable[[], object], delay: float):
    """Runs ``fn()`` ``delay`` seconds after the next frame; returns the event (``cancel()`` stops it).

    Kivy counts a delay from its clock's last tick, which lies before a long piece of work (building the
    UI, a screen's first layout): a plain ``schedule_once(fn, delay)`` then runs at once, in the very
    frame that work already made slow. So the delay starts at the tick after the frame's layout pass
    (a ``-1`` event runs in it, then a ``0`` one at the next tick): counted from the start of that frame
    instead, the kiosk's first frame, whose layout takes longer than the delay on a loaded machine, was
    followed by the collections and the lists' warm-up before it was drawn (harness, bench cold start).
    """

    class Later:
        event = None

        def cancel(self) -> None:
            self.event.cancel()

    later = Later()

    def start(_dt) -> None:
        later.event = Clock.schedule_once(lambda _dt: fn(), delay)

    later.event = Clock.schedule_once(lambda _dt: setattr(later, "event", Clock.schedule_once(start, 0)), -1)
    return later


def build_root(controller) -> KioskRoot:
    """The whole kiosk UI for ``controller``, showing the start screen."""
    from kivy.core.window import Window

    from kiosk.screens.done import DoneScreen
    from kiosk.screens.identify import IdentifyScreen
    from kiosk.screens.manager import ManagerScreen
    from kiosk.screens.materials import MaterialsScreen
    from kiosk.screens.matter import MatterScreen
    from kiosk.screens.result import ResultScreen
    from kiosk.screens.start import StartScreen

    Window.clearcolor = theme.BG  # the background: clearing paints it, no full-screen rectangle on top
    THEME.elderly = controller.visit.elderly
    root = KioskRoot(controller)
    for cls in (StartScreen, IdentifyScreen, MatterScreen, MaterialsScreen, ResultScreen, DoneScreen):
        root.add_screen(cls())
    root.sm.register("manager", ManagerScreen)  # staff only: built behind the PIN pad's button
    install(root)  # the access features' screens and the attract loop
    root.header.hall_name = controller.hall_name
    attach_rating(root)  # 好差评 over any screen once the helpers resolved the visit's request
    root.show_voice()
    root.go("start")
    root._screen_changed(root.sm, "start")
    # once the first frame is up (not on the way to it): the built UI leaves the garbage collector's sight
    root._events.append(after_next_frame(freeze_built_ui, 0.2))
    root.prewarm()
    return root


load_kv(__file__)
