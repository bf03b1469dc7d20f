"""Hostile input against a real ``kiosk queue serve`` process (issue 8, points 2, 8 and 9): bodies too
large, callers checked before their body is read, 422s that never echo the input, free-form JSON bounded,
lone surrogates and absurd event ids answered with a 4xx, never a 500."""

from __future__ import annotations

import json
import socket
import uuid

import httpx
import pytest

from tests.queue.hostile import served

ID = "421303198001011234"


def raw_request(url: str, head: str, body: bytes = b"", timeout: float = 15) -> tuple[int, bytes]:
    """Sends ``head`` (and ``body``) on a fresh socket; returns the status and the raw answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1]), data


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("hostile-input") / "st") as s:
        yield s


def test_2_bodies_are_bounded_and_callers_checked_before_their_body_is_read(server):
    s = server
    huge = "Content-Length: 200000000\nContent-Type: application/json\n"
    # a stranger's 200 MB: answered 401 from the headers alone (the body is never sent here)
    status, _ = raw_request(s.url, f"POST /api/v1/requests HTTP/1.1\nHost: x\nAuthorization: Bearer kqk_nope\n{huge}")
    assert status == 401
    status, _ = raw_request(s.url, f"POST /api/v1/requests/{uuid.uuid4()}/notes HTTP/1.1\nHost: x\n{huge}")
    assert status == 401
    # a known kiosk's 200 MB, and 200 MB to the login: 413 before reading
    token = s.kiosk_tokens["k1"]
    status, answer = raw_request(s.url, f"POST /api/v1/requests HTTP/1.1\nHost: x\nAuthorization: Bearer {token}\n{huge}")
    assert status == 413 and b"connection: close" in answer.lower()
    assert raw_request(s.url, f"POST /api/v1/auth/login HTTP/1.1\nHost: x\n{huge}")[0] == 413
    # a body that does not say its length is cut off once it passes the limit
    before = s.rss_mb()

    def chunks():
        for _ in range(160):
            yield b"[" * 65536

    with s.client() as c:
        r = c.post("/api/v1/requests", content=chunks(), headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "body_too_large"
        r = c.post("/api/v1/heartbeats", content=chunks(), headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code == 413
        assert s.rss_mb() - before < 50
        # a 422 names the field but never echoes the input (not the long value, not an ID number)
        body = s.request_body(kind="x" * 20_000, matter_name=ID * 10, resident={"name": "张三", "id_number": ID + "!"})
        r = c.post("/api/v1/requests", json=body, headers=s.kiosk())
        assert r.status_code == 422 and len(r.content) < 3000, len(r.content)
        assert "xxxxxxxx" not in r.text and ID not in r.text and "张三" not in r.text
        assert {tuple(e["loc"]) for e in r.json()["detail"]} >= {("body", "kind")}
        # requests of ordinary size still work
        assert c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).status_code == 201


def test_8_free_form_json_is_bounded_and_the_health_page_never_breaks(server):
    s = server
    deep: object = "x"
    for _ in range(300):
        deep = {"d": deep}
    beat = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": "2030-01-01T00:00:00Z",
            "devices": [{"device": "printer", "state": "connected", "detail": deep}]}
    with s.client() as c:
        r = c.post("/api/v1/heartbeats", json=beat, headers=s.kiosk())
        assert r.status_code == 422 and "detail" in json.dumps(r.json()["detail"][0]["loc"])
        wide = beat | {"id": str(uuid.uuid4()),
                       "devices": [{"device": "printer", "state": "connected", "detail": {f"k{i}": "v" * 100 for i in range(200)}}]}
        assert c.post("/api/v1/heartbeats", json=wide, headers=s.kiosk()).status_code == 422
        fine = beat | {"id": str(uuid.uuid4()),
                       "devices": [{"device": "printer", "state": "connected", "detail": {"paper": "near_end", "model": "TM-T88"}}]}
        assert c.post("/api/v1/heartbeats", json=fine, headers=s.kiosk()).status_code == 200
        # what kiosks send: the device's reason with a nested cause, and a library's long message (cut)
        cause = {"code": "serial.timeout", "params": {"port": "/dev/ttyUSB0", "message": "x" * 2000}}
        reason = {"code": "printer.not_answering", "params": {"cause": cause}}
        real = beat | {"id": str(uuid.uuid4()), "devices": [{"device": "printer", "state": "connected",
                                                             "detail": {"paper": "near_end", "reason": reason}}]}
        assert c.post("/api/v1/heartbeats", json=real, headers=s.kiosk()).status_code == 200
        mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
        kiosks = c.get("/api/v1/kiosks", headers=mgr)
        assert kiosks.status_code == 200 and "paper_near_end" in kiosks.json()[0]["problems"]
    # a bad heartbeat stored by an older server (straight into the table) does not break the page either
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.models import kiosks as kiosks_table

    db = Database(sqlite_url(s.state_dir))
    with db.write() as conn:
        conn.execute(kiosks_table.update().where(kiosks_table.c.kiosk_id == "k1").values(
            last_heartbeat={"devices": [{"device": "camera", "state": "error", "detail": deep}, "junk", 7]}))
    db.dispose()
    with s.client() as c:
        boss = c.post("/api/v1/auth/login", json={"username": "mgr", "password": "correct-horse-1"}).json()["token"]
        assert c.get("/api/v1/kiosks", headers={"Authorization": f"Bearer {boss}"}).status_code == 200


def test_9_lone_surrogates_and_absurd_event_ids_are_4xx_and_nothing_personal_is_logged(server):
    s = server
    surrogate = '"\\ud800"'
    with s.client() as c:
        li = {"Authorization": f"Bearer {s.login('li')}"}
        body = json.dumps(s.request_body(note="x")).replace('"x"', surrogate)
        r = c.post("/api/v1/requests", content=body, headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code == 422 and ("surrogate" in r.text or "unicode" in r.text), r.text
        named = json.dumps(s.request_body(resident={"name": "张三", "id_number": ID}), ensure_ascii=False).replace('"张三"', '"张\\udc00三"')
        r = c.post("/api/v1/requests", content=named, headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code == 422 and ID not in r.text and "张" not in r.text
        rid = c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).json()["id"]
        note = json.dumps({"id": str(uuid.uuid4()), "text": "x", "created_at": "2030-01-01T00:00:00Z"})
        r = c.post(f"/api/v1/requests/{rid}/notes", content=note.replace('"x"', surrogate),
                   headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code == 422
        beat = json.dumps({"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": "2030-01-01T00:00:00Z",
                           "devices": [{"device": "printer", "state": "error", "reason": "x"}]})
        r = c.post("/api/v1/heartbeats", content=beat.replace('"x"', surrogate),
                   headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code == 422
        login = '{"username": "li\\ud800", "password": "x"}'
        assert c.post("/api/v1/auth/login", content=login, headers={"Content-Type": "application/json"}).status_code == 422
        r = c.post(f"/api/v1/requests/{rid}/release", content='{"note": "\\udfff"}',
                   headers=li | {"Content-Type": "application/json"})
        assert r.status_code in (409, 422)
        # absurd event ids: a 4xx, or the id is ignored and the stream works
        assert c.get("/api/v1/events/stream?after=99999999999999999999", headers=li).status_code == 422
        assert c.get("/api/v1/events/stream?after=-1", headers=li).status_code == 422
        for last in ("²", "9" * 5000, "12abc"):
            with c.stream("GET", "/api/v1/events/stream", headers=li | {"Last-Event-ID": last.encode()}) as r:
                assert r.status_code == 200
                first = next(r.iter_lines())
                assert first.startswith((":", "event:", "id:", "data:")), first
    log = s.log()
    assert "Traceback" not in log and " 500" not in log
    assert ID not in log and "张三" not in log


@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/heartbeats", "/api/v1/notices"])
def test_9_deep_json_is_a_422(server, path):
    deep = "[" * 10_000 + "]" * 10_000
    with server.client() as c:
        r = c.post(path, content=deep, headers=server.kiosk() | {"Content-Type": "application/json"})
    assert r.status_code in (400, 413, 422)
    assert isinstance(httpx.Response(200, content=r.content).json(), dict)


def test_9_every_log_path_is_masked(tmp_path):
    """The server's own warnings, uvicorn's access log and tracebacks of a broken database all pass the
    masking filter; SQL parameters never reach the log."""
    import sqlite3
    import time

    with served(tmp_path / "st", "--access-log") as s, s.client("127.0.0.9") as c:
        for _ in range(7):  # a user name that is an ID number, throttled: logged masked
            c.post("/api/v1/auth/login", json={"username": ID, "password": "wrong-password"})
        assert c.get(f"/api/v1/requests?site_code={ID}").status_code == 401  # in the access log
        con = sqlite3.connect(s.state_dir / "queue.sqlite3")
        con.execute("ALTER TABLE events RENAME TO events_gone")  # the database breaks under the server
        con.commit()
        con.close()
        r = c.post("/api/v1/requests", json=s.request_body(note="电话 13987650021"), headers=s.kiosk())
        assert r.status_code == 500
        time.sleep(1)
        log = s.log()
    assert "login throttled" in log and "/api/v1/requests?site_code=421303" in log and "Traceback" in log, log
    assert ID not in log and "13987650021" not in log and "[parameters:" not in log, log
