"""What the helper receives (issue 12, item 17), with real touches: 代办 asks first (the PIPL notice), and
only an agreed 代办 sends the full identity; every request carries the masked name and the materials."""

import pytest

from tests.ui.kit import ID_NUMBER, close, config, kiosk, requests, sim_kiosk, skip_ahead, wait

MATTER = "pension-enrol"


@pytest.fixture
def h(window, sims, tmp_path):
    harness = sim_kiosk(sims, tmp_path, card=True)
    yield harness
    close(harness)


def test_proxy_shows_the_notice_first_and_declining_starts_nothing(h):
    s = h.screen("start")
    h.tap(s.ids.proxy)
    assert s.notice is not None and h.current == "start"
    texts = " ".join(w.text for w in h.find(lambda w: hasattr(w, "text"), s.notice))
    assert "身份证号" in texts and "1小时内删除" in texts and "帮办" in texts
    h.tap(s.ids.consult)  # modal: the cards under it do not answer
    assert h.current == "start" and h.controller.visit.kind is None
    h.tap(s.notice.ids.decline)
    assert s.notice is None and h.current == "start" and h.controller.visit.kind is None


def test_an_agreed_proxy_hands_over_the_identity_and_the_materials(h):
    h.start("proxy", agree=True)
    assert h.current == "identify" and h.controller.visit.handover_agreed
    h.type_id(ID_NUMBER)
    h.choose_matter(MATTER)
    rows = h.material_rows()
    first = rows[0].material_id
    h.mark_all("paper", {first: "missing"})
    h.tap(h.root.header.ids.call_helper)
    h.controller.wait_idle()
    (req,) = requests(h)
    body = req.body
    assert body["kind"] == "proxy" and body["resident"]["id_number"] == ID_NUMBER
    states = {m["id"]: m["state"] for m in body["materials"]}
    assert states[first] == "missing" and set(states.values()) <= {"paper", "missing"}
    assert h.controller.visit.handover_agreed
    h.root.go_home()
    assert not h.controller.visit.handover_agreed  # the agreement ends with the visit


def test_an_assist_request_carries_no_identity_but_the_masked_name(h):
    h.start("assist")
    h.sims["sam"].present("zhang_san")
    wait(h, lambda: h.current == "matter", 10, "the card read")
    number = h.controller.visit.identity.id_number
    h.choose_matter(MATTER)
    h.tap(h.root.header.ids.call_helper)
    h.controller.wait_idle()
    (req,) = requests(h)
    body = req.body
    assert body.get("resident") is None and number not in str(body) and body["name_masked"] == "张*"
    assert body["materials"] and {m["state"] for m in body["materials"]} <= {"unanswered", "paper"}


def test_the_notice_closes_by_itself_after_the_quiet_time(window, tmp_path):
    h = kiosk(config(tmp_path, idle_timeout_s=10), queue=False)
    try:
        s = h.screen("start")
        h.tap(s.ids.proxy)
        assert s.notice is not None
        s.choose("proxy")  # a second start (the notice is modal: a touch on 代办 now lands on the notice) adds none
        assert sum(1 for w in s.children if w is s.notice) == 1
        skip_ahead(h, 9)  # not before the quiet time (idle_timeout_s)
        assert s.notice is not None
        skip_ahead(h, 1.5)
        wait(h, lambda: s.notice is None, 40, "the notice to close")
        assert h.current == "start" and h.controller.visit.kind is None
    finally:
        close(h)


def test_the_enterprise_flows_notice_is_the_same_one_and_closes_by_itself_too(window, tmp_path):
    from kiosk.screens.widgets.handover import HandoverNotice

    h = kiosk(config(tmp_path, idle_timeout_s=10), queue=False)
    try:
        h.tap(h.screen("start").ids.enterprise)
        s = h.screen("enterprise")
        h.tap(s.ids.no_code)
        h.press("其他事项")
        h.tap(s.ids.proxy)
        assert isinstance(s.notice, HandoverNotice) and h.current == "enterprise"
        skip_ahead(h, 9)  # not before the quiet time (idle_timeout_s)
        assert s.notice is not None
        skip_ahead(h, 1.5)
        wait(h, lambda: s.notice is None, 40, "the notice to close")
        assert h.current == "enterprise" and h.controller.visit.kind is None
        h.tap(s.ids.proxy)
        h.tap(s.notice.ids.agree)
        assert h.current == "identify" and h.controller.visit.handover_agreed
        assert h.controller.visit.enterprise is not None and h.controller.visit.enterprise.founding
    finally:
        close(h)
