"""Random sequences of touches never break the visit: every step change is in the table, invariants hold."""

import itertools
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalog import load_catalog
from kiosk.config.settings import DEFAULT_CATALOG
from kiosk.visit import TRANSITIONS, Kind, SiteInfo, Step, Visit, VisitError
from kiosk.visit.tickets import LOCAL_TZ, Ticket

CATALOG = load_catalog(DEFAULT_CATALOG)
MATTERS = [m.id for m in CATALOG.matters]
MATERIALS = sorted({mat.id for m in CATALOG.matters for mat in m.materials}) + ["ghost"]
IDS = ["11010519491231002X", "110105194912310021", "123"]


class Card:
    name, id_number, card_type = "欧阳娜娜", "11010519491231002X", "resident"

    def __init__(self):
        self.photo_raw = bytearray(b"\x01" * 16)


ACTIONS = st.one_of(
    st.tuples(st.just("start"), st.sampled_from([*Kind, "x"])),
    st.tuples(st.just("identify_with_card"), st.just(None)),
    st.tuples(st.just("identify_manually"), st.sampled_from(IDS)),
    st.tuples(st.just("skip_identify"), st.just(None)),
    st.tuples(st.just("go_identify"), st.just(None)),
    st.tuples(st.just("choose_matter"), st.sampled_from([*MATTERS, "nope"])),
    st.tuples(st.just("mark"), st.tuples(st.sampled_from(MATERIALS), st.sampled_from(["paper", "missing", "bad"]))),
    st.tuples(st.just("attach_capture"), st.sampled_from(MATERIALS)),
    st.tuples(st.just("finish_materials"), st.just(None)),
    st.tuples(st.just("back"), st.just(None)),
    st.tuples(st.just("done"), st.just(None)),
    st.tuples(st.just("reset"), st.just(None)),
    st.tuples(st.just("call_helper"), st.just(None)),
    st.tuples(st.just("camera_lost"), st.just(None)),
    st.tuples(st.just("print_failed"), st.just("ticket")),
    st.tuples(st.just("tick"), st.just(None)),
)


def apply(visit: Visit, name: str, arg) -> None:
    method = getattr(visit, name)
    if name == "identify_with_card":
        method(Card())
    elif name == "mark":
        method(*arg)
    elif name == "attach_capture":
        method(arg, bytearray(b"\x02" * 8))
    elif arg is None:
        method()
    else:
        method(arg)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACTIONS, max_size=40))
def test_random_touches_keep_the_visit_consistent(actions):
    # tickets are tested against SQLite elsewhere; an in-memory counter keeps this fast
    counter = itertools.count(1)
    now = datetime(2026, 3, 2, 9, tzinfo=LOCAL_TZ)

    def tickets():
        n = next(counter)
        return Ticket(f"A{n:03d}", n, date(2026, 3, 2), "421303", "zd-01", now)

    visit = Visit(CATALOG, SiteInfo("zd-01", "421303", "x"), tickets=tickets)
    requests = set()
    for name, arg in actions:
        before, visit_id = visit.step, visit.visit_id
        try:
            apply(visit, name, arg)
        except (VisitError, KeyError, ValueError):
            assert visit.step is before  # a refused call changes no step
            continue
        if visit.visit_id == visit_id and visit.step is not before:
            assert visit.step in TRANSITIONS[before], (before, visit.step)
        if visit.visit_id != visit_id:
            assert visit.step is Step.START and not visit.has_personal_data()
        if visit.step in (Step.MATERIALS, Step.RESULT):
            assert visit.matter is not None
            assert set(visit.statuses) == {m.id for m in visit.matter.materials}
        if visit.step is Step.RESULT:
            assert visit.result is not None
            assert visit.result.complete == (not visit.result.check.missing)
        if visit.kind in (Kind.ASSIST, Kind.PROXY) and visit.step in (Step.MATTER, Step.MATERIALS, Step.RESULT):
            assert visit.identity is not None
        if visit.step is Step.DONE:
            assert not visit.has_personal_data()
        if visit.help_request_id:
            requests.add((visit.visit_id, visit.help_request_id))
    # at most one help request per visit
    per_visit = {}
    for vid, rid in requests:
        per_visit.setdefault(vid, set()).add(rid)
    assert all(len(r) == 1 for r in per_visit.values())
