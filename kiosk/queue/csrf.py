"""Cross-site request forgery: is a cookie-authenticated, state-changing call from the console's own origin?

Contract
- :func:`same_origin` answers for one request from its headers: ``Sec-Fetch-Site`` when the browser sent
  it (only ``same-origin`` and ``none`` pass); else ``Origin``; else the origin of ``Referer``. The
  request's own origin is its scheme (after :mod:`kiosk.queue.proxy`) and its ``Host``. A request with
  none of the three headers is not a browser's ``fetch`` (browsers send ``Origin`` on every POST/PUT) and
  does not pass: scripts use bearer tokens, which browsers never send by themselves.
- SameSite=Strict cookies do not help here: another port of the same host is the *same site*.
- Bearer-token calls are never checked (see :mod:`kiosk.queue.guard`). The login is checked only when the
  browser says where it comes from (login CSRF: being logged in as the attacker).
"""

from __future__ import annotations

from urllib.parse import urlsplit

PASSING_FETCH_SITES = (b"same-origin", b"none")


def _origin_of(url: bytes) -> bytes | None:
    try:
        parts = urlsplit(url.decode("latin-1"))
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower().encode("latin-1")


def own_origin(scope, headers: dict[bytes, bytes]) -> bytes:
    return scope.get("scheme", "http").encode() + b"://" + headers.get(b"host", b"").lower()


def same_origin(scope, headers: dict[bytes, bytes], *, required: bool = True) -> bool:
    """True when the request comes from this server's own pages (see the module docstring); a request
    that says nothing passes only when not ``required``."""
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site.lower() in PASSING_FETCH_SITES
    origin = headers.get(b"origin")
    if origin is None and (referer := headers.get(b"referer")):
        origin = _origin_of(referer)
    if origin is None:
        return not required
    return origin.lower() == own_origin(scope, headers)
