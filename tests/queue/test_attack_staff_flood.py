"""A stolen helper session used to flood the server: before the budget a staff member's writes were unbounded
(every claim, note and case move a ledger entry). Now her writes beyond ``staff_writes_per_minute`` — all her
sessions together — answer 429 ``staff_throttled`` with ``Retry-After``; reads, other staff and kiosks go on."""

from __future__ import annotations

import pytest

from tests.queue.conftest import auth, clean

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def small_budget(db_url, clock, tmp_path):
    from kiosk.queue.api import ServerSettings, build_context

    settings = ServerSettings(db_url=db_url, state_dir=tmp_path, clock=clock, migrate=False, auth_cache_s=0.0,
                              staff_writes_per_minute=5)
    context = build_context(settings)
    clean(context.db)
    yield context
    context.db.dispose()


@SQLITE
def test_a_staff_members_writes_are_bounded_across_her_sessions(small_budget, clock):
    from fastapi.testclient import TestClient

    from kiosk.queue.api import create_app
    from kiosk.queue.provision import add_kiosk, add_site, add_user
    from tests.queue.conftest import PASSWORD

    ctx, now = small_budget, clock()
    add_site(ctx.db, "T1", "南郊街道便民服务中心", "town", now)
    kiosk = add_kiosk(ctx.db, "k1", "T1", now)
    for name in ("li", "wang"):
        add_user(ctx.db, name, "helper", ["T1"], PASSWORD, now)
    li1, li2, wang = (ctx.auth.login(n, PASSWORD)[0] for n in ("li", "li", "wang"))
    with TestClient(create_app(ctx.settings, ctx)) as c:
        codes = [c.put("/api/v1/me/duty", json={"on_duty": True}, headers=auth(t)).status_code
                 for t in (li1, li2, li1, li2, li1, li2, li1)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429], codes  # both sessions share her budget
        r = c.put("/api/v1/me/duty", json={"on_duty": True}, headers=auth(li1))
        assert r.json()["code"] == "staff_throttled" and 1 <= int(r.headers["Retry-After"]) <= 60
        assert "秒后再试" in r.json()["detail"]
        assert c.get("/api/v1/requests", headers=auth(li1)).status_code == 200  # reads are not writes
        assert c.put("/api/v1/me/duty", json={"on_duty": True}, headers=auth(wang)).status_code == 200
        body = {"id": "00000000-0000-4000-8000-000000000001", "kind": "assist", "kiosk_id": "k1", "site_code": "T1",
                "step": "matter", "created_at": now.isoformat()}
        assert c.post("/api/v1/requests", json=body, headers=auth(kiosk)).status_code == 201
