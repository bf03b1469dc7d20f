"""The 一次性告知单 (every missing material at once) and the directions slip (where the 帮办代办 window is).

The notice carries its number (``Result.notice_no``), lists first what a helper can supply on the spot
(``Material.on_site``: a form filled in with the staff, a free copy) and then what the resident must fetch,
each with where and how; it says who decided each item was missing — the resident's own answer, 不知道
(a helper is to look), or a helper by name — and never claims a check nobody made. The helper involved
signs as 告知人; the complaints line (``site.complaints``, else 12345) closes it.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.printing.layout import QR, Columns, Cut, Rule, Slip, Text
from kiosk.privacy import mask_name
from kiosk.terminal.slip_parts import (
    LANGUAGE,
    body_size,
    footer,
    header,
    material_form,
    now_or,
    rating,
    texts,
    time_limit_text,
)
from kiosk.visit import Visit


def notice(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
           now: datetime | None = None) -> Slip:
    """一次性告知单: every missing material at once with where and how to get it (see the module's text)."""
    t = texts(language)
    matter = visit.matter
    if matter is None:
        raise ValueError("the notice needs a chosen matter; the visit has none")
    check = visit.result.check if visit.result else visit.completeness()
    number = visit.result.notice_no if visit.result and visit.result.notice_no else visit.notice_number()
    big = body_size(visit)
    slip = Slip(width_mm=paper_width_mm, title="notice")
    header(slip, visit, t("notice.title"), t)
    slip.add(Columns(t("notice.number"), number))
    if visit.identity and visit.identity.name:
        slip.add(Columns(t("applicant"), mask_name(visit.identity.name)))
    slip.add(Text(t("matter") + "：" + matter.name, size=big), Columns(t("department"), matter.department))
    if matter.joint:
        slip.add(Text(t("joint", lead=matter.joint.lead, count=len(matter.joint.departments))))
    checked = all(m.id in visit.checked_by for m in check.missing)  # else each item says who decided
    slip.add(Rule(), Text(t("notice.intro_checked" if checked else "notice.intro", count=len(check.missing)),
                          bold=True, size=big))
    on_site = [m for m in check.missing if m.on_site]
    fetch = [m for m in check.missing if not m.on_site]
    n = 0
    for title, group in ((t("notice.on_site"), on_site), (t("notice.fetch"), fetch)):
        if not group:
            continue
        if on_site:  # two groups: name each; one group needs no heading
            slip.add(Text(title, bold=True))
        for material in group:
            n += 1
            slip.add(Text(f"{n}. {material.name}（{material_form(material, language)}）", bold=True, size=big),
                     Text(t("notice.how") + "：" + material.source, size=big))
            if material.note:
                slip.add(Text(t("notice.note") + "：" + material.note))
            slip.add(Text(_basis(visit, check, material, t)))
    _conditional(slip, matter, check, t, language, big)
    slip.add(Rule(), Columns(t("time_limit"), time_limit_text(matter, language)))
    if not matter.immediate:
        slip.add(Text(t("notice.limit_from")))
    slip.add(Text(t("where") + "：" + matter.window, size=big))
    if matter.note:
        slip.add(Text(matter.note))
    slip.add(Text(t("notice.then")))
    helper = _informant(visit)
    if helper:
        slip.add(Columns(t("notice.informant"), helper))
    slip.add(Columns(t("date"), f"{now_or(now):%Y年%m月%d日}"),
             Text(t("notice.complaints", where=visit.site.complaints or t("notice.hotline"))))
    if not rating(slip, visit, t):  # no request to rate: the code tells the staff what is missing
        ids = ",".join(m.id for m in check.missing)
        slip.add(QR(f"BBDB1|N|{visit.site.site_code}|{matter.id}|{ids}", size=4),
                 Text(t("rate.notice_qr"), align="center"))
    footer(slip, visit, t)
    return slip.add(Cut())


def conditional_materials(matter, check) -> list:
    """The materials needed only in some cases (``optional``) that the resident did not say they have."""
    have = {m.id for m in check.have}
    return [m for m in matter.materials if m.optional and m.id not in have]


def _conditional(slip: Slip, matter, check, t, language: str, big: int) -> None:
    """The :func:`conditional_materials`: never counted missing, but told at once with when each applies
    and where to get it, so a resident whose case needs one does not learn it on a second trip (一次性告知);
    the result screen shows them too when this notice did not print."""
    maybe = conditional_materials(matter, check)
    if not maybe:
        return
    slip.add(Rule(), Text(t("notice.conditional"), bold=True, size=big))
    for material in maybe:
        slip.add(Text(f"{material.name}（{material_form(material, language)}）", bold=True, size=big))
        if material.note:
            slip.add(Text(t("notice.when") + "：" + material.note, size=big))
        slip.add(Text(t("notice.how") + "：" + material.source, size=big))


def _basis(visit: Visit, check, material, t) -> str:
    """Who decided this item is missing: a helper by name, 不知道, or the resident's own answer."""
    if material.id in visit.checked_by:
        return t("notice.basis.checked", helper=visit.checked_by[material.id])
    if material in check.unsure:
        return t("notice.basis.unsure")
    return t("notice.basis.own")


def _informant(visit: Visit) -> str:
    """The helper who took part (checked an item, or holds the visit's request), for 告知人; '' if none."""
    names = list(dict.fromkeys(visit.checked_by.values()))
    if visit.help.phase == "claimed" and visit.help.helper:
        names.append(visit.help.helper)
    return "、".join(dict.fromkeys(names))


def directions(visit: Visit, *, paper_width_mm: int = 80, language: str = LANGUAGE,
               now: datetime | None = None) -> Slip:
    """Where the 帮办代办 window is, printed when a help call could not reach the helpers (offline)."""
    t = texts(language)
    big = body_size(visit)
    slip = Slip(width_mm=paper_width_mm, title="directions")
    header(slip, visit, t("directions.title"), t)
    slip.add(Text(t("directions.why"), size=big), Rule(),
             Text(t("directions.where_label"), align="center"),
             Text(visit.site.help_desk or visit.site.site_name, size=2, align="center", bold=True), Rule())
    if visit.matter is not None:
        slip.add(Text(t("matter") + "：" + visit.matter.name, size=big))
    if visit.site.location:
        slip.add(Columns(t("kiosk"), visit.site.location))
    slip.add(Columns(t("printed_at"), f"{now_or(now):%Y-%m-%d %H:%M}"), Text(t("directions.recorded")))
    footer(slip, visit, t)
    return slip.add(Cut())
