"""The paper of a 代办 case as :class:`~kiosk.printing.layout.Slip` layouts: 代办受理回执 and 材料归还单.

:func:`receipt` is handed to the applicant at registration: case number and ledger number, the applicant
**masked** (``张**``, ID number ``110105********002X``, phone ``138****5678``: the slip leaves the hall in a
pocket), the matter, every material handed over with its form and count, the agent, the registration time,
the time limit and promised date, a QR code of the case number, and a line for the applicant's signature.
:func:`return_slip` lists every item given back, the result, when, and lines for both signatures, with a
QR code for rating the service when the server has a public address (else the case number).

Both take a plain :class:`CaseSlip` (the server fills it from the case), so this module knows nothing of
the database; texts come from ``kiosk/locale/*/case_slips.toml`` (Chinese by default: the paper goes to
Chinese windows). QR payloads carry no personal data: ``BBDB1|C|<case id>`` or the rating link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from kiosk.i18n import tr
from kiosk.printing.layout import QR, Columns, Cut, Feed, Rule, Slip, Text, display_width

CHINA = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class CaseSlip:
    """What the slips print; every personal field already masked by the caller."""

    case_id: str
    seq: int
    site_name: str
    matter_name: str
    applicant_masked: str  # 张** 110105********002X
    phone_masked: str
    agent_name: str
    registered_at: datetime
    time_limit_days: int
    promised_date: date
    materials: list[dict] = field(default_factory=list)  # [{name, form: original|copy, count}]
    paused_days: int = 0
    state: str = "registered"
    returned_at: datetime | None = None
    result: str | None = None  # the completion note, e.g. 营业执照已领取
    rating_url: str | None = None
    promised_estimate: bool = False  # counted through a year without its holiday schedule: may change
    site_phone: str = ""  # the hall's public number (咨询电话): how to ask about the case without coming back


def _t(language: str) -> Callable[..., str]:
    return lambda key, **values: tr(f"case_slips.{key}", language=language, **values)


def _local(at: datetime) -> str:
    return f"{at.astimezone(CHINA):%Y-%m-%d %H:%M}"


def _blank(slip: Slip, label: str) -> None:
    room = slip.columns - display_width(label) - 2
    slip.add(Text(label + "：" + "_" * max(room, 8)))


def _head(slip: Slip, case: CaseSlip, title: str, t: Callable[..., str]) -> None:
    slip.add(Text(case.site_name, align="center", bold=True), Text(title, size=2, align="center", bold=True), Rule(),
             Columns(t("case_no"), case.case_id, bold=True), Columns(t("seq"), str(case.seq)))
    name, _, number = case.applicant_masked.partition(" ")
    slip.add(Columns(t("applicant"), name))
    if number:
        slip.add(Columns(t("id_number"), number))
    if case.phone_masked:
        slip.add(Columns(t("phone"), case.phone_masked))
    slip.add(Text(t("matter") + "：" + case.matter_name), Columns(t("agent"), case.agent_name))


def _form(t: Callable[..., str], m: dict) -> str:
    return t("form_copy") if m.get("form") == "copy" else t("form_original")


def receipt(case: CaseSlip, *, paper_width_mm: int = 80, language: str = "zh_CN") -> Slip:
    """代办受理回执."""
    t = _t(language)
    slip = Slip(width_mm=paper_width_mm, title="case-receipt")
    _head(slip, case, t("receipt_title"), t)
    slip.add(Rule(), Text(t("materials", n=len(case.materials)), bold=True))
    for n, m in enumerate(case.materials, 1):
        slip.add(Text(t("material_line", n=n, name=m["name"], form=_form(t, m), count=m.get("count", 1))))
    limit = t("immediate") if case.time_limit_days == 0 else t("working_days", days=case.time_limit_days)
    slip.add(Rule(), Columns(t("registered"), _local(case.registered_at)), Columns(t("time_limit"), limit),
             Columns(t("promised"), f"{case.promised_date:%Y-%m-%d}", bold=True))
    if case.paused_days:
        slip.add(Text(t("paused", days=case.paused_days), align="right"))
    if case.promised_estimate:
        slip.add(Text(t("promised_estimate"), align="right"))
    slip.add(Text(t("keep")))
    if case.site_phone:
        slip.add(Columns(t("site_phone"), case.site_phone, bold=True))
    slip.add(QR(f"BBDB1|C|{case.case_id}", size=5), Text(t("qr_case"), align="center"), Feed(1))
    _blank(slip, t("sign_applicant"))
    slip.add(Feed(1), Text(t("date") + "：______年____月____日"), Text(t("free"), align="center"))
    return slip.add(Cut())


def return_slip(case: CaseSlip, *, paper_width_mm: int = 80, language: str = "zh_CN") -> Slip:
    """材料归还单: every item given back, both signatures."""
    t = _t(language)
    slip = Slip(width_mm=paper_width_mm, title="case-return")
    _head(slip, case, t("return_title"), t)
    slip.add(Rule(), Text(t("returned", n=len(case.materials)), bold=True))
    for m in case.materials:
        slip.add(Text(t("returned_line", name=m["name"], form=_form(t, m), count=m.get("count", 1))))
    outcome = t("outcome_withdrawn") if case.state == "withdrawn" else t("outcome_returned")
    slip.add(Rule(), Text(t("result") + "：" + (case.result or outcome)))
    if case.site_phone:
        slip.add(Columns(t("site_phone"), case.site_phone))
    if case.returned_at:
        slip.add(Columns(t("returned_at"), _local(case.returned_at)))
    slip.add(Columns(t("registered"), _local(case.registered_at)),
             Columns(t("promised"), f"{case.promised_date:%Y-%m-%d}"))
    if case.rating_url:
        slip.add(QR(case.rating_url, size=4), Text(t("rate"), align="center"))
    else:  # no public rating page: the code is the case number, and the slip says so
        slip.add(QR(f"BBDB1|C|{case.case_id}", size=4), Text(t("qr_case"), align="center"),
                 Text(t("rate_none")))
    slip.add(Feed(1))
    _blank(slip, t("sign_applicant"))
    slip.add(Feed(1))
    _blank(slip, t("sign_agent"))
    slip.add(Feed(1), Text(t("date") + "：______年____月____日"), Text(t("free"), align="center"))
    return slip.add(Cut())
