"""The visit's 好差评 (issue 12, item 15) and what its help requests tell the helper (item 17), without a
window: when the rating is asked, what it sends, and which identity a request may carry."""

import pytest

from kiosk.visit import CallHelper, RateHelp, Step, VisitError
from tests.test_visit import Card, answer_all, clock, to_materials, visit  # noqa: F401


def test_a_resolved_request_asks_once_and_unsatisfied_needs_a_reason(visit):  # noqa: F811
    to_materials(visit)
    visit.call_helper()
    visit.helper_update(state="claimed", helper="帮办员 李*")
    assert visit.help.rating == "none"
    with pytest.raises(VisitError):
        visit.rate("satisfied")  # nothing asked yet
    visit.helper_update(state="resolved")
    assert visit.rating_asked
    with pytest.raises(VisitError, match="reason"):
        visit.rate("unsatisfied")
    with pytest.raises(VisitError, match="unknown"):
        visit.rate("unsatisfied", ["rude"])
    (intent,) = visit.rate("unsatisfied", ["wait_long", "wait_long", "unclear"])
    assert intent == RateHelp(visit.help_request_id, 2, ("wait_long", "unclear"))
    visit.helper_update(state="resolved")  # polled again: asked only once
    assert visit.help.rating == "sent" and not visit.rating_asked


@pytest.mark.parametrize("state", ["cancelled", "converted", "failed"])
def test_only_resolved_requests_are_rated(visit, state):  # noqa: F811
    to_materials(visit)
    visit.call_helper()
    visit.helper_update(state=state)
    assert visit.help.phase == "closed" and not visit.rating_asked


def test_the_thank_you_screen_does_not_hurry_the_question_away(visit, clock):  # noqa: F811
    to_materials(visit)
    visit.call_helper()
    answer_all(visit, "paper")
    visit.finish_materials()
    visit.done()
    assert visit.step is Step.DONE
    clock.t += 600
    visit.helper_update(state="resolved")
    visit.touch()
    assert visit.idle_status().seconds_left >= 90  # the normal quiet time, not the 10 s thank-you
    visit.skip_rating()
    assert visit.idle_status().seconds_left <= 10
    visit.reset("done")
    assert visit.help.rating == "none"


def test_only_an_agreed_proxy_request_carries_the_identity(visit):  # noqa: F811
    to_materials(visit, kind="assist")
    (call,) = visit.call_helper()
    assert isinstance(call, CallHelper) and call.resident is None
    assert call.payload["name_masked"] == "欧阳**" and "resident" not in call.payload
    assert {m["state"] for m in call.payload["materials"]} <= {"unanswered", "paper"}
    with pytest.raises(VisitError):
        visit.agree_handover()  # not a 代办
    visit.reset()
    to_materials(visit, kind="proxy")
    (call,) = visit.call_helper()
    assert call.resident is None  # 代办 without agreeing: masked only
    visit.reset()
    visit.start("proxy")
    visit.agree_handover()
    visit.identify_with_card(Card())
    visit.choose_matter("pension-enrol")
    (call,) = visit.call_helper()
    assert call.resident == {"name": "欧阳娜娜", "id_number": Card().id_number}
    assert "欧阳娜娜" not in repr(call)  # never in a log line
    visit.reset()
    assert not visit.handover_agreed
