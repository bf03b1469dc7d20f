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

QR codes carry no personal data: ``BBDB1|T|<ticket_id>|<request id>`` on tickets and authorizations,
``BBDB1|N|<site>|<matter id>|<missing ids>`` on notices.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.catalog import Material, Matter, add_working_days
from kiosk.i18n import tr
from kiosk.printing.layout import QR, Columns, Cut, Feed, Rule, Slip, Text, display_width
from kiosk.privacy import mask_id_number, mask_name
from kiosk.visit import Kind, Visit
from kiosk.visit.tickets import LOCAL_TZ

LANGUAGE = "zh_CN"
KINDS = ("ticket", "notice", "authorization")


def _t(language: str) -> Callable[..., str]:
    return lambda key, **values: tr(f"slips.{key}", language=language, **values)


def time_limit_text(matter: Matter, language: str = LANGUAGE) -> str:
    """``即办`` or ``20个工作日``."""
    t = _t(language)
    return t("immediate") if matter.immediate else t("working_days", days=matter.time_limit)


def material_form(material: Material, language: str = LANGUAGE) -> str:
    """``原件 1 份`` / ``复印件 2 份`` / ``原件及复印件各 1 份``."""
    t = _t(language)
    return t(f"form.{material.form}", copies=material.copies)


def _header(slip: Slip, visit: Visit, title: str, t: Callable[..., str]) -> None:
    slip.add(Text(visit.site.site_name, align="center", bold=True),
             Text(title, size=2, align="center", bold=True), Rule())


def _footer(slip: Slip, visit: Visit, t: Callable[..., str]) -> None:
    site = visit.site
    if site.address:
        slip.add(Columns(t("address"), site.address))
    if site.phone:
        slip.add(Columns(t("phone"), site.phone))
    slip.add(Text(t("free"), align="center"))


def _blank(slip: Slip, label: str, least: int = 8) -> None:
    """``label：______`` filling the line; the blank goes on its own line when it would be too short."""
    room = slip.columns - display_width(label) - 2
    if room >= least:
        slip.add(Text(label + "：" + "_" * room))
    else:
        slip.add(Text(label + "："), Text("_" * (slip.columns - 2), align="right"))


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(LOCAL_TZ)


def ticket(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
           now: datetime | None = None) -> Slip:
    """排队凭条: the number large, kind, matter, where and when, masked name, QR with ticket and request."""
    t = _t(language)
    result, matter = visit.result, visit.matter
    ticket_ = result.ticket if result else None
    slip = Slip(width_mm=paper_width_mm, title="ticket")
    _header(slip, visit, t("ticket.title"), t)
    slip.add(Text(t("ticket.number_label"), align="center"))
    slip.add(Text(ticket_.number if ticket_ else t("ticket.no_number"), size=4 if ticket_ else 2,
                  align="center", bold=True))
    slip.add(Feed(1))
    if visit.kind:
        slip.add(Columns(t("kind_label"), t(f"kind.{visit.kind.value}")))
    if visit.identity:
        slip.add(Columns(t("name"), mask_name(visit.identity.name)))
    if matter:
        slip.add(Text(t("matter") + "：" + matter.name), Text(t("where") + "：" + matter.window),
                 Columns(t("time_limit"), time_limit_text(matter, language)))
    issued = ticket_.issued_at if ticket_ else _now(now)
    slip.add(Columns(t("time"), f"{issued:%Y-%m-%d %H:%M}"))
    if visit.site.location:
        slip.add(Columns(t("kiosk"), visit.site.location))
    slip.add(Rule(), Text(t(f"ticket.next.{visit.kind.value if visit.kind else 'consult'}")))
    if ticket_:
        slip.add(QR(f"BBDB1|T|{ticket_.ticket_id}|{visit.help_request_id or ''}", size=5))
    _footer(slip, visit, t)
    return slip.add(Cut())


def notice(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
           now: datetime | None = None) -> Slip:
    """一次性告知单: every missing material at once with where and how to get it."""
    t = _t(language)
    matter = visit.matter
    if matter is None:
        raise ValueError("the notice needs a chosen matter; the visit has none")
    missing = visit.result.check.missing if visit.result else visit.completeness().missing
    slip = Slip(width_mm=paper_width_mm, title="notice")
    _header(slip, visit, t("notice.title"), t)
    if visit.identity and visit.identity.name:
        slip.add(Columns(t("applicant"), mask_name(visit.identity.name)))
    slip.add(Text(t("matter") + "：" + matter.name), Columns(t("department"), matter.department))
    if matter.joint:
        slip.add(Text(t("joint", lead=matter.joint.lead, count=len(matter.joint.departments))))
    slip.add(Rule(), Text(t("notice.intro", count=len(missing)), bold=True))
    for n, material in enumerate(missing, 1):
        slip.add(Text(f"{n}. {material.name}（{material_form(material, language)}）", bold=True),
                 Text(t("notice.how") + "：" + material.source))
        if material.note:
            slip.add(Text(t("notice.note") + "：" + material.note))
    slip.add(Rule(), Columns(t("time_limit"), time_limit_text(matter, language)))
    if not matter.immediate:
        slip.add(Text(t("notice.limit_from")))
    slip.add(Text(t("where") + "：" + matter.window))
    if matter.note:
        slip.add(Text(matter.note))
    slip.add(Text(t("notice.then")), Columns(t("date"), f"{_now(now):%Y年%m月%d日}"))
    ids = ",".join(m.id for m in missing)
    slip.add(QR(f"BBDB1|N|{visit.site.site_code}|{matter.id}|{ids}", size=4))
    _footer(slip, visit, t)
    return slip.add(Cut())


def authorization(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
                  now: datetime | None = None) -> Slip:
    """授权委托书 for 代办: full name, masked ID number, the matter, the materials handed over, blanks to sign."""
    t = _t(language)
    matter, identity = visit.matter, visit.identity
    if matter is None:
        raise ValueError("the authorization needs a chosen matter; the visit has none")
    slip = Slip(width_mm=paper_width_mm, title="authorization")
    _header(slip, visit, t("auth.title"), t)
    slip.add(Text(t("auth.principal") + "：" + (identity.name if identity and identity.name else "________")),
             Text(t("auth.id_number") + "：" + (mask_id_number(identity.id_number) if identity else "")),
             Text(t("auth.id_checked")))
    _blank(slip, t("auth.agent"))
    _blank(slip, t("auth.agent_no"))
    slip.add(Rule(),
             Text(t("auth.body", matter=matter.name, site=visit.site.site_name)),
             Columns(t("time_limit"), time_limit_text(matter, language)))
    if not matter.immediate:
        due = add_working_days(_now(now).date(), int(matter.time_limit))
        slip.add(Text(t("auth.due", date=f"{due:%Y年%m月%d日}")))
    slip.add(Text(t("auth.scope")), Text(t("auth.term")), Rule(),
             Text(t("auth.materials"), bold=True))
    have = visit.result.check.have if visit.result else visit.completeness().have
    for material in have:
        slip.add(Text(f"□ {material.name}（{material_form(material, language)}）"))
    slip.add(Rule(), Text(t("auth.free")), Feed(1))
    _blank(slip, t("auth.sign_principal"))
    slip.add(Feed(1))
    _blank(slip, t("auth.sign_agent"))
    slip.add(Feed(1), Text(t("date") + "：______年____月____日"))
    ticket_ = visit.result.ticket if visit.result else None
    if ticket_:
        slip.add(Columns(t("ticket_no"), ticket_.number),
                 QR(f"BBDB1|T|{ticket_.ticket_id}|{visit.help_request_id or ''}", size=4))
    slip.add(Columns(t("printed_at"), f"{_now(now):%Y-%m-%d %H:%M}"))
    _footer(slip, visit, t)
    return slip.add(Cut())


_BUILDERS = {"ticket": ticket, "notice": notice, "authorization": authorization}


def build(kind: str, visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
          now: datetime | None = None) -> Slip:
    """The slip ``kind`` (``ticket`` | ``notice`` | ``authorization``) for ``visit``; ValueError otherwise.

    Call it while the visit is at RESULT (before :meth:`Visit.done` wipes the identity).
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown slip '{kind}'; expected one of {', '.join(KINDS)}")
    if kind == "authorization" and visit.kind is not Kind.PROXY:
        raise ValueError("the authorization form is only for 代办 (proxy) visits")
    return _BUILDERS[kind](visit, paper_width_mm=paper_width_mm, language=language, now=now)
