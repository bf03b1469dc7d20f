"""After hours (错时、延时、节假日): when the hall's helpers are away the kiosk says when they are back,
takes a phone number for a callback (预约回电) and names the 12345 hotline.

``controller.hours``, made by :func:`kiosk.terminal.access.attach`. No Kivy here. The callback is a help
request of priority ``after_hours`` (the queue lists those first, so helpers see them first thing) whose
resident carries only the phone number (stored encrypted by the server; the screen shows it masked).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, time

from kiosk.i18n import get_language, tr
from kiosk.privacy import mask_phone
from kiosk.visit.hours import Away, HoursState, ServiceHours

log = logging.getLogger(__name__)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")  # area code and number, e.g. 0722 1234567


def check_phone(text: str) -> tuple[str, str | None]:
    """``(digits, problem)``: a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code;
    ``problem`` is a plain-words reason (None when the number is fine)."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not digits:
        return digits, tr("access.hours.err.empty")
    if not digits.isdigit():
        return digits, tr("access.hours.err.digits")
    if MOBILE.match(digits) or LANDLINE.match(digits):
        return digits, None
    if digits.startswith("1") and len(digits) != 11:
        return digits, tr("access.hours.err.mobile_length", n=len(digits))
    if digits.startswith("0"):
        return digits, tr("access.hours.err.landline")
    return digits, tr("access.hours.err.mobile")


def when_text(at: datetime | None, now: datetime, language: str | None = None, estimate: bool = False) -> str:
    """``今天 14:30`` / ``明天 08:30`` / ``10月8日（周四）08:30`` in the current language; its spaces do not
    break (a label never leaves 明天 at a line's end and the time on the next), but for one after a
    weekday (an English date is long). ``estimate`` (the day was counted through a year whose holiday
    schedule is not known yet): followed by ``（节假日安排以本中心公告为准）``, never said as certain."""
    if estimate and at is not None:
        return when_text(at, now, language) + tr("access.hours.estimate", language)
    if at is None:
        return tr("access.hours.unknown_back", language)
    days = (at.date() - now.date()).days
    clock = at.strftime("%H:%M")
    if days in (0, 1, 2):
        return tr(f"access.hours.day{days}", language, time=clock).replace(" ", "\u00a0")
    weekday = tr(f"access.hours.weekday{at.weekday()}", language)
    text = tr("access.hours.date", language, month=at.month, day=at.day, time=clock, weekday="\x1f",
              month_name=tr(f"access.hours.month{at.month}", language)).replace(" ", "\u00a0")
    # the one break allowed: after the weekday (on Thursday / 8 October at 08:30), never inside the date
    return text.replace("\x1f\u00a0", weekday + " ").replace("\x1f", weekday)


def back_words(visit, language: str | None = None) -> str | None:
    """When the hall's helpers are back (``明天 08:30``) while the visit's ``helpers_away`` says they are
    away, in ``language`` (default: the screen's; a slip asks for its own); None while they are in."""
    away = visit.helpers_away()
    return None if away is None else when_text(away.back_at, away.now, language, away.estimate)


def periods_text(periods: tuple[tuple[time, time], ...], language: str | None = None) -> str:
    if not periods:
        return tr("access.hours.no_service", language)
    sep = tr("common.list_sep", language)  # 、 in Chinese, a comma in English
    return sep.join(f"{a:%H:%M}-{b:%H:%M}" for a, b in periods)


def hours_day(state: HoursState, now: datetime) -> date:
    """The day whose hours a resident needs: today while open or before today's last period (07:30, the
    lunch break); once today's service is over, the day helpers are back (after a holiday: its first
    working day, a 调休 Saturday included)."""
    if state.open or state.back_at is None:
        return now.date()
    return state.back_at.date()


class AfterHours:
    def __init__(self, controller, hours_config, now: Callable[[], datetime]):
        self.controller, self.now = controller, now
        self.hours = ServiceHours(hours_config)
        self.left: str = ""  # the masked number of the callback left this visit ("" = none)
        self._left_visit: str | None = None
        controller.visit.helpers_away = self.away  # a request made now is recorded, nobody is on the way
        controller.subscribe(lambda event, _payload: self._forget() if event == "reset" else None)

    def _forget(self) -> None:
        """The visit's end wipes the callback's (masked) number with the rest of the resident's data."""
        self.left, self._left_visit = "", None

    def away(self) -> Away | None:
        """None while helpers are in; else when they are back (the visit's ``helpers_away``)."""
        now = self.now()
        state = self.hours.state(now)
        return None if state.open else Away(state.back_at, now, state.estimate)

    def state(self) -> HoursState:
        return self.hours.state(self.now())

    def closed(self) -> bool:
        return not self.state().open

    def takes_callbacks(self) -> bool:
        """A callback can be left only on a kiosk with a help-queue client: without one nobody gets it."""
        return self.controller.queue is not None

    def back_text(self) -> str:
        """When helpers are back, e.g. ``明天 08:30`` (with the estimate note when it may change)."""
        state = self.state()
        return when_text(state.back_at, self.now(), estimate=state.estimate)

    def notice(self, short: bool = False) -> str:
        """The line the start screen (``short``: the estimate note's short form, its line is tight) and
        the hours screen show after hours."""
        state = self.state()
        short = short and state.estimate and state.back_at is not None
        text = tr(f"access.hours.closed_{state.day_kind}",
                  back=when_text(state.back_at, self.now(), estimate=state.estimate and not short))
        if not short:
            return text
        note = tr("access.hours.estimate_short")  # after the first line: 现在是下班时间，日期以公告为准
        return text.replace("\n", note + "\n", 1) if "\n" in text else text + note

    def today_text(self) -> str:
        """``6月5日服务时间：…`` while today's hours are still ahead; once they are over the next open day's,
        ``下次服务：6月8日（周一）08:30-12:00、14:30-17:30`` (the hours already ended help nobody)."""
        now = self.now()
        state = self.hours.state(now)
        day = hours_day(state, now)
        if day == now.date():
            return tr("access.hours.today", periods=periods_text(state.today), date=_md(day))
        return tr(
            "access.hours.next_day",
            periods=periods_text(self.hours.periods_on(day)),
            day=day.day,
            month_name=tr(f"access.hours.month{day.month}"),
            weekday=tr(f"access.hours.weekday{day.weekday()}"),
        )

    def note(self) -> str:
        """The hall's own after-hours note, in English on English screens when the hall wrote one."""
        h = self.hours.hours
        if h is None:
            return ""
        return h.note_en if h.note_en and get_language() == "en" else h.note

    def done_line(self) -> str:
        """The thank-you screen's line for a callback left this visit (``""``: none)."""
        left = self.left_this_visit()
        return tr("access.hours.done_callback", phone=left, back=self.back_text()) if left else ""

    def left_this_visit(self) -> str:
        """The masked number of this visit's callback request, or ""."""
        return self.left if self._left_visit == self.controller.visit.visit_id else ""

    def leave_callback(self, text: str) -> str | None:
        """Records a callback request for the number ``text``; returns the problem in plain words (nothing
        recorded) or None. Without a help-queue client nothing can be recorded: that is said, never hidden."""
        digits, problem = check_phone(text)
        if problem:
            self.controller.speak(problem)
            return problem
        c = self.controller
        if c.queue is None:
            return tr("access.hours.err.no_queue")
        back = self.back_text()
        visit_id = uuid.uuid4().hex  # its own request: the visit's help request (if any) stays as it is
        note = tr("access.hours.callback_note", back=back)
        c._queue_worker.submit(self._send, digits, visit_id, note)
        self.left, self._left_visit = mask_phone(digits), c.visit.visit_id
        c.visit.touch()
        c.speak(tr("access.hours.left", phone=" ".join(self.left.replace("*", "")), back=back))
        return None

    def _send(self, digits: str, visit_id: str, note: str) -> None:
        rid = self.controller.queue.call_helper("call", "start", priority="after_hours", resident={"phone": digits},
                                                visit_id=visit_id, note=note)
        self.controller.sent_requests.append(rid)
        log.info("after-hours callback request %s recorded (%s)", rid, mask_phone(digits))


def _md(day: date) -> str:
    return tr("access.hours.md", month=day.month, day=day.day)
