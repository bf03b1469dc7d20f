"""Idempotency means the same request (issue 8, point 12), against a real ``kiosk queue serve`` process: an
id sent again with the same body answers 200 ``created: false``; with a different body, 409 ``id_reused``
(the stored one is never changed, and the difference is never silently dropped)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.queue.hostile import served


def test_12_a_replayed_id_with_another_body_is_409(tmp_path):
    with served(tmp_path / "st") as s, s.client() as c:
        kiosk = s.kiosk()
        body = s.request_body(note="打印机缺纸", resident={"name": "张三", "id_number": "11010519491231002X"})
        assert c.post("/api/v1/requests", json=body, headers=kiosk).status_code == 201
        again = c.post("/api/v1/requests", json=body, headers=kiosk)
        assert again.status_code == 200 and again.json()["created"] is False
        later = (datetime.fromisoformat(body["created_at"]) + timedelta(minutes=1)).isoformat()
        for change in ({"note": "另一个留言"}, {"kind": "proxy"}, {"priority": "elderly"}, {"ticket_no": "B001"},
                       {"matter_name": "另一个事项"}, {"created_at": later},
                       {"resident": {"name": "李四", "id_number": "11010519491231002X"}},
                       {"resident": {"name": "张三", "id_number": "110105194912310038"}}):
            r = c.post("/api/v1/requests", json=body | change, headers=kiosk)
            assert r.status_code == 409 and r.json()["code"] == "id_reused", (change, r.status_code, r.text)
        # the kiosk's outbox erases the identity once delivered: a replay without it is the same request
        assert c.post("/api/v1/requests", json=body | {"resident": None}, headers=kiosk).status_code == 200
        # the same body with whitespace the server strips, in another id spelling: still the same request
        same = body | {"note": "  打印机缺纸 ", "id": body["id"].upper()}
        assert c.post("/api/v1/requests", json=same, headers=kiosk).status_code == 200
        # notes and printed notices keep the same rule
        note = {"id": str(uuid.uuid4()), "text": "请带上号码", "created_at": datetime.now(UTC).isoformat()}
        path = f"/api/v1/requests/{body['id']}/notes"
        assert c.post(path, json=note, headers=kiosk).status_code == 201
        assert c.post(path, json=note, headers=kiosk).status_code == 200
        r = c.post(path, json=note | {"text": "别的话"}, headers=kiosk)
        assert r.status_code == 409 and r.json()["code"] == "id_reused"
        notice = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "created_at": datetime.now(UTC).isoformat(),
                  "matter_id": "m1", "matter_name": "社保卡", "missing": 2}
        assert c.post("/api/v1/notices", json=notice, headers=kiosk).status_code == 201
        assert c.post("/api/v1/notices", json=notice, headers=kiosk).status_code == 200
        r = c.post("/api/v1/notices", json=notice | {"missing": 3}, headers=kiosk)
        assert r.status_code == 409 and r.json()["code"] == "id_reused"
        mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
        stored = c.get("/api/v1/requests", headers=mgr).json()["items"]
        assert [(i["note"], i["kind"]) for i in stored] == [("打印机缺纸", "assist")]
