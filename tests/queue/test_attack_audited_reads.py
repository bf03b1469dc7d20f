"""Reads that write: a stolen session flooding the ledger through GETs. Every look at a resident's identity
(``GET /api/v1/requests/{id}/identity``), at a 代办 applicant (``GET /api/v1/cases/{id}/applicant``, an
entry on the case's hash chain) and every ledger export (``GET /api/v1/cases/export.xlsx``) writes an audit
entry — but only POST/PUT/PATCH/DELETE counted against ``staff_writes_per_minute``, so a script holding a
helper's session wrote these entries at the server's full speed (with a budget of 5, all 12 tries below
answered 200 and wrote 12 entries). Now these audited reads share her write budget: beyond it 429
``staff_throttled`` with ``Retry-After``, and nothing is written; plain reads are not counted."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.queue.conftest import PASSWORD, auth
from tests.queue.test_attack_staff_flood import SQLITE, small_budget  # noqa: F401 - the same small budget


def _count(ctx, table, type_: str) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(table).where(table.c.type == type_)).scalar()


@SQLITE
def test_audited_reads_share_the_staff_write_budget(small_budget, clock):  # noqa: F811 - the imported fixture
    from fastapi.testclient import TestClient

    from kiosk.queue.api import create_app
    from kiosk.queue.models import case_events, events
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    ctx, now = small_budget, clock()
    add_site(ctx.db, "T1", "南郊街道便民服务中心", "town", now)
    kiosk = add_kiosk(ctx.db, "k1", "T1", now)
    add_user(ctx.db, "li", "helper", ["T1"], PASSWORD, now)
    add_user(ctx.db, "mgr", "manager", ["T1"], PASSWORD, now)
    li, mgr = (ctx.auth.login(n, PASSWORD)[0] for n in ("li", "mgr"))
    with TestClient(create_app(ctx.settings, ctx)) as c:
        body = {"id": "00000000-0000-4000-8000-000000000001", "kind": "assist", "kiosk_id": "k1", "site_code": "T1",
                "step": "matter", "created_at": now.isoformat(),
                "resident": {"name": "张三", "id_number": "110105194912310029"}}
        rid = c.post("/api/v1/requests", json=body, headers=auth(kiosk)).json()["id"]
        assert c.post(f"/api/v1/requests/{rid}/claim", headers=auth(li)).status_code == 200  # 1 of li's 5
        codes = [c.get(f"/api/v1/requests/{rid}/identity", headers=auth(li)).status_code for _ in range(6)]
        assert codes == [200] * 4 + [429] * 2, codes
        r = c.get(f"/api/v1/requests/{rid}/identity", headers=auth(li) | {"Accept-Language": "en"})
        assert r.json()["code"] == "staff_throttled" and 1 <= int(r.headers["Retry-After"]) <= 60
        assert "Too many actions" in r.json()["detail"]
        assert _count(ctx, events, "request.identity_viewed") == 4  # nothing written past the budget
        assert c.get("/api/v1/requests", headers=auth(li)).status_code == 200  # plain reads are not counted
        assert c.get(f"/api/v1/requests/{rid}", headers=auth(li)).status_code == 200

        case = {"time_limit_days": 5, "matter_name": "养老保险", "applicant": {"name": "王五"},
                "authorization": {"signed": True, "scanned": False}, "materials": [{"name": "身份证", "form": "copy"}]}
        r = c.post("/api/v1/cases", json=case, headers=auth(mgr))
        assert r.status_code == 201, r.text
        codes = [c.get(f"/api/v1/cases/{r.json()['id']}/applicant", headers=auth(mgr)).status_code for _ in range(3)]
        codes += [c.get("/api/v1/cases/export.xlsx", headers=auth(mgr)).status_code for _ in range(3)]
        assert codes == [200] * 3 + [200, 429, 429], codes
        assert _count(ctx, case_events, "case.applicant_viewed") == 3
        assert _count(ctx, case_events, "ledger.exported") == 1
        assert c.head(f"/api/v1/cases/{r.json()['id']}/applicant", headers=auth(mgr)).status_code == 429
