"""Ways out on every resident screen: :class:`NavBar` (上一步 / 回到首页) and :class:`ConfirmHome`, the
question asked before 回到首页 clears what the resident entered."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets.common import ModalOverlay


class NavBar(BoxLayout):
    """上一步 and 回到首页 side by side. Dispatches ``on_back`` and ``on_home``; ``back_text`` names the
    step back when it is not just 上一步; ``show_back`` False leaves 回到首页 alone."""

    back_text = StringProperty("")
    show_back = BooleanProperty(True)

    def __init__(self, **kwargs):
        self.register_event_type("on_back")
        self.register_event_type("on_home")
        super().__init__(**kwargs)

    def on_back(self) -> None:
        pass

    def on_home(self) -> None:
        pass


class ConfirmHome(ModalOverlay):
    """回到首页吗？ over the screen: ``on_answer(True)`` clears and goes home, ``on_answer(False)`` stays."""


load_kv(__file__)
