"""Where a webhook may not point: the cloud's metadata service and addresses that are no host at all.

Contract
- :func:`forbidden` is True for link-local addresses (169.254.0.0/16 — AWS, Huawei and Tencent Cloud
  metadata at 169.254.169.254 / 169.254.0.23 — and fe80::/10), Alibaba Cloud's metadata address
  100.100.100.200, unspecified (0.0.0.0, ::), multicast, broadcast and reserved addresses, also when
  written as IPv4-mapped IPv6. A manager's URL may still point into the hall's own network (private
  addresses, the server's loopback): that is where an on-premises robot lives.
- :func:`literal` reads a host written as an address in any form the system resolver accepts
  (``169.254.169.254``, ``0xa9fea9fe``, ``2852039166``, ``[::ffff:a9fe:a9fe]``); :func:`check_host`
  refuses a forbidden one when the webhook is added (ValueError, Chinese message).
- :func:`resolved_problem` resolves a host name when a message is sent and names the problem when any of
  its addresses is forbidden (a name made to point at the metadata service is refused every time).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
METADATA = {ipaddress.ip_address("100.100.100.200")}


def forbidden(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip in METADATA
            or ip == ipaddress.IPv4Address("255.255.255.255"))


def literal(host: str) -> Address | None:
    """``host`` as an address when it is written as one (in any form ``inet_aton`` takes), else None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_host(host: str) -> None:
    ip = literal(host)
    if ip is not None and forbidden(ip):
        raise ValueError("通知地址不能指向云服务器的元数据服务、链路本地、组播或保留地址")


async def resolved_problem(host: str, port: int) -> str | None:
    """None when every address ``host`` resolves to may be sent to; else the reason (no lookup error:
    the HTTP client reports that itself)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if forbidden(ip):
            return f"blocked: {host[:60]} resolves to {ip}, a metadata/link-local/reserved address"
    return None
