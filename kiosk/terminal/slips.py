"""The printed slips of a visit, as device-independent :class:`~kiosk.printing.layout.Slip` layouts.

:func:`build` (``"ticket"``, ``"notice"``, ``"authorization"``) is what the controller calls for a
:class:`~kiosk.visit.PrintSlip` intent. Texts come from ``kiosk/locale/*/slips.toml`` through
:func:`kiosk.i18n.tr`, Chinese by default whatever the screen language (the paper goes to Chinese
windows).

Personal data on paper:

- **Ticket** (排队凭条): the name masked (``张*``); no ID number. It is left on counters and floors.
- **一次性告知单**: the name masked; no ID number. It lists every missing material at once, where and how
  to get each, the matter's time limit and the hall's address and phone.
- **授权委托书**: the resident signs it and the agent keeps it in the 代办 ledger, so the principal's
  **full name** is printed (a signature must sit under the name it authorises). The **ID number is
  masked** (``110105********002X``: area and last four kept): a thermal slip with a full number would
  expose it to anyone who finds the slip, and the agent verifies the original card at the handover
  (the form says so). The agent's name and number are left blank, to be written by hand.

QR codes carry no personal data. On tickets, authorizations and notices of a visit with a help request
(and a queue configured): the 好差评 page of that request, ``<queue.public_url>/r/<token>`` (the token made
with the request and sent with it; the kiosk asks the same rating on screen), said so under the code.
Without one the slip says plainly why there is nothing to rate by QR code and where to complain; a notice
then carries ``BBDB1|N|<site>|<matter id>|<missing ids>`` for the staff, explained likewise.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.catalog import add_working_days
from kiosk.catalog.workdays import estimated
from kiosk.printing.layout import Columns, Cut, Feed, Rule, Slip, Text
from kiosk.privacy import mask_id_number, mask_name
from kiosk.terminal.slip_parts import (  # noqa: F401  (time_limit_text, material_form: re-exported)
    LANGUAGE,
    blank,
    body_size,
    footer,
    header,
    material_form,
    next_text,
    now_or,
    rating,
    texts,
    time_limit_text,
)
from kiosk.terminal.slips_notice import directions, notice
from kiosk.terminal.where import where_line
from kiosk.visit import Kind, Visit

KINDS = ("ticket", "notice", "authorization", "directions")
def ticket(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
           now: datetime | None = None) -> Slip:
    """排队小票: the number large, kind, matter, where and when, masked name, QR with ticket and request."""
    t = texts(language)
    result, matter = visit.result, visit.matter
    ticket_ = result.ticket if result else None
    slip = Slip(width_mm=paper_width_mm, title="ticket")
    header(slip, visit, t("ticket.title"), t)
    slip.add(Text(t("ticket.number_label"), align="center"))
    slip.add(Text(ticket_.number if ticket_ else t("ticket.no_number"), size=4 if ticket_ else 2,
                  align="center", bold=True))
    slip.add(Feed(1))
    if visit.kind:
        slip.add(Columns(t("kind_label"), t(f"kind.{visit.kind.value}")))
    if visit.identity:
        slip.add(Columns(t("name"), mask_name(visit.identity.name)))
    big = body_size(visit)
    if matter:
        slip.add(Text(t("matter") + "：" + matter.name, size=big), Text(t("where") + "：" + where_line(visit), size=big),
                 Columns(t("time_limit"), time_limit_text(matter, language)))
    issued = ticket_.issued_at if ticket_ else now_or(now)
    slip.add(Columns(t("time"), f"{issued:%Y-%m-%d %H:%M}"))
    if visit.site.location:
        slip.add(Columns(t("kiosk"), visit.site.location))
    slip.add(Rule(), Text(next_text(visit, t, language), size=big))
    rating(slip, visit, t, size=5)
    footer(slip, visit, t)
    return slip.add(Cut())


def authorization(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
                  now: datetime | None = None) -> Slip:
    """授权委托书 for 代办: full name, masked ID number, the matter, the materials handed over, blanks to sign."""
    t = texts(language)
    matter, identity = visit.matter, visit.identity
    if matter is None:
        raise ValueError("the authorization needs a chosen matter; the visit has none")
    slip = Slip(width_mm=paper_width_mm, title="authorization")
    header(slip, visit, t("auth.title"), t, masked=False)  # signed under the enterprise's whole name
    slip.add(Text(t("auth.principal") + "：" + (identity.name if identity and identity.name else "________")),
             Text(t("auth.id_number") + "：" + (mask_id_number(identity.id_number) if identity else "")),
             Text(t("auth.id_checked")))
    blank(slip, t("auth.agent"))
    blank(slip, t("auth.agent_no"))
    slip.add(Rule(),
             Text(t("auth.body", matter=matter.name, site=visit.site.site_name), size=body_size(visit)),
             Columns(t("time_limit"), time_limit_text(matter, language)))
    if not matter.immediate:
        start = now_or(now).date()
        due = add_working_days(start, int(matter.time_limit))
        maybe = t("auth.due_estimate") if estimated(start, due) else ""  # a year without its 调休 known
        slip.add(Text(t("auth.due", date=f"{due:%Y年%m月%d日}") + maybe, size=body_size(visit)))
    slip.add(Text(t("auth.scope")), Text(t("auth.term")), Rule(),
             Text(t("auth.materials"), bold=True))
    have = visit.result.check.have if visit.result else visit.completeness().have
    for material in have:
        slip.add(Text(f"□ {material.name}（{material_form(material, language)}）"))
    slip.add(Rule(), Text(t("auth.free")), Feed(1))
    blank(slip, t("auth.sign_principal"))
    slip.add(Feed(1))
    blank(slip, t("auth.sign_agent"))
    slip.add(Feed(1), Text(t("date") + "：______年____月____日"))
    ticket_ = visit.result.ticket if visit.result else None
    if ticket_:
        slip.add(Columns(t("ticket_no"), ticket_.number))
    rating(slip, visit, t)
    slip.add(Columns(t("printed_at"), f"{now_or(now):%Y-%m-%d %H:%M}"))
    footer(slip, visit, t)
    return slip.add(Cut())


_BUILDERS = {"ticket": ticket, "notice": notice, "authorization": authorization, "directions": directions}


def build(kind: str, visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
          now: datetime | None = None) -> Slip:
    """The slip ``kind`` (``ticket`` | ``notice`` | ``authorization`` | ``directions``) for ``visit``;
    ValueError otherwise.

    Call it while the visit is at RESULT (before :meth:`Visit.done` wipes the identity).
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown slip '{kind}'; expected one of {', '.join(KINDS)}")
    if kind == "authorization" and visit.kind is not Kind.PROXY:
        raise ValueError("the authorization form is only for 代办 (proxy) visits")
    return _BUILDERS[kind](visit, paper_width_mm=paper_width_mm, language=language, now=now)
