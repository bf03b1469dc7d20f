"""What a webhook sends: the message text of a batch of events, and the HTTP request of each robot kind.

Contract
- :func:`describe` turns stored events into one line each, built only from fields known to hold no full
  personal data: the site's name, the kiosk's place, the ticket number, the matter, the request's
  ``resident_masked`` (``张*``; a masked ID number is cut off), the case number and its promised date. Free
  text (kiosk notes, reasons) is never sent. What a kiosk or a person typed goes out through :func:`plain`:
  the robots read markdown, and a matter named ``[领取补贴](http://…)`` was a link posted by the hall's
  own robot into the staff group (``![](…)`` an image every phone fetched, a line break a ``#`` heading).
- :func:`build` gives ``(url, body bytes, headers)`` in the real formats:
  企业微信 group robot (``msgtype: markdown``), 钉钉 robot (``msgtype: markdown``; with a secret the URL
  gets ``timestamp`` (ms) and ``sign`` = urlencoded base64 HMAC-SHA256 of ``"{timestamp}\\n{secret}"``
  keyed by the secret), 飞书 bot (``msg_type: text``; with a secret the body gets ``timestamp`` (s) and
  ``sign`` = base64 HMAC-SHA256 of the empty message keyed by ``"{timestamp}\\n{secret}"``), and generic
  JSON (``{"source", "site", "events": [...]}``; with a secret the header ``X-Kiosk-Signature:
  sha256=<hex HMAC of the body>`` and ``X-Kiosk-Timestamp``).
- :func:`accepted` reads the answer: a 2xx status, and for the robots ``errcode``/``code`` 0.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import datetime

import orjson

KINDS = ("wecom", "dingtalk", "feishu", "json")
TYPES = ("request.created", "request.escalated", "case.due_soon", "case.overdue")  # what is sent
MAX_LINES = 10  # one message lists at most this many events; the rest are counted
_KIND_TEXT = {"assist": "求助", "proxy": "代办"}


# markdown's links, images, HTML and mentions need these; full-width forms read the same to a person
_INERT = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "`": "｀", "!": "！",
                       "\\": "＼", "\n": " ", "\r": " ", "\t": " ", "\u2028": " ", "\u2029": " "})


def plain(value: object, limit: int) -> str:
    """``value`` cut to ``limit`` characters, with nothing a markdown reader would make a link, an image, a
    heading (a line break) or a mention of."""
    return str(value or "")[:limit].translate(_INERT)


def _masked_name(masked: object) -> str:
    """``张* 110105********002X`` → ``张*``: the name part only, never an ID number even masked."""
    text = plain(str(masked or "").split(" ")[0], 16)
    return text if "*" in text else "居民"


def describe(event: dict, site_names: dict[str, str]) -> str:
    """One line for a stored event (``type``, ``site_code``, ``data``)."""
    data = event.get("data") or {}
    site = plain(site_names.get(event.get("site_code") or "", event.get("site_code") or ""), 64)
    if event["type"].startswith("request."):
        r = data.get("request") or {}
        who = _masked_name(r.get("resident_masked"))
        place = f"{site} {plain(r.get('kiosk_location'), 32)}".strip()
        what = plain(r.get("matter_name") or _KIND_TEXT.get(r.get("kind"), "求助"), 40)
        ticket = f" 票号 {plain(r.get('ticket_no'), 12)}" if r.get("ticket_no") else ""
        if event["type"] == "request.created":
            return f"【新求助】{place}：{who} 需要帮办（{what}）{ticket}"
        minutes = int(r.get("wait_s") or 0) // 60
        up = "，已上报上级站点" if data.get("level") == 2 else ""
        return f"【无人认领】{place}：{who} 已等待 {minutes} 分钟（{what}）{ticket}{up}"
    c = data.get("case") or {}
    what = plain(c.get("matter_name"), 40)
    due = plain(c.get("promised_date"), 10)
    if event["type"] == "case.overdue":
        return f"【代办超期】{site}：代办件 {plain(c.get('id'), 40)}（{what}）承诺 {due} 办结，已超期"
    return f"【代办将到期】{site}：代办件 {plain(c.get('id'), 40)}（{what}）承诺 {due} 办结"


def text_of(lines: list[str], more: int) -> str:
    tail = [f"另有 {more} 条，请打开帮办控制台查看"] if more else []
    return "\n".join(lines + tail)


def _hmac_b64(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's ``sign`` (before URL encoding)."""
    return _hmac_b64(secret.encode(), f"{timestamp_ms}\n{secret}".encode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书's ``sign``: the key is ``timestamp\\nsecret``, the message empty."""
    return _hmac_b64(f"{timestamp_s}\n{secret}".encode(), b"")


def json_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), str(timestamp_s).encode() + b"." + body, hashlib.sha256).hexdigest()


def build(kind: str, url: str, secret: str | None, text: str, events: list[dict], now: datetime,
          site_code: str) -> tuple[str, bytes, dict[str, str]]:
    """The HTTP POST of one message: ``(url, body, headers)``."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    title = text.split("\n", 1)[0][:60]
    if kind == "wecom":
        body: dict = {"msgtype": "markdown", "markdown": {"content": text}}
    elif kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": title, "text": text.replace("\n", "\n\n")}}
        if secret:
            ts = int(now.timestamp() * 1000)
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = f"{url}{sep}timestamp={ts}&sign={urllib.parse.quote_plus(dingtalk_sign(secret, ts))}"
    elif kind == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            ts = int(now.timestamp())
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
    else:
        body = {"source": "kiosk-queue", "site": site_code, "text": text,
                "events": [{"id": e["id"], "type": e["type"], "site_code": e["site_code"], "line": e["line"]}
                           for e in events]}
    raw = orjson.dumps(body)
    if kind == "json" and secret:
        ts = int(now.timestamp())
        headers["X-Kiosk-Timestamp"] = str(ts)
        headers["X-Kiosk-Signature"] = json_signature(secret, ts, raw)
    return url, raw, headers


def accepted(kind: str, status: int, body: bytes) -> str | None:
    """None when the receiver took the message, else a short reason (stored as the webhook's last error)."""
    # Never the body of an answer that is not a robot's: the URL may be any host of the hall's network, and
    # its page (an admin panel, an internal API) must not be readable through last_error (blind SSRF only).
    if not 200 <= status < 300:
        return f"HTTP {status} ({len(body)} bytes)"
    if kind == "json":
        return None
    try:
        answer = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        return f"not JSON ({len(body)} bytes)"
    if not isinstance(answer, dict):
        return "unexpected answer"
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0", None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        return f"error {code}: {str(message)[:120]}"
    return None
