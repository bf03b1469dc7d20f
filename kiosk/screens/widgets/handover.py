"""The notice shown before 代办 (issue 12, item 17): why the resident's name and ID number go to the
{agent}, who sees them, for how long (PIPL art. 17), and the choice of 帮办 instead.

:class:`HandoverNotice` covers its parent and takes every touch under it (modal); it dispatches
``on_answer(True)`` (agree: the visit may hand the identity over) or ``on_answer(False)``.
:func:`open_handover` is how a screen shows it: once, spoken, and closed by itself after the quiet time,
so a resident who walked away never leaves it standing. :func:`start_visit` is what the start screen and
the enterprise flow do with a chosen kind: 代办 only after the notice was agreed to.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401  (KButton, Panel rules)
from kiosk.screens.widgets.common import ModalOverlay, discard


class HandoverNotice(ModalOverlay):
    """同意，继续代办 / 不同意，返回 over the start screen; ``hours`` is how long the server keeps the identity."""

    hours = StringProperty("1")  # hours_text(config.privacy.handover_identity_hours)
    timeout = None  # the scheduled close after the quiet time (open_handover)

    def spoken(self) -> str:
        """What the voice reads: the why, who and how long."""
        return "".join(self.ids[k].text for k in ("why", "who", "how_long"))


def open_handover(screen, on_answer: Callable[[bool], None]) -> HandoverNotice | None:
    """Shows the 代办 notice over ``screen`` (a KioskScreen; kept as ``screen.notice`` while it shows) and
    reads it out; ``on_answer(yes)`` runs after the notice closed. A second call while it shows does nothing
    (None). The notice closes by itself, unanswered, after the quiet time (``ui.idle_timeout_s``)."""
    if getattr(screen, "notice", None) is not None:
        return None
    controller = screen.controller
    notice = HandoverNotice(hours=hours_text(controller.config.privacy.handover_identity_hours))
    timeout = Clock.schedule_once(lambda _dt: close_handover(screen), controller.config.ui.idle_timeout_s)
    notice.timeout = timeout

    def answered(_widget, yes: bool) -> None:
        close_handover(screen)
        on_answer(yes)

    notice.bind(on_answer=answered)
    screen.notice = notice
    screen.add_widget(notice)
    controller.speak(notice.spoken())
    return notice


def start_visit(screen, kind: str, begin: Callable[[str], None]) -> None:
    """Starts a visit of ``kind`` from ``screen`` (``begin(kind)`` starts it) and goes to identification;
    代办 first shows the notice of what is handed to the agent: only agreeing starts it, with the identity
    handed over."""
    def answered(yes: bool) -> None:
        if yes:
            begin("proxy")
            screen.controller.visit.agree_handover()
            screen.go("identify")

    if kind == "proxy":
        open_handover(screen, answered)
        return
    begin(kind)
    screen.go("identify")


def close_handover(screen) -> None:
    """Takes the notice off ``screen`` (if it shows), unanswered; the screens call it when they are left."""
    notice = getattr(screen, "notice", None)
    if notice is None:
        return
    notice.timeout.cancel()
    screen.notice = None
    screen.remove_widget(notice)
    discard(notice)


def hours_text(hours: float) -> str:
    """``1`` for 1.0, ``1.5`` for 1.5: how the notice says the keeping time."""
    return f"{hours:g}"


load_kv(__file__)
