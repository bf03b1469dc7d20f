"""The pieces every printed slip shares: the texts' language, header, footer, blanks, the size for elderly
mode. Used by :mod:`kiosk.terminal.slips` and :mod:`kiosk.terminal.slips_notice`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.catalog import Material, Matter
from kiosk.i18n import tr
from kiosk.printing.layout import Columns, Rule, Slip, Text, display_width
from kiosk.terminal.enterprise import enterprise_line
from kiosk.visit import Visit
from kiosk.visit.tickets import LOCAL_TZ

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


def header(slip: Slip, visit: Visit, title: str, t: Callable[..., str]) -> None:
    slip.add(Text(visit.site.site_name, align="center", bold=True),
             Text(title, size=2, align="center", bold=True), Rule())
    if visit.enterprise is not None:  # 为企业办事: every slip names the enterprise
        slip.add(Text(enterprise_line(visit.enterprise, t.language), bold=True))


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
    return now or datetime.now(LOCAL_TZ)


def body_size(visit: Visit) -> int:
    """The size of a slip's main text: 2 (twice as tall and wide) for a resident in elderly mode."""
    return 2 if visit.elderly else 1
