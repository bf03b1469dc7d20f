"""Attack (found by the attack review): ``GET /cases`` answered every case of every state and every year —
a supervisor sees a whole district, each console asked again on every case event, and on SQLite the list
was built on the event loop. It now answers at most ``limit`` (default and most ``LIST_LIMIT``): the open
cases first, the most pressing promise first, then the newest closed ones; ``more`` says some were left
out (the ledger export has them all)."""

from __future__ import annotations

import pytest

from tests.queue.case_helpers import Api


@pytest.fixture
def api(client, world):
    return Api(client, world)


def _close(api, case_id: str) -> None:
    assert api.post("li", f"/cases/{case_id}/withdraw", json={"reason": "本人撤回"}).status_code == 200


def test_the_list_is_bounded_open_cases_first_and_says_when_cut(api, clock):
    closed_old = api.case()["id"]
    _close(api, closed_old)
    clock.advance(3600)
    urgent = api.case(time_limit_days=1)["id"]  # open, the nearest promise
    relaxed = [api.case(time_limit_days=20)["id"] for _ in range(2)]
    clock.advance(3600)
    closed_new = api.case()["id"]
    _close(api, closed_new)

    everything = api.get("li", "/cases").json()
    assert len(everything["items"]) == 5 and everything["more"] is False
    cut = api.get("li", "/cases", params={"limit": 1}).json()
    assert [c["id"] for c in cut["items"]] == [urgent] and cut["more"] is True
    three = api.get("li", "/cases", params={"limit": 3}).json()
    assert {c["id"] for c in three["items"]} == {urgent, *relaxed}  # closed ones go first when cut
    four = api.get("li", "/cases", params={"limit": 4}).json()
    assert closed_new in {c["id"] for c in four["items"]} and closed_old not in {c["id"] for c in four["items"]}


@pytest.mark.parametrize("limit", ["0", "501", "1e9", "-1"])
def test_a_limit_out_of_range_is_refused(api, limit):
    answer = api.get("li", "/cases", params={"limit": limit})
    assert answer.status_code == 422, answer.text
