"""Attack (noticed by the attack review): behind a trusted proxy that appends to ``X-Forwarded-Proto`` and
``X-Forwarded-Host`` instead of replacing them, the client's own first value was believed: it could claim
HTTPS over plain HTTP (Secure cookies, HSTS) or name the host its cookies' origin checks compare with. As
``X-Forwarded-For`` already was, both are now read from the right: the value the trusted proxy added."""

from __future__ import annotations

from kiosk.queue.proxy import TrustedProxies


def _apply(headers: dict[bytes, bytes], peer: str = "10.0.0.5") -> tuple[dict, dict[bytes, bytes]]:
    scope = {"client": (peer, 4711), "scheme": "http", "headers": [(b"host", b"queue.hall.example")]}
    TrustedProxies(["10.0.0.5"]).apply(scope, headers)
    return scope, headers


def test_the_proxys_own_value_wins_over_what_the_client_sent_first():
    scope, headers = _apply({b"x-forwarded-proto": b"https, http", b"x-forwarded-host": b"evil.example, queue.hall.example",
                             b"x-forwarded-for": b"6.6.6.6, 192.168.1.20"})
    assert scope["scheme"] == "http" and headers[b"host"] == b"queue.hall.example"
    assert scope["client"][0] == "192.168.1.20"


def test_a_proxy_that_sets_one_value_is_believed_and_a_stranger_is_not():
    scope, headers = _apply({b"x-forwarded-proto": b"https", b"x-forwarded-host": b"queue.hall.example"})
    assert scope["scheme"] == "https" and headers[b"host"] == b"queue.hall.example"
    scope, headers = _apply({b"x-forwarded-proto": b"https", b"x-forwarded-host": b"evil.example"}, peer="6.6.6.6")
    assert scope["scheme"] == "http" and b"host" not in headers
