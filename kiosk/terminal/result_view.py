"""What the result and thank-you screens (and the voice) tell the resident, from the visit alone.

Pure functions, no Kivy, no I/O: :func:`result_view` and :func:`done_text`. The rule they keep: a slip is
told as printed (已打印, 请从出纸口取走, 带好小票) only when the printer said it came out; while it prints
the screen says so; when it failed the screen says that plainly and shows on screen what the slip would
have carried (the number large, or every missing material with where to get it, and the materials the
notice names as needed only in some cases).
"""

from __future__ import annotations

from kiosk.i18n import tr
from kiosk.terminal.hours import back_words
from kiosk.terminal.slips_notice import conditional_materials
from kiosk.terminal.views import ConditionalItem, MissingItem, ResultView
from kiosk.terminal.where import where_line, where_text
from kiosk.visit import Kind, Visit


def result_view(visit: Visit, pending_prints: int = 0) -> ResultView | None:
    """The result screen's content for ``visit`` (None before the check ran). It is ``working`` while a
    slip of the result is printing (``pending_prints``, which counts other slips too, is not used)."""
    r = visit.result
    if r is None:
        return None
    kind = visit.kind.value if visit.kind else "consult"
    view = ResultView(working=r.printing, complete=r.complete,
                      ticket_no=r.ticket.number if r.ticket else None, paper_out=r.show_number_large,
                      notice_no=r.notice_no)
    for n, m in enumerate(r.check.missing, 1):
        how = "unsure" if m in r.check.unsure else "checked" if m.id in visit.checked_by else "own"
        view.missing.append(MissingItem(n, m.name, m.source, how, visit.checked_by.get(m.id, "")))
    view.print_text, view.print_tone = _print_status(visit, view.working)
    view.notice_printed = r.all_printed("notice") if not r.complete else None
    if not r.complete and r.state("notice") == "failed" and visit.matter is not None:  # the paper's rest
        view.conditional = [ConditionalItem(m.name, m.note, m.source)
                            for m in conditional_materials(visit.matter, r.check)]
    away = back_words(visit) if visit.help.phase != "claimed" else None  # claimed: someone on duty comes
    if away is not None:  # after hours: nobody is on the way; say what was recorded and when they are back
        view.next_text = _after_hours_next(visit, kind, r.complete, away)
    elif r.complete:
        if kind != "consult" and visit.help.phase == "offline":  # nobody knows of the call: no one is coming
            why = "_desk" if visit.site.queue else "_no_queue"  # no queue at all: not "the network is down"
            view.next_text = tr(f"kiosk.result.next_{kind}{why}", desk=_desk(visit))
        else:
            view.next_text = tr(f"kiosk.result.next_{kind}")
        if visit.matter is not None:
            view.next_text += "\n" + where_text(visit)
        if r.queue_state == "got" and r.queue is not None:  # the number the window calls is the big one
            view.queue_no, view.queue_ahead = r.queue.number, r.queue.ahead
    elif visit.helper_coming:
        view.next_text = tr("kiosk.result.next_incomplete_helper")
    elif visit.help.phase == "offline":
        view.next_text = tr("kiosk.result.next_incomplete_desk", desk=_desk(visit))
    else:
        view.next_text = tr("kiosk.result.next_incomplete")
    view.speech = _speech(view)
    return view


def _after_hours_next(visit: Visit, kind: str, complete: bool, back: str) -> str:
    """What to do next after hours, each fact once: while the help banner shows (:func:`banner_says_closed`)
    it has said closed, when the staff are back and the hotline. A callback is offered, and the matter or
    call said recorded, only on a kiosk with a help-queue client (without one nothing keeps them)."""
    queue, banner = bool(visit.site.queue), banner_says_closed(visit)
    recorded = queue and visit.help_request_id is not None
    if complete and kind == "consult" and not banner:  # no call: the windows' hours, come back then
        lines = [tr("access.hours.next_consult", back=back)]
    else:
        lines = []
        if not banner:
            key = f"next_recorded_{kind if complete else 'call'}" if recorded else "next_closed"
            lines.append(tr(f"access.hours.{key}", back=back))
        if not complete:
            lines.append(tr("access.hours.next_come_back_incomplete"))
        elif not recorded:
            lines.append(tr("access.hours.next_come_back"))
        if queue:
            lines.append(tr("access.hours.next_callback"))
        if not banner:
            lines.append(tr("access.hours.next_hotline"))
    if complete and visit.matter is not None:  # where to come back to (no queue line: the windows are closed)
        # 代办: the materials are handed to the agent at the 帮办代办 window, not at the matter's own window
        place = _desk(visit) if kind == "proxy" else where_line(visit)
        lines.append(tr("where.go_later", place=place))
    return "\n".join(lines)


def banner_says_closed(visit: Visit) -> bool:
    """After hours, while the visit's request is open, the help banner (``HelpDesk.help_text``) says
    closed, when the staff are back, the hotline and (with a help queue) that the call is recorded."""
    return visit.help_request_id is not None and visit.help.unanswered


def _desk(visit: Visit) -> str:
    return unbroken(visit.site.help_desk or tr("glossary.help_desk"))


def _failed(visit: Visit, key: str, away: str | None = None) -> str:
    """A print failure's text: the staff "have been told" only when the call reached the help queue; with
    the network down (the call only recorded) the resident is sent to the 帮办代办 window instead. After
    hours (``away``: when the staff are back) nobody is on duty to be told or found at the window: the
    text says the failure is recorded and when the staff will see it."""
    if away is not None:  # the banner says when the staff are back: not said twice
        return tr(f"access.hours.{key}" + ("_short" if banner_says_closed(visit) else ""), back=away)
    if visit.help.phase == "offline":
        return tr(f"kiosk.result.{key}_desk", desk=_desk(visit))
    return tr(f"kiosk.result.{key}")


def _print_status(visit: Visit, working: bool) -> tuple[str, str]:
    r = visit.result
    if working:
        return tr("kiosk.result.printing"), "ok"
    away = back_words(visit) if visit.help.phase != "claimed" else None  # after hours: nobody comes now
    if r.complete:
        if r.no_ticket:
            return _failed(visit, "no_ticket", away), "error"
        if r.state("ticket") == "failed":
            return _failed(visit, "paper_out", away), "error"
        if visit.kind is Kind.PROXY:
            if r.state("authorization") == "failed":
                return _failed(visit, "auth_failed", away), "error"
            return tr("kiosk.result.printed_proxy"), "ok"
        return tr("kiosk.result.printed_ticket"), "ok"
    if r.state("notice") == "failed":
        return _failed(visit, "notice_failed", away), "error"
    return tr("kiosk.result.printed_notice"), "ok"


def _speech(view: ResultView) -> str:
    """What the voice says on the result screen once printing is over: the outcome, the number, what
    printed or did not, and each missing material (and, the notice not printed, each needed in some cases)."""
    parts: list[str] = []
    if view.complete:
        parts.append(tr("kiosk.result.complete"))
        if view.queue_no:
            parts.append(tr("kiosk.voice.queue", number=spell_number(view.queue_no), ahead=view.queue_ahead))
        elif view.ticket_no:
            parts.append(tr("kiosk.voice.ticket", number=spell_number(view.ticket_no)))
    else:
        parts.append(tr("kiosk.result.incomplete", n=len(view.missing)))
        parts += [tr("kiosk.voice.missing_item", n=i.n, name=i.name) for i in view.missing]
        parts += [tr("kiosk.voice.conditional_item", name=i.name) for i in view.conditional]
    parts.append(view.print_text)
    return "。".join(p.rstrip("。") for p in parts if p) + "。"


def unbroken(place: str) -> str:
    """A place's name with no-break spaces: 一楼大厅 3 号窗口 is never split across lines at its spaces."""
    return place.replace(" ", "\u00a0")


def spell_number(number: str) -> str:
    """``A037`` → ``A 0 3 7``: a ticket number read character by character, as halls call them."""
    return " ".join(number)


def done_text(visit: Visit, callback: str = "") -> str:
    """The thank-you screen's reminder: what to take along; the 小票 only when one was printed. After
    hours: ``callback`` (the line of a callback number left this visit), else with a request of the visit
    recorded (nobody on the way), that it waits for the helpers' return."""
    r = visit.result
    if r is not None and r.complete and r.all_printed("ticket"):
        text = tr("kiosk.done.body_ticket")
    elif r is not None and not r.complete and r.all_printed("notice"):
        text = tr("kiosk.done.body_notice")
    else:
        text = tr("kiosk.done.body")
    recorded = visit.help_request_id and visit.site.queue  # a kiosk with no help-queue client records nothing
    away = back_words(visit) if recorded and visit.help.phase != "claimed" else None
    if callback:
        text += "\n" + callback + "\n" + tr("access.hours.hotline")
    elif away is not None:
        text += "\n" + tr("access.hours.done_called", back=away)
    return text
