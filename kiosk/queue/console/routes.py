"""Serves the web console: ``/console/`` (the one page), ``/console/static/…`` and ``/console/i18n.json``.

Contract: :func:`mount_console` adds these routes to a FastAPI app (and ``/`` → ``/console/`` when the
app has no ``/`` of its own). The page talks only to the app's own ``/api/v1`` (same origin, the
``kq_session`` cookie); it holds no data of its own. Responses carry a strict Content-Security-Policy
(scripts and styles from this origin only) and are never cached by shared caches.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from kiosk.i18n import LANGUAGES, _catalog

STATIC = Path(__file__).with_name("static")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/console")
def console_redirect() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=308)


@router.get("/console/")
def console_page() -> FileResponse:
    """The single page: login, live queue, manager views."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/console/i18n.json")
def console_texts(lang: str = Query("zh_CN", description="zh_CN or en")) -> JSONResponse:
    """The console's texts (the ``console`` table of kiosk/locale/<lang>/console.toml), zh_CN filling gaps."""
    language = lang if lang in LANGUAGES else "zh_CN"
    merged = _merge(_catalog("zh_CN").get("console", {}), _catalog(language).get("console", {}))
    return JSONResponse({"language": language, "texts": merged}, headers={"Cache-Control": "no-cache"})


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base.get(k, {}), v) if isinstance(v, dict) else v
    return out


def mount_console(app: FastAPI) -> None:
    """Adds the console to ``app``: the page, its static files and texts, and ``/`` → ``/console/``."""
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    if not any(getattr(r, "path", None) == "/" for r in app.routes):
        app.add_api_route("/", console_redirect, include_in_schema=False)
