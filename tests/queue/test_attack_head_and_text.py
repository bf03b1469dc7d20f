"""A fresh attacker against a real ``kiosk queue serve`` process: request heads of any size, control and
bidi characters in text fields, and a manager reading another site's kiosk through the settings page.

Each test was written before its fix and failed against the server as it was (a 50 MB header line was
read into memory; a NUL went into the database, where PostgreSQL refuses it with a 500; a manager of T1
read T2's kiosk and an unknown kiosk id was a 500)."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.queue.hostile import PASSWORD, served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-head") / "st") as s:
        yield s


def _answer(url: str, head: bytes, timeout: float = 20) -> bytes:
    """Sends ``head`` on a fresh socket (stopping early if the server closes) and returns what came back."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        try:
            for i in range(0, len(head), 65536):
                sock.sendall(head[i:i + 65536])
        except OSError:  # the server cut us off mid-send: read what it said before closing
            pass
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError:
            pass
    return data


def test_a_request_head_is_bounded(server):
    s = server
    # a real head with a fat cookie header still works
    ok = _answer(s.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: a=" + b"b" * 8000 +
                 b"\r\nConnection: close\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200"), ok[:100]
    # one enormous header line, many headers, an enormous URL: 431 and closed, never read into memory
    heads = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 2_000_000 + b"\r\n\r\n",
             b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-B: b\r\n" * 200_000 + b"\r\n",
             b"GET /healthz?q=" + b"q" * 2_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"]
    before = s.rss_mb()
    for head in heads:
        answer = _answer(s.url, head)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    assert s.rss_mb() - before < 40, (before, s.rss_mb())  # generous: the three heads are 6 MB
    # the server is fine afterwards
    with s.client() as c:
        assert c.get("/healthz").status_code == 200


CONTROL = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\u202e", "\u2066", "\u202a"]


@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c[0]):04X}" for c in CONTROL])
def test_control_and_bidi_characters_are_refused_in_every_text_field(server, char):
    s = server
    token = s.login("li")
    staff = {"Authorization": f"Bearer {token}"}
    with s.client() as c:
        for field in ("matter_name", "ticket_no", "note"):
            r = c.post("/api/v1/requests", json=s.request_body(**{field: f"养老{char}保险"}), headers=s.kiosk())
            assert r.status_code == 422, (field, r.status_code, r.text)
            assert char not in r.text and "养老" not in r.text  # the input is not echoed
        r = c.post("/api/v1/requests", json=s.request_body(resident={"name": f"张{char}三",
                                                                     "id_number": "11010519491231002X"}),
                   headers=s.kiosk())
        assert r.status_code == 422, r.text
        rid = c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).json()["id"]
        note = {"id": str(uuid.uuid4()), "text": f"打印机{char}缺纸", "created_at": s.request_body()["created_at"]}
        assert c.post(f"/api/v1/requests/{rid}/notes", json=note, headers=s.kiosk()).status_code == 422
        assert c.post(f"/api/v1/requests/{rid}/cancel", json={"reason": "other", "note": f"x{char}y"},
                      headers=staff).status_code == 422
        # a login name with a control character is a plain wrong login or a 422, never a 500
        r = c.post("/api/v1/auth/login", json={"username": f"l{char}i", "password": PASSWORD})
        assert r.status_code in (401, 422), r.text
        # nothing of it was stored
        listed = c.get("/api/v1/requests", headers=staff).json()["items"]
        assert not any(char in str(item) for item in listed)


def test_line_breaks_and_ordinary_unicode_still_pass(server):
    s = server
    with s.client() as c:
        r = c.post("/api/v1/requests", json=s.request_body(note="第一行\n第二行\t完", matter_name="👨‍👩‍👧 家庭"),
                   headers=s.kiosk())
        assert r.status_code == 201, r.text


def test_central_settings_refuse_control_characters(server):
    s = server
    mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
    with s.client() as c:
        for value in ("一楼\x00大厅", "\u202e厅大楼一"):
            r = c.put("/api/v1/kiosk-config", json={"site_code": "T1", "changes": {"site.help_desk": value}}, headers=mgr)
            assert r.status_code == 422, r.text
        r = c.put("/api/v1/kiosk-config", json={"site_code": "T1", "changes": {"site\x00.place": "x"}}, headers=mgr)
        assert r.status_code == 422, r.text


def test_a_manager_reads_only_her_own_sites_kiosks_in_the_settings(server):
    s = server
    mgr = {"Authorization": f"Bearer {s.login('mgr')}"}  # manager of T1; k2 is T2's kiosk
    with s.client() as c:
        beat = {"id": str(uuid.uuid4()), "kiosk_id": "k2", "sent_at": s.request_body()["created_at"],
                "outbox_pending": 0, "devices": [], "software_version": "9.9.9-secret"}
        assert c.post("/api/v1/heartbeats", json=beat, headers=s.kiosk("k2")).status_code == 200
        for kiosk in ("k2", "nope", "../../k2"):
            r = c.get("/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": kiosk}, headers=mgr)
            assert r.status_code == 404 and r.json()["code"] == "kiosk", (kiosk, r.status_code, r.text)
            assert "9.9.9" not in r.text
        r = c.get("/api/v1/kiosk-config", params={"site_code": "T1" * 5000}, headers=mgr)
        assert r.status_code in (403, 422), r.status_code
        # her own kiosk still answers
        assert c.get("/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": "k1"}, headers=mgr).status_code == 200


def test_list_filters_are_validated(server):
    s = server
    staff = {"Authorization": f"Bearer {s.login('li')}"}
    with s.client() as c:
        assert c.get("/api/v1/requests", params={"state": "bogus"}, headers=staff).status_code == 422
        many = "&".join(["state=waiting"] * 11)
        assert c.get(f"/api/v1/requests?{many}", headers=staff).status_code == 422
        r = c.get("/api/v1/requests", params=[("state", "waiting"), ("state", "claimed")], headers=staff)
        assert r.status_code == 200


def test_every_error_has_a_code(server):
    s = server
    with s.client() as c:
        huge = '{"id":"x","kiosk_id":"k1","sent_at":"2026-01-01T00:00:00Z","outbox_pending":1' + "0" * 5000 + "}"
        r = c.post("/api/v1/heartbeats", content=huge, headers=s.kiosk() | {"Content-Type": "application/json"})
        assert r.status_code in (400, 422) and r.json()["code"], r.text
        r = c.get("/api/v1/no-such-thing")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        r = c.delete("/api/v1/me", headers={"Authorization": f"Bearer {s.login('li')}"})
        assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_a_devices_raw_bytes_in_its_detail_do_not_cost_the_heartbeat(server):
    s = server
    beat = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": s.request_body()["created_at"], "outbox_pending": 0,
            "devices": [{"device": "printer", "state": "error", "detail": {"raw": "\x1b@\x00paper\u202e out"}}]}
    mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
    with s.client() as c:
        assert c.post("/api/v1/heartbeats", json=beat, headers=s.kiosk()).status_code == 200
        shown = c.get("/api/v1/kiosks", headers=mgr).text
        assert "paper" in shown and "\\u0000" not in shown and "\\u001b" not in shown and "\\u202e" not in shown
