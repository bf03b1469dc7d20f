"""Proof that a visit's wipe leaves no personal data: buffers zeroed, objects unreachable, files gone."""

import gc
import types
import weakref
from dataclasses import dataclass, field

import numpy as np
import pytest

from kiosk.catalog import load_catalog
from kiosk.config.settings import DEFAULT_CATALOG
from kiosk.visit import SiteInfo, Step, Visit
from kiosk.visit.tickets import TicketIssuer

NAME = "欧阳娜娜"
NUMBER = "11010519491231002X"
ADDRESS = "湖北省随州市曾都区清河路99号"


@dataclass
class Card:
    name: str
    id_number: str
    address: str
    card_type: str = "resident"
    photo_raw: bytearray = field(default_factory=lambda: bytearray(b"\xa5" * 1024))


@dataclass(frozen=True)
class CapturedDocument:  # the shape of a camera result: arrays and numbers
    image: np.ndarray
    thumbnail: np.ndarray = field(default_factory=lambda: np.full((8, 6), 202, dtype=np.uint8))
    sharpness: float = 1.0


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def reachable(root):
    """Every object reachable from ``root`` through containers and instances (not code, modules, types)."""
    seen, stack, out = set(), [root], []
    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
            types.CodeType, types.FrameType)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        out.append(obj)
        stack.extend(gc.get_referents(obj))
    return out


def personal(objs):
    """Objects that still carry the test's personal data."""
    hits = []
    for o in objs:
        if isinstance(o, str) and (NAME in o or NUMBER in o or ADDRESS in o or "娜娜" in o):
            hits.append(o)
        elif isinstance(o, (bytes, bytearray)) and (b"\xa5\xa5\xa5\xa5" in o or b"\xc8\xc8\xc8\xc8" in o):
            hits.append(type(o).__name__)
        elif isinstance(o, np.ndarray) and o.any():
            hits.append("ndarray")
    return hits


@pytest.fixture
def loaded_visit(tmp_path):
    clock = Clock()
    visit = Visit(load_catalog(DEFAULT_CATALOG), SiteInfo("zd-01", "421303", "曾都区政务服务中心"),
                  tickets=TicketIssuer(tmp_path / "state", "421303", "zd-01"), clock=clock,
                  capture_dir=tmp_path / "captures")
    visit.start("proxy")
    card = Card(NAME, NUMBER, ADDRESS)
    visit.identify_with_card(card)
    visit.choose_matter("dibao")
    page = np.full((120, 90, 3), 200, dtype=np.uint8)
    doc = CapturedDocument(np.full((60, 40), 201, dtype=np.uint8))
    raw = bytearray(b"\xc8" * 500)
    visit.attach_capture("application", page)
    visit.attach_capture("hukou", doc)
    visit.attach_capture("idcards", raw)
    visit.attach_capture("idcards", b"\xc8" * 300)  # immutable bytes: the visit keeps a zeroable copy
    preview = visit.temp_file(".png")
    preview.write_bytes(b"\x89PNG" + b"\xc8" * 2000)
    for m in visit.matter.materials:
        if visit.statuses[m.id].value == "unset":
            visit.mark(m.id, "paper")
    visit.finish_materials()
    return visit, card, page, doc, raw, preview, tmp_path


def test_before_the_wipe_the_data_is_there(loaded_visit):
    visit, *_ = loaded_visit
    assert personal(reachable(visit))  # the finder works: it sees the data while the visit holds it


@pytest.mark.parametrize("how", ["wipe", "reset", "done", "idle"])
def test_wipe_leaves_nothing(loaded_visit, how):
    visit, card, page, doc, raw, preview, tmp_path = loaded_visit
    identity_ref = weakref.ref(visit.identity)
    photo_copy = visit.identity.photo
    assert b"\xa5\xa5" in photo_copy
    assert preview.exists() and preview.stat().st_mode & 0o777 == 0o600
    if how == "wipe":
        visit.wipe()
    elif how == "reset":
        visit.reset()
    elif how == "done":
        visit.done()
    else:
        visit._clock.t = 10_000
        visit.tick()
        assert visit.step is Step.START
    gc.collect()
    # buffers the resident's data lived in are overwritten with zeros (the card's at identification)
    assert not page.any() and not doc.image.any() and not doc.thumbnail.any() and raw == bytearray(len(raw))
    assert card.photo_raw == bytearray(len(card.photo_raw))
    assert photo_copy == bytearray(len(photo_copy))
    # nothing reachable from the visit carries a name, number, address, photo or image
    assert personal(reachable(visit)) == []
    # the identity object itself is gone, not just emptied
    assert identity_ref() is None
    # temp files are gone and were overwritten first (nothing left in the capture folder)
    assert not preview.exists()
    assert list((tmp_path / "captures").iterdir()) == []
    assert not visit.has_personal_data()


def test_wipe_is_idempotent_and_visit_is_reusable(loaded_visit):
    visit, *_ = loaded_visit
    visit.wipe()
    visit.wipe()
    visit.reset()
    visit.start("assist")
    visit.identify_manually(NUMBER)
    assert visit.identity.id_number == NUMBER


def test_read_only_arrays_are_zeroed_too(loaded_visit):
    visit, *_ = loaded_visit
    visit.back()
    frozen = np.full((10, 10), 9, dtype=np.uint8)
    frozen.setflags(write=False)
    visit.attach_capture("authorization", frozen)
    visit.wipe()
    assert not frozen.any()
