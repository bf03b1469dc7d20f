"""One download that stops the hall, against a real ``kiosk queue serve`` on SQLite: service calls run on the
event loop there (they take well under a millisecond), and so did the 代办台账 export — a busy town's year,
2,000 cases, took 8 s on the project's machine, during which the server answered nobody: no kiosk's
request, no claim, no heartbeat, no keep-alive of the consoles' streams. Any manager's click (or a stolen
manager session, once a second) froze the hall. Now the export, the supervision figures and a slip's PNG
run in the worker threads, a few at a time (beyond: 503 ``report_busy`` / ``slip_busy`` with
``Retry-After``), and the loop keeps answering meanwhile.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

from tests.queue.hostile import PASSWORD, provision, served

CASES = 1200


def _fill(state_dir) -> dict[str, str]:
    """Provisions the state directory and registers :data:`CASES` cases at T1 (in this process)."""
    from kiosk.queue.api import ServerSettings, build_context
    from kiosk.queue.api_cases import case_service
    from kiosk.queue.case_schemas import CaseIn
    from kiosk.queue.db import sqlite_url

    tokens = provision(state_dir)
    ctx = build_context(ServerSettings(db_url=sqlite_url(state_dir), state_dir=state_dir, migrate=False))
    try:
        mgr = ctx.auth.principal(ctx.auth.login("mgr", PASSWORD)[0])
        body = CaseIn.model_validate({
            "time_limit_days": 5, "matter_name": "城乡居民养老保险参保登记", "applicant": {"name": "张三", "phone": "13900000000"},
            "authorization": {"signed": True, "scanned": False},
            "materials": [{"name": f"材料{i}", "form": "copy"} for i in range(5)]})
        svc = case_service(ctx)
        for _ in range(CASES):
            svc.create(mgr, body)
    finally:
        ctx.db.dispose()
    return tokens


def test_a_big_ledger_export_does_not_stop_the_server(tmp_path):
    tokens = _fill(tmp_path)
    with served(tmp_path, provisioned=False) as s:
        s.kiosk_tokens = tokens
        mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
        done: dict[str, object] = {}

        def export() -> None:
            with s.client(timeout=300) as c:
                r = c.get("/api/v1/cases/export.xlsx", params={"since": "2000-01-01"}, headers=mgr)
            done["export"] = r.status_code

        worker = threading.Thread(target=export)
        worker.start()
        time.sleep(0.3)  # the export has begun (a delay, not a bar: the check below is an order)
        beat = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": datetime.now(UTC).isoformat()}
        with s.client() as c:
            answers = [c.get("/healthz").status_code,
                       c.post("/api/v1/heartbeats", json=beat, headers=s.kiosk()).status_code,
                       c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).status_code]
        still_exporting = worker.is_alive()
        worker.join(300)
        assert done.get("export") == 200, done
        assert answers == [200, 200, 201], answers
        assert still_exporting, "the kiosk was answered only once the export was done: the loop was blocked"
