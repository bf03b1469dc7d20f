"""Plain data the controller hands to the screens (no Kivy): material rows, camera frames, the result,
device rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.i18n import tr


@dataclass
class MaterialItem:
    id: str
    title: str
    detail: str
    status: str
    capturable: bool
    paper_label: str = ""  # 带了原件 / 带了复印件 / 带了: the paper answer in this material's own words
    note: str = ""  # 已刷身份证 / 帮办员 李四 已核对: how it was answered when not by the resident's touch
    required: bool = True


@dataclass
class MissingItem:
    """One missing material as the result screen and the notice show it. ``how``: ``own`` (the resident
    answered 没有), ``unsure`` (不知道: a helper should look), ``checked`` (a helper answered, ``helper``)."""

    n: int
    name: str
    source: str
    how: str = "own"
    helper: str = ""


@dataclass
class ConditionalItem:
    """A material needed only in some cases (``when``) that the resident did not say they have."""

    name: str
    when: str
    source: str


@dataclass
class PreviewFrame:
    """One camera frame for the screen: RGB bytes (top row first), its size, the detected page corners in
    its pixels (tl, tr, br, bl; empty when none), the hint in plain words, and whether it would pass."""

    rgb: bytes
    width: int
    height: int
    corners: list[tuple[float, float]]
    hint: str
    ok: bool


@dataclass
class ResultView:
    working: bool
    complete: bool = False
    ticket_no: str | None = None
    paper_out: bool = False
    queue_no: str = ""  # the hall's queue number, when its queuing system gave one: the number shown large
    queue_ahead: int = 0
    print_text: str = ""
    print_tone: str = "ok"
    next_text: str = ""
    missing: list[MissingItem] = field(default_factory=list)
    conditional: list[ConditionalItem] = field(default_factory=list)  # shown when the notice did not print
    notice_printed: bool | None = None  # incomplete only: the 一次性告知单 came out of the printer
    notice_no: str = ""
    speech: str = ""  # what the voice says once printing is over


@dataclass
class DeviceRow:
    kind: str
    label: str
    text: str


def material_items(visit) -> list[MaterialItem]:
    """The rows of the materials screen for the visit's matter, in the catalogue's order."""
    out = []
    for m in visit.matter.materials:
        form = tr(f"kiosk.materials.form.{m.form}", n=m.copies)
        detail = form + (f"；{m.note}" if m.note else "") + (tr("kiosk.materials.optional") if m.optional else "")
        note = ""
        if m.id in visit.from_card:
            note = tr("kiosk.materials.from_card")
        elif m.id in visit.checked_by:
            note = tr("kiosk.materials.checked_by", helper=visit.checked_by[m.id])
        elif visit.statuses[m.id].value == "unknown":  # "asked a helper" only while one is on the way
            note = tr("kiosk.materials.unknown_note" if visit.helper_coming else "kiosk.materials.unknown_note_desk")
        out.append(MaterialItem(m.id, m.name, detail, visit.statuses[m.id].value, m.capturable,
                                tr(f"kiosk.materials.paper_{m.form}"), note, not m.optional))
    return out
