"""为企业办事: the enterprise's 统一社会信用代码 (checked by its GB 32100 check character) or "being
founded"; a code in the hall's register shows the enterprise's name to confirm (是 / 不是: then a helper
checks it); then one of the catalogue's enterprise matters, then 帮办 or 代办 (代办 suggested for matters
marked ``proxy_recommended``); the 经办人 then identifies with their own ID card as in every visit."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import nav  # noqa: F401
from kiosk.screens.widgets.common import KButton, discard_children
from kiosk.screens.widgets.handover import close_handover, start_visit
from kiosk.screens.widgets.keypads import KeyGrid
from kiosk.visit.enterprise import CHARSET


def group_code(text: str) -> str:
    """``91350100M000100Y43`` → ``9 1 350100 M000100Y4 3`` is hard to read; groups of 6/6/6 are kinder."""
    return " ".join(text[i:i + 6] for i in range(0, len(text), 6))


class CodeKey(KButton):
    """A key of :class:`CodeKeypad`: its label may use the whole key's width (退格, 清空 on narrow keys)."""


class CodeKeypad(KeyGrid):
    """The characters a credit code may hold (0–9 and 21 letters: no I O S V Z), 退格 and 清空."""

    def build(self) -> None:
        discard_children(self)
        self.cols = 7 if THEME.elderly else 8
        for ch in CHARSET:
            self._key(ch, ch, CodeKey, outline=True, font_size=THEME.font_large)
        self._key(tr("kiosk.keys.back"), "back", CodeKey, outline=True, font_size=THEME.font_small)
        self._key(tr("kiosk.keys.clear"), "clear", CodeKey, outline=True, font_size=THEME.font_small)


class EnterpriseScreen(KioskScreen):
    step = StringProperty("")
    stage = StringProperty("code")  # code → (name) → matter → kind
    company = StringProperty("")  # the enterprise's name from the register (``name`` is the screen's)
    typed = StringProperty("")
    code = StringProperty("")  # the checked code ("" while founding)
    founding = BooleanProperty(False)
    message = StringProperty("")
    matter_id = StringProperty("")
    suggested = StringProperty("assist")
    matter_names = ListProperty([])

    @staticmethod
    def grouped(text: str) -> str:
        return group_code(text)

    def who_text(self, *_watched) -> str:
        """The line under the title: the prompt or the problem, then the code (and name) chosen. The kv rule
        passes the properties it depends on (``_watched``) so that it is re-evaluated when they change."""
        if self.stage == "code":
            return self.message or tr("access.enterprise.prompt")
        if self.founding:
            return tr("access.enterprise.founding")
        # elderly: the code on a line of its own (wrapping never splits it)
        code = group_code(self.code).replace(" ", "\u00a0")
        line = tr("access.enterprise.code_line_tall" if THEME.elderly else "access.enterprise.code_line", code=code)
        return line + ("\n" + tr("access.enterprise.name_line", name=self.company) if self.company and
                       self.stage != "name" else "")

    def refresh(self) -> None:
        self.stage, self.typed, self.code, self.founding, self.message = "code", "", "", False, ""
        self.company = ""
        self.matter_id, self.suggested = "", "assist"
        self._fill_matters()

    def on_key(self, key: str) -> None:
        if key == "back":
            self.typed = self.typed[:-1]
        elif key == "clear":
            self.typed = ""
        elif len(self.typed) < 18:
            self.typed += key
        self.message = ""

    def confirm_code(self) -> None:
        code, problem = self.controller.enterprise.check_code(self.typed)
        if problem:
            self.message = problem
            self.controller.speak(problem)
            return
        self.company = self.controller.enterprise.name_of(code)
        self.code, self.founding, self.stage = code, False, "name" if self.company else "matter"
        if self.company:
            self.controller.speak(tr("access.enterprise.is_it", name=self.company))

    def confirm_name(self, yes: bool) -> None:
        """是: the name goes on the request and the slips; 不是: a helper checks it against the 营业执照."""
        if not yes:
            self.company = ""
        self.stage = "matter"

    def no_code(self) -> None:
        """企业开办: the enterprise has no code yet."""
        self.typed, self.code, self.founding, self.message, self.stage = "", "", True, "", "matter"
        self.company = ""

    def _fill_matters(self) -> None:
        box = self.ids.matters
        discard_children(box)
        for matter in self.controller.enterprise.matters():
            text = matter.name + (("\n" + tr("access.enterprise.proxy_tag")) if matter.proxy_recommended else "")
            b = KButton(text=text, outline=True)
            b.matter_id = matter.id
            b.bind(on_release=lambda btn: self.choose(btn.matter_id))
            box.add_widget(b)
        other = KButton(text=tr("access.enterprise.other_matter"), outline=True)
        other.matter_id = ""
        other.bind(on_release=lambda _b: self.choose(""))
        box.add_widget(other)

    def choose(self, matter_id: str) -> None:
        self.matter_id = matter_id
        self.suggested = self.controller.enterprise.suggested_kind(matter_id or None)
        self.stage = "kind"

    def back(self) -> None:
        if self.stage == "kind":
            self.stage = "matter"
        elif self.stage in ("matter", "name"):
            self.stage, self.company = "code", ""
        else:
            self.home(bool(self.typed))

    notice = None  # the 代办 PIPL notice while it shows

    def start(self, kind: str) -> None:
        """帮办 starts at once; 代办 first shows the notice of what is handed to the agent (as on the start
        screen): only agreeing starts it."""
        start_visit(self, kind, lambda k: self.controller.enterprise.start(k, self.code, self.matter_id or None,
                                                                           self.company))

    def on_leave(self, *_args) -> None:
        close_handover(self)


load_kv(__file__)
