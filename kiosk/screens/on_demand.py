"""Screens built when first shown and let go when the visit ends: the rarely used ones (manager mode,
after hours, 为企业办事) cost the kiosk 7 MB resident while they wait, built, for someone who may never
come. Showing one then takes its build time too (about +40 ms on this machine at load 12).

:class:`OnDemandScreens` is the root's screen manager. A screen registered with :meth:`register` exists
only from the moment something asks for it (``current = name``, ``get_screen(name)``) until the next
:meth:`drop_unused` (the root calls it when the start screen shows again). Their modules and kv rules are
imported at start all the same, so building one takes only its widgets' time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.uix.screenmanager import Screen, ScreenManager

from kiosk.screens.theme import THEME
from kiosk.screens.widgets.common import discard

log = logging.getLogger(__name__)


class OnDemandScreens(ScreenManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._factories: dict[str, Callable[[], Screen]] = {}
        self.adopt: Callable[[Screen], None] = self.add_widget  # the root sets its own (controller, root)

    def register(self, name: str, factory: Callable[[], Screen]) -> None:
        """``factory()`` builds the screen ``name`` when it is first asked for."""
        self._factories[name] = factory

    def built(self, name: str) -> Screen | None:
        """The screen ``name`` if it exists now (never builds one)."""
        return next((s for s in self.screens if s.name == name), None)

    def get_screen(self, name: str) -> Screen:
        screen = self.built(name)
        if screen is not None:
            return screen
        factory = self._factories.get(name)
        if factory is None:
            return super().get_screen(name)  # raises: no such screen
        screen = factory()
        screen.name = name
        self.adopt(screen)
        return screen

    def has_screen(self, name: str) -> bool:
        return name in self._factories or super().has_screen(name)

    def drop_unused(self) -> list[str]:
        """Lets every on-demand screen go but the one showing; returns their names."""
        dropped = []
        for screen in list(self.screens):
            if screen.name in self._factories and screen is not self.current_screen:
                self.remove_widget(screen)
                t = self.transition  # it keeps the last screens it switched (never None): not this one
                if t.screen_out is screen:
                    t.screen_out = self.current_screen
                if t.screen_in is screen:
                    t.screen_in = self.current_screen
                mode_changed = getattr(screen, "_mode_changed", None)
                if mode_changed is not None:
                    THEME.unbind(elderly=mode_changed)
                discard(screen)  # its kv bindings on THEME go with it
                dropped.append(screen.name)
        if dropped:
            log.debug("screens let go: %s", ", ".join(dropped))
        return dropped
