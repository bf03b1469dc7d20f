"""Drives the real kiosk UI in one (offscreen) window: for screenshots, the demo, tests and benchmarks.

:class:`Harness` builds a controller and root for a config and a device port, puts the root in the
window, and offers the resident's actions as real touches (:meth:`tap`) plus :meth:`settle`, which runs
the event loop until background work (printing, the outbox) has come back to the UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kivy.base import EventLoop
from kivy.core.window import Window

from kiosk.screens.root import build_root
from kiosk.screens.shot_ports import SAMPLE_ID, SAMPLE_MATTER
from kiosk.terminal.app import build_controller, ui_dispatch


class Harness:
    def __init__(self, config, devices=None, queue=None, *, clock: Callable[[], float] | None = None,
                 on_slip=None, voice=None, now=None):
        self.config = config
        self.devices = devices
        self.controller = build_controller(config, devices=devices, queue=queue, dispatch=ui_dispatch(),
                                           clock=clock, on_slip=on_slip, voice=voice, now=now)
        self.root = build_root(self.controller)
        from kivy.clock import Clock

        Clock._max_fps = 0  # driven, not watched: no sleeping between ticks to keep 60 frames a second
        EventLoop.ensure_window()
        if Window not in EventLoop.event_listeners:  # touches go through the window, as on the device
            EventLoop.add_event_listener(Window)
        for child in list(Window.children):
            Window.remove_widget(child)
        Window.add_widget(self.root)
        self.pump()
        from kiosk.screens.memory import freeze_built_ui, thaw

        thaw()  # the UIs closed before this one (see close) can be collected now
        freeze_built_ui()  # now, not a frame later: driven this fast, visits would end (each running a full
        # collection, see memory.release_free_memory) before the kiosk's own timer froze the built UI

    # loop -----------------------------------------------------------------------------------------
    def pump(self, ticks: int = 2) -> None:
        """Runs Kivy's clock (scheduled callbacks, text, then the layout pass a frame runs before it draws)
        without drawing: software GL makes frames the slow part, and touches, layout and texture sizes do
        not need them. Without ``tick_draw`` the layout triggers (timeout -1) would wait for a drawn
        frame, and a widget could be found where it no longer is (a tap would land on its neighbour)."""
        from kivy.clock import Clock

        for _ in range(ticks):
            Clock.tick()
            Clock.tick_draw()

    def draw(self, frames: int = 2) -> None:
        """Runs full frames (clock, input and drawing), e.g. before a screenshot."""
        for _ in range(frames):
            EventLoop.idle()

    def settle(self, timeout: float = 5.0) -> None:
        """Runs frames until background jobs are done and their results are on screen."""
        deadline = time.monotonic() + timeout
        self.pump()
        while time.monotonic() < deadline:
            self.controller.wait_idle(timeout)
            self.pump(3)
            if self.controller._pending_prints == 0:
                break
        self.pump(2)

    def close(self) -> None:
        from kivy.lang import Builder

        from kiosk.screens.widgets.common import Switcher

        self.root.stop()
        Window.remove_widget(self.root)

        stack = [self.root, *self.root.sm.screens]  # this UI is gone for good: drop its bindings on THEME
        while stack:
            w = stack.pop()
            Builder.unbind_widget(w.uid)
            stack.extend(w.children)
            if isinstance(w, Switcher):
                stack.extend(v for v in w._views.values() if v.parent is None)
            # widgets kept off screen for reuse (material row pool, cached matter buttons)
            stack.extend(x for x in w.__dict__.get("_pool", ()) if x.parent is None)
            if hasattr(w.__dict__.get("buttons"), "off_screen"):
                stack.extend(w.buttons.off_screen())
            stack.extend(x for x in [w.__dict__.get("_voice_bar")] if x is not None and x.parent is None)
        self.controller.close()
        # The frozen UI (see build_root) stays frozen until the next Harness is built, which thaws and
        # collects once: thawed here, every full collection until then (a closed kiosk's pending
        # 回到首页 clean-ups run in the next one's first frames) would walk every object of the process.

    # navigation -----------------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.root.sm.current

    def screen(self, name: str | None = None):
        return self.root.screen(name or self.current)

    def tap(self, widget) -> None:
        """A real touch (down and up) in the middle of ``widget``, through the window."""
        from kiosk.screens.touch import ScreenTouch

        where = None
        for _ in range(12):  # pending layout first, so the widget is where the resident sees it
            self.pump(1)
            now = widget.to_window(widget.center_x, widget.center_y)
            if now == where:
                break
            where = now
        if widget.get_root_window() is None:
            raise LookupError(f"{widget!r} is no longer on screen (the screen re-rendered); look it up again")
        x, y = where
        touch = ScreenTouch(x, y)
        touch.down()
        touch.up()
        self.pump(2)

    def find(self, predicate: Callable, root=None) -> list:
        """Every visible widget under ``root`` (default: the window) for which ``predicate(w)`` holds."""
        out = []
        stack = [root or self.root]
        while stack:
            w = stack.pop()
            if w.opacity == 0 or getattr(w, "disabled", False) and w is not (root or self.root):
                continue
            if predicate(w):
                out.append(w)
            stack.extend(w.children)
        return out

    def button(self, text: str, root=None):
        """The visible, enabled button whose text is ``text`` (else the first that contains it)."""
        self.pump(6)  # let pending layout settle so the button is where the resident sees it
        found = [w for w in self.find(lambda w: hasattr(w, "on_release") and text in getattr(w, "text", ""), root)]
        if not found:
            raise LookupError(f"no visible button with text containing {text!r} on {self.current}")
        exact = [w for w in found if w.text == text]
        return (exact or found)[0]

    def press(self, text: str, root=None) -> None:
        self.tap(self.button(text, root))

    def keys(self, keypad, text: str) -> None:
        """Presses each key of ``text`` on an on-screen keypad."""
        for ch in text:
            self.pump(3)
            keys = [b for b in keypad.walk(restrict=True) if getattr(b, "key", None) == ch
                    and b.get_root_window() is not None]
            if not keys:
                raise LookupError(f"no key {ch!r} on the keypad")
            self.tap(keys[0])

    # whole steps (screenshots and the demo use these) ---------------------------------------------
    def start(self, kind: str = "assist", agree: bool = True) -> None:
        """Taps ``kind`` on the start screen; 代办's notice is answered with ``agree``."""
        s = self.screen("start")
        self.tap(s.ids[kind])
        if kind == "proxy" and s.notice is not None:
            self.pump(3)
            self.tap(s.notice.ids.agree if agree else s.notice.ids.decline)

    def type_id(self, number: str, enter: bool = True) -> None:
        s = self.screen("identify")
        if not s.manual:
            self.tap(s.ids.to_manual)
        self.keys(s.ids.keypad, number)
        if enter:
            self.tap(s.ids.keypad.enter)

    def open_department(self, department: str) -> None:
        """Taps ``department`` on the departments list, paging to it first."""
        s = self.screen("matter")
        for _ in range(s.pages + 1):
            try:
                self.tap(self.button(department, s))
                return
            except LookupError:
                if s.page >= s.pages - 1:
                    raise
                self.tap(s.ids.pager.children[0])  # 下一页

    def search_matter(self, query: str, matter_id: str) -> None:
        """Opens the search keyboard, types ``query`` and taps ``matter_id`` among the results."""
        s = self.screen("matter")
        if s.mode != "search":
            self.tap(s.ids.search_box)
        self.keys(s.ids.keyboard, query)
        self.pump(6)
        found = [b for b in s.ids.item_box.children if getattr(b, "matter_id", None) == matter_id]
        if not found:
            raise LookupError(f"searching {query!r} shows no {matter_id} on its first page")
        self.tap(found[0])

    def choose_matter(self, matter_id: str) -> None:
        """Opens the matter's department, pages to the matter and taps it (looking the buttons up again
        when a re-layout replaced them)."""
        s = self.screen("matter")
        m = self.controller.visit.catalog.get(matter_id)
        for _ in range(3):
            if s.mode != "list" or s.department != m.department:
                self.open_department(m.department)
            for _ in range(s.pages + 1):
                self.pump(6)
                found = [b for b in s.ids.item_box.children if getattr(b, "matter_id", None) == matter_id]
                if found:
                    self.tap(found[0])
                    break
                self.tap(s.ids.pager.children[0])  # 下一页
            if self.current != "matter":
                return
        raise LookupError(f"could not choose matter {matter_id} in {m.department} ({s.pages} pages)")

    def material_rows(self) -> list:
        from kiosk.screens.materials import MaterialRow

        self.pump(6)
        s = self.screen("materials")
        return [r for r in reversed(s.ids.rows.children) if isinstance(r, MaterialRow)]

    def mark_all(self, status: str = "paper", except_: dict | None = None) -> None:
        """Marks every material ``status`` page by page (photographed ones stay); ``except_`` maps material
        ids to other marks."""
        s = self.screen("materials")
        button = {"paper": "b2", "missing": "b3", "unknown": "b4"}
        for _ in range(s.pages):
            for i in range(len(self.material_rows())):
                row = self.material_rows()[i]
                if row.status == "captured" and row.material_id not in (except_ or {}):
                    continue  # keep a photo already taken
                wanted = (except_ or {}).get(row.material_id, status)
                self.tap(row.ids[button[wanted]])
            if s.page >= s.pages - 1:
                return
            self.tap(s.ids.pager.children[0])  # 下一页

    def to_result(self, kind: str = "assist", matter: str = SAMPLE_MATTER, missing: bool = False,
                  status: str = "paper") -> None:
        """A whole visit up to its result: ``kind``, the sample resident's number, ``matter``, every material
        ``status`` (the first one missing when ``missing``), then 检查材料."""
        self.start(kind)
        self.type_id(SAMPLE_ID)
        self.choose_matter(matter)
        first = self.material_rows()[0].material_id
        self.mark_all(status, {first: "missing"} if missing else None)
        self.tap(self.screen("materials").ids.check)
        self.settle()
