"""绿色通道 (issue 12 item 11) with real touches: a visible entry on the start screen, priority carried by
the help request, and a card of someone 65 or older offering 长辈模式 and priority by itself (the age
computed against an injected wall clock)."""

from datetime import datetime

import pytest

from tests.ui.kit import ID_NUMBER, requests  # born 1949-12-31


@pytest.fixture
def make(shot_kiosks):
    def build(now=datetime(2026, 6, 1, 10, 0), elderly=False):
        return shot_kiosks(access={"senior_offer_age": 65}, queue=True, now=now, elderly=elderly)
    return build


def test_the_green_channel_is_on_the_start_screen_and_its_call_goes_first(make):
    h = make()
    start = h.screen("start")
    assert "绿色通道" in start.ids.green.text and "孕妇" in start.ids.green.text
    h.tap(start.ids.green)
    assert h.current == "green"
    s = h.screen("green")
    assert "孕妇" in s.ids.who.text and "免费" in s.ids.free.text
    h.tap(s.ids.call)
    h.settle()
    assert h.current == "start" and "已开启" in start.ids.green.text
    reqs = requests(h)
    assert len(reqs) == 1 and reqs[0].body["priority"] == "green"
    assert h.root.header.help_text  # the banner says a helper is coming


def test_green_channel_alone_then_a_visit_keeps_priority_until_reset(make):
    h = make()
    h.tap(h.screen("start").ids.green)
    h.tap(h.screen("green").ids.alone)
    assert h.current == "start" and h.controller.green.on
    h.start("assist")
    h.press("呼叫")
    h.settle()
    assert requests(h)[0].body["priority"] == "green"
    h.root.go_home()
    assert not h.controller.green.on and "已开启" not in h.screen("start").ids.green.text


@pytest.mark.parametrize("now, age", [(datetime(2014, 12, 31, 9), 65), (datetime(2014, 12, 30, 9), None),
                                      (datetime(2030, 1, 1, 9), 80)])
def test_a_card_of_65_or_older_offers_elderly_mode_and_priority_by_itself(make, now, age):
    from kiosk.screens.theme import THEME
    from kiosk.screens.widgets.senior import SeniorOffer

    h = make(now=now)
    h.start("assist")
    card = type("Card", (), {"name": "张三", "id_number": ID_NUMBER, "card_type": "resident",
                             "birth_date": "1949-12-31"})()
    h.controller.card_read(card)
    h.pump(4)
    offers = [w for w in h.root.children if isinstance(w, SeniorOffer)]
    assert bool(offers) is (age is not None)
    if age is None:
        return
    assert "年满 65 周岁" in offers[0].ids.title.text  # the offer's threshold: shown and read aloud in the hall,
    assert age == 65 or str(age) not in offers[0].ids.title.text  # so never the resident's own age
    h.tap(offers[0].ids.elderly)
    assert not [w for w in h.root.children if isinstance(w, SeniorOffer)]
    assert THEME.elderly and h.controller.visit.priority == "elderly"
    h.press("呼叫")
    h.settle()
    assert requests(h)[0].body["priority"] == "elderly"


def test_a_typed_number_of_65_or_older_offers_too_and_priority_only_keeps_the_text_size(make):
    from kiosk.screens.theme import THEME
    from kiosk.screens.widgets.senior import SeniorOffer

    h = make()
    h.start("assist")
    h.type_id(ID_NUMBER)
    offers = [w for w in h.root.children if isinstance(w, SeniorOffer)]
    assert offers and h.current == "matter"
    h.tap(offers[0].ids.priority)
    assert not THEME.elderly and h.controller.visit.priority == "elderly"
    h.choose_matter("pension-enrol")  # the offer is gone: the visit goes on underneath
    assert h.current == "materials"
