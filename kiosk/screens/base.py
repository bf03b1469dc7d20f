"""The base of every screen: a controller reference, its step for the header, refresh on entry."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.screens.theme import THEME


class KioskScreen(Screen):
    """A step of the visit. Subclasses fill ``refresh()`` (called before the screen shows and when the
    elderly mode changes) and navigate only with ``go(name)``."""

    controller = ObjectProperty(None, allownone=True)
    step = StringProperty("")
    kiosk_root = None  # the KioskRoot, set when the screen is added to it

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        THEME.bind(elderly=self._mode_changed)

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-reads what the screen shows from the controller."""

    def _mode_changed(self, *_args) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.refresh()

    def go(self, name: str) -> None:
        if self.manager is not None:
            self.manager.current = name

    def toggle_elderly(self) -> None:
        """长辈模式 on or off (the start and green-channel screens have the button)."""
        self.controller.set_elderly(not THEME.elderly)
        self.refresh()

    def home(self, entered: bool = False) -> None:
        """回到首页 (asks first when the resident entered something; see ``KioskRoot.ask_home``)."""
        if self.kiosk_root is not None:
            self.kiosk_root.ask_home(entered)
