"""Reprint spam, against a real ``kiosk queue serve``: every ``POST …/slips/{kind}/print`` printed a slip at
the window printer and wrote a ``case.slip_printed`` ledger entry, as often as asked — a script or a stolen
session could empty the printer's paper and fill the ledger. Now each staff member gets a few prints a
minute; beyond, 429 ``print_throttled`` with ``Retry-After``. (No printer is set here, so an allowed print
answers 409 ``no_window_printer``: the budget is checked first.)"""

from __future__ import annotations

import pytest

from tests.queue.hostile import served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-print") / "st") as s:
        yield s


CASE = {"site_code": "T1", "matter_name": "城乡居民养老保险参保登记", "time_limit_days": 5,
        "applicant": {"name": "张三"}, "authorization": {"signed": True, "scanned": False},
        "materials": [{"name": "身份证", "form": "original", "count": 1}]}


def test_a_helper_cannot_print_without_end(server):
    s = server
    li = {"Authorization": f"Bearer {s.login('li')}"}
    with s.client() as c:
        r = c.post("/api/v1/cases", json=CASE, headers=li)
        assert r.status_code == 201, r.text
        case = r.json()["id"]
        codes = [c.post(f"/api/v1/cases/{case}/slips/receipt/print", headers=li).status_code for _ in range(30)]
        assert codes.count(429) >= 15 and set(codes) <= {200, 409, 503, 429}, codes
        r = c.post(f"/api/v1/cases/{case}/slips/receipt/print", headers=li)
        assert r.status_code == 429 and r.json()["code"] == "print_throttled" and int(r.headers["Retry-After"]) >= 1
        # a colleague is not affected
        wang = {"Authorization": f"Bearer {s.login('wang')}"}
        assert c.post(f"/api/v1/cases/{case}/slips/receipt/print", headers=wang).status_code != 429
