"""好差评 endpoints: kiosks' ratings (``POST /api/v1/ratings``) and the public rating page behind the
QR code of a 材料归还单 or of a kiosk's slip for a help request (``GET`` / ``POST /r/{token}``).

Contract (``kiosk/queue/API.md``): the kiosk endpoint needs the kiosk's token and answers 201 (200 for a
replay). The page needs no login: the token in the link is the only key (192 random bits); it shows the
matter and the hall, never a person; it takes a form post of at most :data:`MAX_FORM` bytes, answers
plain HTML (no script; strict Content-Security-Policy) and rates a case once (a second post shows the
rating given). Unknown token: 404 page. At most 30 calls a minute from one address (429 page with
``Retry-After``), so the page cannot be used to scan for tokens or to load the server.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse

from kiosk.queue.api_cases import case_service
from kiosk.queue.budget import AddressBudget
from kiosk.queue.connguard import address_key
from kiosk.queue.context import Context
from kiosk.queue.deps import Caller, Ctx
from kiosk.queue.errors import QueueError
from kiosk.queue.ratings import REASONS, SCORES, RatingIn, RatingService

router = APIRouter(tags=["ratings"])
Token = Annotated[str, PathParam(min_length=16, max_length=48, pattern=r"^[A-Za-z0-9_\-]+$")]
MAX_FORM = 4096
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                           "frame-ancestors 'none'; base-uri 'none'",
                "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
CSS = ("body{font-family:sans-serif;margin:0;padding:16px;max-width:520px;color:#1b1f24;font-size:18px}"
       "h1{font-size:22px;color:#0b5cad}label{display:block;padding:10px;margin:6px 0;border:1px solid #cfd8e3;"
       "border-radius:8px}textarea{width:100%;height:80px;font-size:16px;box-sizing:border-box}"
       "button{width:100%;padding:14px;font-size:20px;background:#0b5cad;color:#fff;border:0;border-radius:8px;"
       "margin-top:12px}.muted{color:#666;font-size:15px}.error{color:#c62828}")


def rating_service(c: Context) -> RatingService:
    svc = case_service(c)
    if getattr(svc, "ratings", None) is None:
        svc.ratings = RatingService(c.db, c.settings.clock, svc)
    return svc.ratings


@router.post("/api/v1/ratings", status_code=201, tags=["kiosk"],
             responses={200: {"description": "replay: the stored rating"}})
async def kiosk_rating(body: RatingIn, caller: Caller, c: Ctx) -> JSONResponse:
    """A resident's 好差评 of a help request, given at the kiosk and sent through its outbox."""
    out = await c.run(rating_service(c).kiosk_rate, caller, body)
    return JSONResponse(out, status_code=201 if out["created"] else 200)


def page_budget(c: Context) -> AddressBudget:
    """One budget per server for the rating page: 30 calls a minute from one address."""
    budget = c.rating_budget
    if not isinstance(budget, AddressBudget):
        budget = c.rating_budget = AddressBudget(limit=c.settings.extra.get("rating_page_per_minute", 30))
    return budget


def _over_budget(request: Request, c: Context) -> HTMLResponse | None:
    wait = page_budget(c).take(address_key(request.client.host) if request.client else "?")  # IPv6: per /64
    if wait is None:
        return None
    page = _page("请稍后再试", "<p>访问过于频繁，请一分钟后再扫码。</p>", status=429)
    page.headers["Retry-After"] = str(int(wait))
    return page


def _page(title: str, *body: str, status: int = 200) -> HTMLResponse:
    html = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><h1>{escape(title)}</h1>{''.join(body)}</body></html>")
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _form(token: str, case: dict, error: str | None = None) -> HTMLResponse:
    scores = "".join(f"<label><input type='radio' name='score' value='{s}' required> {escape(name)}</label>"
                     for s, name in SCORES.items())
    reasons = "".join(f"<label><input type='checkbox' name='reason' value='{k}'> {escape(v)}</label>"
                      for k, v in REASONS.items())
    return _page("代办服务评价" if case.get("what", "case") == "case" else "帮办服务评价",
                 f"<p>{escape(case['site_name'])}<br>事项：{escape(case['matter_name'])}</p>",
                 f"<p class='error'>{escape(error)}</p>" if error else "",
                 f"<form method='post' action='/r/{escape(token)}'>{scores}"
                 f"<p class='muted'>不满意时请选择原因（可多选）或写下意见：</p>{reasons}"
                 "<textarea name='comment' maxlength='200' placeholder='意见或建议（可不填，勿填身份证号、电话）'></textarea>"
                 "<button type='submit'>提交评价</button></form>",
                 status=422 if error else 200)


def _rated(score: int) -> HTMLResponse:
    return _page("感谢您的评价", f"<p>您的评价：{escape(SCORES.get(score, str(score)))}。</p>",
                 "<p class='muted'>帮办代办免费，有困难请找工作人员。</p>")


@router.get("/r/{token}", response_class=HTMLResponse, include_in_schema=False)
async def rating_page(token: Token, request: Request, c: Ctx) -> HTMLResponse:
    if (refused := _over_budget(request, c)) is not None:
        return refused
    case = await c.run(rating_service(c).case_by_token, token)
    if case is None:
        return _page("找不到该评价链接", "<p>请核对回执上的二维码，或向工作人员咨询。</p>", status=404)
    if case["rated"] is not None:
        return _rated(case["rated"])
    if not case["rateable"]:
        return _page("办结后可评价", f"<p>{escape(case['matter_name'])} 尚在办理中，办结后再扫码评价。</p>")
    return _form(token, case)


@router.post("/r/{token}", response_class=HTMLResponse, include_in_schema=False)
async def rate_by_qr(token: Token, request: Request, c: Ctx) -> HTMLResponse:
    if (refused := _over_budget(request, c)) is not None:
        return refused
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM:
            return _page("内容过长", "<p>请精简意见后重试。</p>", status=413)
    form = parse_qs(raw.decode("utf-8", errors="replace"), max_num_fields=20)
    svc = rating_service(c)
    case = await c.run(svc.case_by_token, token)
    if case is None:
        return _page("找不到该评价链接", "<p>请核对回执上的二维码，或向工作人员咨询。</p>", status=404)
    try:
        score = int((form.get("score") or ["0"])[0])
        out = await c.run(svc.qr_rate, token, score, form.get("reason", [])[:6], (form.get("comment") or [None])[0])
    except ValueError:
        return _form(token, case, "请选择满意程度")
    except QueueError as exc:
        if exc.code == "rating_too_early":
            return _page("办结后可评价", f"<p>{escape(case['matter_name'])} 尚在办理中，办结后再扫码评价。</p>")
        return _form(token, case, exc.message("zh_CN"))
    return _rated(out["case"]["rated"])
