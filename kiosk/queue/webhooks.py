"""A site's outgoing webhooks (企业微信 / 钉钉 / 飞书 robots, generic JSON): adding, listing, removing.

Contract
- :func:`check` validates what a manager gives, raising ``ValueError`` with a Chinese message: the kind is
  one of :data:`KINDS`; the URL is ``http``/``https`` with a host, at most 500 characters, no spaces or
  control characters, not at the cloud's metadata service or another address that is no host
  (:mod:`kiosk.queue.webhook_targets`); the secret (optional) is 1–200 printable ASCII characters.
- Secrets are stored encrypted with the server's identity key and never shown back: a view carries
  ``secret_set`` and the secret's last 2 characters; the URL's query values (the robots' access tokens)
  are shown as their last 4 characters only, and a password in the URL (``user:pw@host``) as ``…``.
- A new webhook starts at the newest stored event: it announces what happens from now on, not history.
- At most :data:`MAX_PER_SITE` webhooks per site. Sending is :mod:`kiosk.queue.webhook_sender`'s work.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime

from sqlalchemy import delete, func, select

from kiosk.queue import store
from kiosk.queue.crypto import IdentityBox
from kiosk.queue.db import Database
from kiosk.queue.models import sites, webhooks
from kiosk.queue.webhook_formats import KINDS
from kiosk.queue.webhook_targets import check_host

MAX_PER_SITE = 10
MAX_URL = 500
MAX_SECRET = 200


def check(kind: str, url: str, secret: str | None) -> None:
    """Raises ``ValueError`` (Chinese message) for a kind, URL or secret that cannot be used."""
    if kind not in KINDS:
        raise ValueError(f"未知的通知类型 {str(kind)[:20]!r}：可选 {' / '.join(KINDS)}")
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise ValueError(f"通知地址须为 1–{MAX_URL} 个字符的网址")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("通知地址不能含空格或控制字符")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("通知地址不是有效的网址") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("通知地址须以 http:// 或 https:// 开头并含主机名")
    if port == 0:
        raise ValueError("通知地址的端口无效")
    check_host(parts.hostname)
    if secret is not None and not (1 <= len(secret) <= MAX_SECRET and secret.isascii() and secret.isprintable()):
        raise ValueError(f"签名密钥须为 1–{MAX_SECRET} 个可打印的英文字符")


def masked_url(url: str) -> str:
    """The URL with each query value cut to its last 4 characters (robots' tokens are in the query)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(":" + parts.password + "@", ":…@", 1))
    if not parts.query:
        return urllib.parse.urlunsplit(parts)
    query = "&".join(f"{urllib.parse.quote(k)}=…{urllib.parse.quote(v[-4:]) if len(v) > 4 else ''}"
                     for k, v in urllib.parse.parse_qsl(parts.query, True))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def view(row) -> dict:
    """What managers see of a webhook (never the secret, never the full token)."""
    return {"id": row["id"], "site_code": row["site_code"], "kind": row["kind"], "url": masked_url(row["url"]),
            "secret_set": row["secret_enc"] is not None, "created_by": row["created_by"],
            "created_at": row["created_at"], "sent": row["sent"], "failed": row["failed"],
            "dropped": row["dropped"], "last_ok_at": row["last_ok_at"], "last_error": row["last_error"],
            "last_error_at": row["last_error_at"], "retrying": row["attempts"] > 0}


def add(db: Database, box: IdentityBox, site: str, kind: str, url: str, secret: str | None, author: str,
        now: datetime) -> dict:
    check(kind, url, secret)
    with db.write() as conn:
        if conn.execute(select(sites.c.code).where(sites.c.code == site)).first() is None:
            raise ValueError(f"没有站点 {site[:32]}：请先用 kiosk queue add-site 添加")
        count = conn.execute(select(func.count()).select_from(webhooks).where(webhooks.c.site_code == site)).scalar()
        if count >= MAX_PER_SITE:
            raise ValueError(f"站点 {site} 已有 {MAX_PER_SITE} 个通知地址：请先删除不用的")
        cursor = store.last_event_id(conn)  # from now on (final ids: kiosk/queue/store.py)
        secret_enc = box.seal_record({"secret": secret}) if secret else None
        new_id = conn.execute(webhooks.insert().values(
            site_code=site, kind=kind, url=url, secret_enc=secret_enc, created_by=author[:96], created_at=now,
            cursor=cursor, attempts=0, sent=0, failed=0, dropped=0)).inserted_primary_key[0]
        row = conn.execute(select(webhooks).where(webhooks.c.id == new_id)).mappings().one()
    return view(row)


def listing(db: Database, site_codes: frozenset[str] | None = None) -> list[dict]:
    """Every webhook (``site_codes`` None: all sites, for the CLI), by site then id."""
    stmt = select(webhooks).order_by(webhooks.c.site_code, webhooks.c.id)
    if site_codes is not None:
        stmt = stmt.where(webhooks.c.site_code.in_(sorted(site_codes)))
    with db.read() as conn:
        return [view(r) for r in conn.execute(stmt).mappings()]


def remove(db: Database, webhook_id: int, site_codes: frozenset[str] | None = None) -> bool:
    stmt = delete(webhooks).where(webhooks.c.id == webhook_id)
    if site_codes is not None:
        stmt = stmt.where(webhooks.c.site_code.in_(sorted(site_codes)))
    with db.write() as conn:
        return conn.execute(stmt).rowcount > 0


def secret_of(box: IdentityBox, row) -> str | None:
    return box.open_record(row["secret_enc"]).get("secret") if row["secret_enc"] else None
