"""The pieces every printed slip shares: the texts' language, header, footer, blanks, the size for elderly
mode. Used by :mod:`kiosk.terminal.slips` and :mod:`kiosk.terminal.slips_notice`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.catalog import Material, Matter
from kiosk.hall_time import hall_now
from kiosk.i18n import tr
from kiosk.printing.layout import QR, Columns, Rule, Slip, Text, display_width
from kiosk.terminal.enterprise import enterprise_line
from kiosk.terminal.hours import back_words
from kiosk.visit import Kind, Visit

LANGUAGE = "zh_CN"


def texts(language: str) -> Callable[..., str]:
    def t(key: str, **values) -> str:
        return tr(f"slips.{key}", language=language, **values)

    t.language = language  # type: ignore[attr-defined]
    return t


def time_limit_text(matter: Matter, language: str = LANGUAGE) -> str:
    """``即办`` or ``20个工作日``."""
    t = texts(language)
    return t("immediate") if matter.immediate else t("working_days", days=matter.time_limit)


def material_form(material: Material, language: str = LANGUAGE) -> str:
    """``原件 1 份`` / ``复印件 2 份`` / ``原件及复印件各 1 份``."""
    t = texts(language)
    return t(f"form.{material.form}", copies=material.copies)


def header(slip: Slip, visit: Visit, title: str, t: Callable[..., str], masked: bool = True) -> None:
    """Hall and title; for 为企业办事 the enterprise (a 个体工商户's name ``masked`` unless the slip is signed)."""
    slip.add(Text(visit.site.site_name, align="center", bold=True),
             Text(title, size=2, align="center", bold=True), Rule())
    if visit.enterprise is not None:  # 为企业办事: every slip names the enterprise
        slip.add(Text(enterprise_line(visit.enterprise, t.language, masked), bold=True))


def footer(slip: Slip, visit: Visit, t: Callable[..., str]) -> None:
    site = visit.site
    if site.address:
        slip.add(Columns(t("address"), site.address))
    if site.phone:
        slip.add(Columns(t("phone"), site.phone))
    slip.add(Text(t("free"), align="center"))


def blank(slip: Slip, label: str, least: int = 8) -> None:
    """``label：______`` filling the line; the blank goes on its own line when it would be too short."""
    room = slip.columns - display_width(label) - 2
    if room >= least:
        slip.add(Text(label + "：" + "_" * room))
    else:
        slip.add(Text(label + "："), Text("_" * (slip.columns - 2), align="right"))


def now_or(now: datetime | None) -> datetime:
    return now or hall_now()


def body_size(visit: Visit) -> int:
    """The size of a slip's main text: 2 (twice as tall and wide) for a resident in elderly mode."""
    return 2 if visit.elderly else 1


def rating_link(visit: Visit) -> str | None:
    """The 好差评 page of the visit's help request (``<queue public url>/r/<token>``), or None: no request
    with a token (none was made, or no queue is configured)."""
    if visit.rating_token and visit.site.rating_base:
        return f"{visit.site.rating_base}/r/{visit.rating_token}"
    return None


def rating(slip: Slip, visit: Visit, t: Callable[..., str], size: int = 4) -> bool:
    """The QR code to rate the visit's help request, with what it is for; without one, a plain line saying
    why there is none (no queue; no request; a request but no address phones reach: rate it at the kiosk)
    and where to complain. For 代办 the words name the agent, who finishes the errand (the queue rates the
    case the request became). True when the QR code was added."""
    link = rating_link(visit)
    proxy = "_proxy" if visit.kind is Kind.PROXY else ""  # 代办: the agent does the errand, not a helper
    if link:
        slip.add(QR(link, size=size), Text(t("rate.qr" + proxy), align="center", size=body_size(visit)))
        return True
    where = visit.site.complaints or t("notice.hotline")
    key = "rate.no_queue" if not visit.site.queue else "rate.at_kiosk" if visit.help_request_id else "rate.none"
    slip.add(Text(t(key + (proxy if visit.site.queue else ""), where=where), size=body_size(visit)))
    return False


def next_text(visit: Visit, t: Callable[..., str], language: str) -> str:
    """What the resident does next, as the ticket says it; after hours (a request recorded, nobody on the
    way) that the helpers take it when they are back (in the slip's language, not the screen's)."""
    kind = visit.kind.value if visit.kind else "consult"
    away = back_words(visit, language) if visit.help_request_id and visit.help.phase != "claimed" else None
    if away is not None and kind != "consult":
        return t("ticket.next.after_hours", back=away.replace("\u00a0", " "))  # paper: plain spaces (GBK)
    desk = visit.site.help_desk or tr("glossary.help_desk", language=language)
    if kind == "assist" and not visit.site.queue:  # no help queue: the call reaches nobody, ever
        return t("ticket.next.assist_no_queue", desk=desk)
    if kind == "assist" and visit.help.phase == "offline":  # nobody knows of the call: no one is coming
        return t("ticket.next.assist_desk", desk=desk)
    if kind == "assist":  # the paper outlives the call: true whether or not the queue took it (yet)
        return t("ticket.next.assist", desk=desk)
    return t(f"ticket.next.{kind}")
