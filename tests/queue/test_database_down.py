"""PostgreSQL unreachable (the link to the database cut, the server restarting): every endpoint answers 503
``database_unavailable`` with ``Retry-After`` and words saying what is wrong, never a bare 500, and the
server serves again by itself when the database is back. Real traffic: the server reaches PostgreSQL through
a TCP relay the test cuts and restores."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from tests.queue.conftest import PG_BASE, FakeClock, LiveServer, clean, pg_schema

pytestmark = pytest.mark.postgres


class Relay:
    """127.0.0.1:<port> → PostgreSQL. ``cut()`` drops every open link and refuses new ones until ``restore()``."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.up, self.links = target, threading.Event(), []
        self.up.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up.clear()
        links, self.links = self.links, []
        for s in links:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def relayed(tmp_path):
    from kiosk.queue.api import ServerSettings, build_context
    from kiosk.queue.db import Database
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    with pg_schema("tqdown") as url:
        db = Database(url)
        db.migrate()
        db.dispose()
        host_port = PG_BASE.split("//", 1)[1].split("/", 1)[0]
        host, port = host_port.rsplit(":", 1)
        relay = Relay((host, int(port)))
        clock = FakeClock()
        settings = ServerSettings(db_url=url.replace(host_port, f"127.0.0.1:{relay.port}"), state_dir=tmp_path,
                                  clock=clock, migrate=False, auth_cache_s=0.0, sse_ping_s=0.2)
        ctx = build_context(settings)
        clean(ctx.db)
        now = clock()
        add_site(ctx.db, "T1", "南郊街道便民服务中心", "town", now)
        token = add_kiosk(ctx.db, "k1", "T1", now)
        add_user(ctx.db, "li", "helper", ["T1"], "correct-horse-1", now)
        try:
            yield ctx, relay, token
        finally:
            relay.close()
            ctx.db.dispose()


def _body(ctx, n: int) -> dict:
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "kind": "assist", "kiosk_id": "k1", "site_code": "T1",
            "step": "matter", "priority": "normal", "created_at": ctx.settings.clock().isoformat()}


def test_a_cut_database_is_a_503_that_says_so_and_the_server_heals(relayed):
    import httpx

    from kiosk.queue.api import create_app

    ctx, relay, kiosk_token = relayed
    with LiveServer(create_app(ctx.settings, ctx)) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        kiosk = {"Authorization": f"Bearer {kiosk_token}"}
        assert http.post("/api/v1/requests", json=_body(ctx, 1), headers=kiosk).status_code == 201
        login = http.post("/api/v1/auth/login", json={"username": "li", "password": "correct-horse-1"})
        staff = {"Authorization": f"Bearer {login.json()['token']}"}
        assert http.get("/api/v1/requests", headers=staff).status_code == 200

        relay.cut()
        answers = [http.post("/api/v1/requests", json=_body(ctx, 2), headers=kiosk),  # the hot path
                   http.post(f"/api/v1/requests/{_body(ctx, 1)['id']}/claim", headers=staff),
                   http.get("/api/v1/requests", headers=staff),  # a FastAPI route
                   http.get("/api/v1/requests", headers={**staff, "Accept-Language": "en"})]
        for r in answers:
            assert r.status_code == 503, (r.request.url, r.status_code, r.text)
            assert r.json()["code"] == "database_unavailable"
            assert int(r.headers["retry-after"]) > 0
        assert "数据库" in answers[0].json()["detail"]
        assert "database" in answers[-1].json()["detail"].lower()

        relay.restore()
        for _attempt in range(3):  # a pooled link found dead on first use may cost one more 503
            r = http.post("/api/v1/requests", json=_body(ctx, 2), headers=kiosk)
            if r.status_code != 503:
                break
        assert r.status_code == 201, r.text
        assert http.post(f"/api/v1/requests/{_body(ctx, 2)['id']}/claim", headers=staff).status_code in (200, 503)
