# ruff: noqa: F811  (the queue tests' fixtures are imported by name and used as arguments)
"""好差评 on the kiosk (issue 12, item 15), with real touches against the real queue server: the helper
resolves the request on the server, the kiosk (the resident still there) learns it from the outbox's
status and asks 满意 / 基本满意 / 不满意; the answer goes through the outbox to the ratings API and counts
in the 督查 figures of the helper and the site."""

from __future__ import annotations

import httpx
import pytest

from kiosk.queue.forwarder import Backoff
from tests.queue.conftest import (  # noqa: F401  (fixtures)
    _fast_argon2,
    auth,
    clock,
    ctx,
    live,
    sqlite_url,
    world,
)
from tests.ui.kit import ID_NUMBER, close, config, kiosk, wait

MATTER = "pension-enrol"


@pytest.fixture
def db_url(sqlite_url):  # noqa: F811
    return sqlite_url


@pytest.fixture
def h(window, live, world, tmp_path):  # noqa: F811
    cfg = config(tmp_path)
    cfg.kiosk_id, cfg.site.code = "k1", "T1"
    cfg.queue.url, cfg.queue.token, cfg.queue.timeout_s = live.url, world.kiosk_tokens["k1"], 2
    harness = kiosk(cfg)
    harness.queue.forwarder.backoff = Backoff(initial=0.05, maximum=0.2)
    harness.queue.start()
    yield harness
    close(harness)


def helper_resolves(h, live, world) -> str:
    """The helper li claims and resolves the kiosk's one request on the server; returns its id."""
    wait(h, lambda: h.queue.pending_count() == 0 and h.controller.sent_requests, 15, "the request delivered")
    rid = h.controller.sent_requests[-1]
    token = world.token("li")
    for action, body in (("claim", None), ("arrive", None), ("resolve", {"outcome": "answered"})):
        r = httpx.post(f"{live.url}/api/v1/requests/{rid}/{action}", json=body, headers=auth(token), timeout=10)
        assert r.status_code == 200, r.text
    return rid


def figures(live, world) -> dict:
    r = httpx.get(f"{live.url}/api/v1/figures", headers=auth(world.token("sup")), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def to_materials(h) -> None:
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.choose_matter(MATTER)


def test_unsatisfied_needs_a_reason_and_reaches_the_figures(h, live, world):
    to_materials(h)
    h.tap(h.root.header.ids.call_helper)
    rid = helper_resolves(h, live, world)
    wait(h, lambda: h.root.rating.prompt is not None, 20, "the kiosk to ask 满意吗")
    h.pump(8)  # the question's layout settles over a few frames
    prompt = h.root.rating.prompt
    assert "满意吗" in prompt.ids.title.text
    h.tap(prompt.ids.unsatisfied)
    h.pump(8)
    assert prompt.asking_why and prompt.ids.send.disabled  # no reason yet: nothing to send
    h.tap(prompt.ids.send)
    assert h.controller.visit.help.rating == "asking"
    reason = next(b for b in prompt.ids.reasons.children if b.code == "wait_long")
    h.tap(reason)
    h.pump(2)
    h.tap(prompt.ids.send)
    assert prompt.thanked and h.controller.visit.help.rating == "sent"
    h.controller.wait_idle()
    ratings = [i for s in ("pending", "sent", "dead") for i in h.queue.outbox.items(s, 100) if i.kind == "rating"]
    assert [(r.body["request_id"], r.body["score"], r.body["reasons"]) for r in ratings] == [(rid, 2, ["wait_long"])]
    wait(h, lambda: h.queue.pending_count() == 0, 15, "the rating delivered")
    assert h.queue.outbox.counts()["dead"] == 0
    data = figures(live, world)
    (li,) = [x for x in data["helpers"] if x["username"] == "li"]
    (t1,) = [x for x in data["sites"] if x["site_code"] == "T1"]
    for bucket in (li, t1):
        assert bucket["ratings"]["n"] == 1 and bucket["ratings"]["unsatisfied"] == 1
        assert bucket["ratings"]["reasons"] == {"wait_long": 1}


def test_the_prompt_waits_on_the_thank_you_screen_and_satisfied_sends_a_4(h, live, world):
    to_materials(h)
    h.mark_all("paper")
    h.press("检查材料")
    h.settle(10)
    wait(h, lambda: h.controller.sent_requests, 15, "the helper called to lead")
    h.press("完成")
    assert h.current == "done"
    helper_resolves(h, live, world)
    wait(h, lambda: h.root.rating.prompt is not None, 20, "the kiosk to ask 满意吗")
    h.pump(8)  # the question's layout settles over a few frames
    h.pump(4)
    assert h.controller.visit.idle_status().seconds_left > 30  # not hurried away by the 10 s thank-you
    h.tap(h.root.rating.prompt.ids.satisfied)
    h.controller.wait_idle()
    ratings = [i for s in ("pending", "sent") for i in h.queue.outbox.items(s, 100) if i.kind == "rating"]
    assert [r.body["score"] for r in ratings] == [4]


def test_skip_sends_nothing_and_a_reset_closes_the_question(h, live, world):
    to_materials(h)
    h.tap(h.root.header.ids.call_helper)
    helper_resolves(h, live, world)
    wait(h, lambda: h.root.rating.prompt is not None, 20, "the kiosk to ask 满意吗")
    h.pump(8)  # the question's layout settles over a few frames
    h.tap(h.root.rating.prompt.ids.skip)
    assert h.root.rating.prompt is None and h.controller.visit.help.rating == "skipped"
    h.controller.wait_idle()
    assert not [i for s in ("pending", "sent") for i in h.queue.outbox.items(s, 100) if i.kind == "rating"]
