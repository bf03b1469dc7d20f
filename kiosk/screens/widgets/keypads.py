"""On-screen keyboards: digits for ID numbers and PINs, letters for pinyin search.

All dispatch ``on_key(key)`` with a digit/letter, ``"X"``, ``"back"``, ``"clear"`` or ``"enter"``;
:func:`type_key` is what a screen that types a number does with it. The letter keyboard is alphabetical
(easier to find letters than QWERTY for residents who rarely type) and uses fewer, wider columns in
elderly mode.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Protocol

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import tr
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets.common import KButton, discard_children


class TypingScreen(Protocol):
    """A screen with a number being typed and a message line under it."""

    typed: str
    message: str
    message_tone: str

    def submit(self) -> None: ...


def type_key(screen: TypingScreen, key: str, accepts: Callable[[str, str], bool]) -> None:
    """A keypad's ``key`` on ``screen``: 退格 and 清空 edit ``screen.typed``, the enter key calls
    ``screen.submit()``, any other key is appended when ``accepts(typed, key)``. An error shown under
    the number goes as soon as the resident types again."""
    if key == "enter":
        screen.submit()
        return
    if key == "back":
        screen.typed = screen.typed[:-1]
    elif key == "clear":
        screen.typed = ""
    elif accepts(screen.typed, key):
        screen.typed += key
    if screen.message_tone == "error":
        screen.message, screen.message_tone = "", "muted"


class KeyGrid(GridLayout):
    """What every keypad shares: a grid of keys (or of key grids) that dispatches ``on_key`` and is built
    again when elderly mode changes. A subclass's ``build`` adds the keys with :meth:`_key`."""

    follow_theme = True  # rebuild on elderly-mode changes (the parts of a keypad are rebuilt by it)

    def __init__(self, **kwargs):
        self.register_event_type("on_key")
        super().__init__(**kwargs)
        self.build()
        if self.follow_theme:
            THEME.bind(elderly=self._rebuild)

    def on_key(self, key: str) -> None:
        pass

    def _rebuild(self, *_args) -> None:  # a bound method: THEME holds it weakly, so no leak
        self.build()

    def _key(self, label: str, key: str, cls: type[KButton] = KButton, **kw) -> KButton:
        # size_hint_y=1: the grid gives every key its row's height (KButton's own rule would make it
        # button_h tall, taller than a keypad row in elderly mode, and the rows would overlap)
        font = kw.pop("font_size", None)
        b = cls(text=label, size_hint_y=1, **kw)
        if font is not None:
            b.font_size = font  # after KButton's kv rule, which would set font_body
        b.bind(on_release=lambda *_: self.dispatch("on_key", key))
        b.key = key
        self.add_widget(b)
        return b

    def build(self) -> None:
        raise NotImplementedError


class NumericKeypad(KeyGrid):
    """1–9, then X (the ID check character; 清空 for PINs), 0, 退格; below them 清空 and a wide enter key.

    ``enter`` is the enter key (tests and the harness tap it).
    """

    allow_x = BooleanProperty(True)
    enter_text = StringProperty("")

    def on_allow_x(self, *_args) -> None:
        self.build()

    def on_enter_text(self, *_args) -> None:
        if getattr(self, "enter", None) is not None:
            self.enter.text = self.enter_text or tr("kiosk.keys.enter")

    def build(self) -> None:
        discard_children(self)
        grid = _DigitGrid(allow_x=self.allow_x)
        grid.bind(on_key=lambda _g, key: self.dispatch("on_key", key))
        row = _EnterRow(allow_x=self.allow_x, enter_text=self.enter_text)
        row.bind(on_key=lambda _g, key: self.dispatch("on_key", key))
        self.enter = row.enter
        self.add_widget(grid)
        self.add_widget(row)


class _DigitGrid(KeyGrid):
    follow_theme = False
    allow_x = BooleanProperty(True)

    def build(self) -> None:
        discard_children(self)
        self.cols = 3
        for d in "123456789":
            self._key(d, d, outline=True, font_size=THEME.font_large)
        if self.allow_x:
            self._key("X", "X", outline=True, font_size=THEME.font_large)
        else:
            self._key(tr("kiosk.keys.clear"), "clear", outline=True)
        self._key("0", "0", outline=True, font_size=THEME.font_large)
        self._key(tr("kiosk.keys.back"), "back", outline=True)


class _EnterRow(KeyGrid):
    """清空 (when X took its place above) and the enter key, twice as wide."""

    follow_theme = False
    allow_x = BooleanProperty(True)
    enter_text = StringProperty("")

    def build(self) -> None:
        discard_children(self)
        self.cols = 2 if self.allow_x else 1
        if self.allow_x:
            self._key(tr("kiosk.keys.clear"), "clear", outline=True, size_hint_x=1 / 3)
        self.enter = self._key(self.enter_text or tr("kiosk.keys.enter"), "enter", size_hint_x=2 / 3)


class LetterKeyboard(KeyGrid):
    """a–z alphabetically in 9 columns, then a row with 退格 and 清空; in elderly mode 7 columns whose last
    row ends with 退格 and 清空 (4 rows of large keys, no fifth)."""

    def build(self) -> None:
        discard_children(self)
        grid = _LetterGrid(cols=7 if THEME.elderly else 9)
        grid.bind(on_key=lambda _g, key: self.dispatch("on_key", key))
        self.add_widget(grid)
        if not THEME.elderly:
            row = _KeyRow()
            row.bind(on_key=lambda _g, key: self.dispatch("on_key", key))
            self.add_widget(row)


class _LetterGrid(KeyGrid):
    follow_theme = False

    def build(self) -> None:
        discard_children(self)
        for ch in string.ascii_lowercase:
            self._key(ch, ch, outline=True, font_size=THEME.font_large)
        if self.cols == 7:  # the 27th and 28th places of four rows of seven
            small = THEME.font_small * 0.9  # two characters in a seventh of the width, on one line
            self._key(tr("kiosk.keys.back"), "back", outline=True, font_size=small)
            self._key(tr("kiosk.keys.clear"), "clear", outline=True, font_size=small)


class _KeyRow(KeyGrid):
    follow_theme = False

    def build(self) -> None:
        discard_children(self)
        self.cols = 2
        self._key(tr("kiosk.keys.back"), "back", outline=True)
        self._key(tr("kiosk.keys.clear"), "clear", outline=True)


load_kv(__file__)
