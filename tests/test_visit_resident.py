"""The visit as the people it serves need it: every material answered (不知道 calls a helper, a helper's
check is recorded), the idle reset waits while a helper is coming (never for ever), elderly timing on the
thank-you screen, the truth about what printed, and the way to the 帮办代办 window when offline."""

import pytest

from kiosk.visit import CallHelper, MaterialStatus, PrintSlip, SiteInfo, Step, TellHelper, Visit, VisitError
from kiosk.visit.materials import own_id_card
from kiosk.visit.tickets import TicketIssuer

SITE = SiteInfo("zd-qj-01", "421303", "曾都区政务服务中心", "district", "随州市", "0722-1234567", "一楼东侧",
                help_desk="一楼大厅 3 号 帮办代办窗口")
ID = "11010519491231002X"


class Clock:
    t = 1000.0

    def __call__(self):
        return self.t


class Card:
    name, id_number, card_type = "欧阳娜娜", ID, "resident"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def visit(catalog, clock, tmp_path):
    return Visit(catalog, SITE, tickets=TicketIssuer(tmp_path, "421303", "zd-qj-01"), clock=clock,
                 idle_timeout_s=90, countdown_s=15, help_wait_s=1200, done_s=10, elderly_factor=2.0)


def test_every_required_material_needs_an_answer_and_dont_know_calls_a_helper(visit):
    visit.start("assist")
    visit.identify_manually(ID)  # typed: the card was not shown, so 居民身份证 needs an answer too
    visit.choose_matter("pension-enrol")
    assert visit.unanswered() == ["idcard", "hukou"]  # the optional bank card needs none
    with pytest.raises(VisitError):
        visit.finish_materials()
    visit.mark("idcard", "paper")
    intents = visit.mark("hukou", "unknown")
    assert isinstance(intents[0], CallHelper) and intents[0].reason == "unsure"
    assert visit.helper_coming and visit.unanswered() == []
    again = visit.mark("hukou", "unknown")  # one request a visit: the helper is told instead
    assert isinstance(again[0], TellHelper) and again[0].message_key == "visit.helper.unsure"
    visit.finish_materials()
    check = visit.result.check
    assert [m.id for m in check.missing] == ["hukou"] and [m.id for m in check.unsure] == ["hukou"]
    assert visit.checked_by == {}  # nobody checked anything: the notice must not say so


def test_a_helper_answering_a_dont_know_is_recorded_by_name(visit):
    visit.start("assist")
    visit.identify_with_card(Card(), consume=False)
    visit.choose_matter("pension-enrol")
    assert visit.unanswered() == ["hukou"] and "idcard" in visit.from_card
    visit.mark("hukou", "unknown")
    visit.helper_update(120, state="claimed", helper="李四")
    visit.mark("hukou", "missing")
    assert visit.checked_by == {"hukou": "李四"}
    visit.mark("hukou", "paper")  # the resident changes it again: still the helper's answer, not a new one
    visit.mark("hukou", "missing")
    assert visit.checked_by == {}  # an answer the resident gave on their own is theirs


@pytest.mark.parametrize("name, own", [("居民身份证", True), ("本人居民身份证", True), ("居民身份证或户口簿", True),
                                       ("社会保障卡或居民身份证", True), ("老人居民身份证", False),
                                       ("原居民身份证", False), ("夫妻双方居民身份证", False)])
def test_which_materials_the_card_read_answers(catalog, name, own):
    material = catalog.get("pension-enrol").material("idcard").model_copy(update={"name": name})
    assert own_id_card(material) is own


def test_idle_reset_waits_while_a_helper_is_coming_but_not_for_ever(visit, clock):
    visit.start("assist")
    visit.call_helper()
    assert visit.help.phase == "sending"
    clock.t += 200  # far past 90 + 15
    assert visit.idle_status().phase == "active" and visit.tick() == []
    clock.t += 1200 + 15 - 200 + 1  # the upper bound: help_wait_s and the countdown
    assert visit.idle_status().phase == "expired"
    assert visit.tick()[0].reason == "idle" and visit.step is Step.START


def test_a_closed_request_ends_the_wait(visit, clock):
    visit.start("assist")
    visit.call_helper()
    visit.helper_update(None, state="resolved")
    assert not visit.helper_coming
    clock.t += 106
    assert visit.idle_status().phase == "expired"


def test_thank_you_screen_timing_elderly_and_with_a_helper_coming(visit, clock):
    visit.set_elderly(True)
    visit.start("consult")
    visit.choose_matter("marriage")
    for m in visit.matter.materials:
        visit.mark(m.id, "paper")
    visit.finish_materials()
    visit.done()
    assert visit.timeouts == (20, 0)  # 10 s × the elderly factor, no countdown overlay
    clock.t += 19
    assert visit.idle_status().phase == "active"
    visit.call_helper()  # asked for help on the thank-you screen: it waits for the helper
    clock.t += 600
    assert visit.idle_status().phase == "active"
    clock.t += 2400
    assert visit.tick()[0].reason == "idle"


def test_print_states_are_the_truth(visit):
    visit.start("proxy")
    visit.identify_with_card(Card(), consume=False)
    visit.choose_matter("pension-enrol")
    visit.mark("hukou", "paper")
    visit.finish_materials()
    r = visit.result
    assert r.slips == ("ticket", "authorization") and r.printing and not r.all_printed()
    visit.print_done("ticket")
    assert r.state("ticket") == "printed" and r.state("authorization") == "printing"
    visit.print_failed("authorization", "out of paper")
    assert r.state("authorization") == "failed" and not r.all_printed() and r.all_printed("ticket")


def test_offline_help_prints_the_way_to_the_window_once(visit):
    visit.start("assist")
    visit.call_helper()
    assert visit.helper_update(None, online=False) == [PrintSlip("directions")]
    assert visit.help.phase == "offline" and visit.help.directions == "printing"
    assert not visit.helper_coming  # nobody knows of it yet: the resident is sent to the window instead
    assert visit.helper_update(None, online=False) == []  # once a visit
    visit.print_failed("directions", "out of paper")
    assert visit.help.directions == "failed" and visit.result is None
    visit.helper_update(60, state="waiting")
    assert visit.help.phase == "waiting"


def test_unknown_counts_as_missing_in_the_check(catalog):
    from kiosk.catalog import check_completeness

    matter = catalog.get("pension-enrol")
    c = check_completeness(matter, {"idcard": MaterialStatus.PAPER, "hukou": MaterialStatus.UNKNOWN})
    assert not c.complete and [m.id for m in c.unsure] == ["hukou"]
