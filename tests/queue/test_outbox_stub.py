"""A small real HTTP server speaking the QUEUE_API contract (idempotent by client id), for the outbox
tests, with switches to misbehave; plus a test that the stub itself keeps the contract."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

KINDS = {"consult", "assist", "proxy", "call"}
TOKEN = "test-kiosk-token"


class QueueStub:
    """Requests by id, how many times each id was *created* (must stay 1), and failure switches.

    ``fail`` is a list of status codes to answer (one per request) before behaving; ``lose_reply`` makes
    the next N requests be stored and then answered with a dropped connection (the reply is lost).
    """

    def __init__(self, port: int = 0):
        self.requests: dict[str, dict] = {}
        self.created: dict[str, int] = {}
        self.heartbeats: dict[str, dict] = {}
        self.cancels: list[str] = []
        self.posts = 0
        self.fail: list[int] = []
        self.lose_reply = 0
        self.reply_delay = 0.0
        self.lock = threading.Lock()
        self.connections: set = set()
        self._port = port
        self.server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 65536  # one write per reply (flushed by handle_one_request): no Nagle stalls
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()
                with stub.lock:
                    stub.connections.add(self.connection)

            def finish(self):
                with stub.lock:
                    stub.connections.discard(self.connection)
                super().finish()

            def _reply(self, code: int, data: dict) -> None:
                raw = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                if self.path == "/healthz":
                    return self._reply(200, {"ok": True})
                m = re.fullmatch(r"/api/v1/requests/([\w-]+)", self.path)
                with stub.lock:
                    req = stub.requests.get(m.group(1)) if m else None
                if req is None:
                    return self._reply(404, {"detail": "no such request"})
                self._reply(200, {"id": req["id"], "state": req["state"], "position": 1, "expected_wait_s": 60,
                                  "helper_display": "帮办员 李*" if req["state"] == "claimed" else None})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._reply(401, {"detail": "bad or missing kiosk token"})
                with stub.lock:
                    stub.posts += 1
                    if stub.fail:
                        code = stub.fail.pop(0)
                        return self._reply(code, {"detail": f"stub failure {code}"})
                    code, data = stub.handle(self.path, body)
                    lose = stub.lose_reply > 0
                    stub.lose_reply -= lose
                if stub.reply_delay:
                    time.sleep(stub.reply_delay)
                if lose:  # stored, but the kiosk never hears back
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._reply(code, data)

        self.server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self.server.daemon_threads = True
        self._port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def handle(self, path: str, body: dict) -> tuple[int, dict]:
        if path == "/api/v1/requests":
            if body.get("kind") not in KINDS:
                return 422, {"detail": [{"loc": ["body", "kind"], "msg": "Input should be 'consult', 'assist', "
                                         "'proxy' or 'call'", "input": body.get("kind")},
                                        {"loc": ["body", "resident", "id_number"], "msg": "bad check digit",
                                         "input": "11010519491231002X"}]}
            rid = body["id"]
            if rid in self.requests:
                return 200, {**self.requests[rid], "created": False}
            self.requests[rid] = {"id": rid, "state": "waiting", "body": body}
            self.created[rid] = self.created.get(rid, 0) + 1
            return 201, {"id": rid, "state": "waiting", "position": len(self.requests), "expected_wait_s": 60,
                         "created": True}
        m = re.fullmatch(r"/api/v1/requests/([\w-]+)/cancel", path)
        if m:
            req = self.requests.get(m.group(1))
            if req is None:
                return 404, {"detail": "no such request"}
            req["state"] = "cancelled"
            self.cancels.append(m.group(1))
            return 200, {"id": req["id"], "state": "cancelled"}
        if path == "/api/v1/heartbeats":
            self.heartbeats[body["id"]] = body
            return 200, {"ok": True}
        return 404, {"detail": "not found"}

    def stop(self) -> None:
        """Stops listening and drops open connections (the network is 'down'); keeps what was stored."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        with self.lock:
            conns, self.connections = list(self.connections), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


def test_stub_keeps_the_contract_idempotency():
    stub = QueueStub()
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"id": "a1", "kind": "call", "step": "start"}
        first = httpx.post(stub.url + "/api/v1/requests", json=body, headers=headers)
        again = httpx.post(stub.url + "/api/v1/requests", json=body, headers=headers)
        assert (first.status_code, first.json()["created"]) == (201, True)
        assert (again.status_code, again.json()["created"]) == (200, False)
        assert stub.created == {"a1": 1}
        assert httpx.post(stub.url + "/api/v1/requests", json=body).status_code == 401
    finally:
        stub.stop()
