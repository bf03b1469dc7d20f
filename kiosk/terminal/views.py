"""Plain data the controller hands to the screens (no Kivy): material rows, camera frames, the result,
device rows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MaterialItem:
    id: str
    title: str
    detail: str
    status: str
    capturable: bool


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
    print_text: str = ""
    print_tone: str = "ok"
    next_text: str = ""
    missing: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DeviceRow:
    kind: str
    label: str
    text: str
