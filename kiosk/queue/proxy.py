"""Which proxies to believe: the client's address, scheme and host behind a reverse proxy.

Contract: :meth:`TrustedProxies.apply` changes a request's scope only when its TCP peer is one of the
configured proxy addresses or networks (``--trusted-proxy 10.0.0.5``, ``--trusted-proxy 10.0.0.0/24``):
then the client is the right-most ``X-Forwarded-For`` address that is not itself a trusted proxy, the
scheme is ``X-Forwarded-Proto`` (``http`` or ``https``) and the host ``X-Forwarded-Host``, each its right-most
value (the one the trusted proxy set or appended, never the client's own first one). From anyone else
these headers are ignored, so a client cannot pose as another address (to dodge the login throttle) or
claim HTTPS. uvicorn's own handling of them (which trusts 127.0.0.1 by default) is switched off.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable


class TrustedProxies:
    def __init__(self, addresses: Iterable[str] = ()):
        """Raises ValueError naming an entry that is neither an address nor a network."""
        self.networks = []
        for a in (a.strip() for a in addresses if a.strip()):
            try:
                self.networks.append(ipaddress.ip_network(a, strict=False))
            except ValueError:
                raise ValueError(f"trusted proxy '{a}' is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)") from None

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def apply(self, scope, headers: dict[bytes, bytes]) -> None:
        """Rewrites ``scope`` (client, scheme, the ``host`` header) and ``headers`` for a trusted peer."""
        peer = scope.get("client")
        if not self.networks or not peer or not self.trusts(peer[0]):
            return
        forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            if not self.trusts(hop):
                with contextlib.suppress(ValueError):  # not an address: the peer stays the client
                    scope["client"] = (str(ipaddress.ip_address(hop)), 0)
                break
        proto = headers.get(b"x-forwarded-proto", b"").split(b",")[-1].strip().lower()  # the proxy's own
        if proto in (b"http", b"https"):
            scope["scheme"] = proto.decode()
        host = headers.get(b"x-forwarded-host", b"").split(b",")[-1].strip()
        if host:
            headers[b"host"] = host
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", host)]
