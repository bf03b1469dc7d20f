"""A WebSocket handshake as a way to lock an address out, against a real ``kiosk queue serve``: the server
has no WebSocket routes, but uvicorn (the ``websockets`` package installed) handed every ``Upgrade:
websocket`` request to its WebSocket protocol, which answered 403 — and the connection never came back to
the guard's bookkeeping, so its address's count of open connections stayed up for ever. 25 such requests
(no login needed) with a cap of 20 per address locked that address out until a restart; with the default
cap, 100 lock out an IPv6 client's whole /64, which is a hall's LAN. Now an ``Upgrade`` header is ignored
and the request answered as plain HTTP, without a log line per request."""

from __future__ import annotations

from tests.queue.hostile import served

UPGRADE = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def test_websocket_handshakes_cannot_lock_an_address_out(tmp_path):
    with served(tmp_path, "--max-connections-per-address", "20") as s:
        for _ in range(25):
            sock = s.raw("127.0.0.5", UPGRADE)
            sock.settimeout(30)
            answer = sock.recv(4096)
            sock.close()
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]  # plain HTTP: the health page
        with s.client("127.0.0.5") as c:  # the address is still welcome
            assert c.get("/healthz").status_code == 200
        assert "upgrade" not in s.log().lower(), s.log()[-2000:]
