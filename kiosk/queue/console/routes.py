"""Serves the web console: ``/console/`` (the one page), ``/console/static/…``, ``/console/i18n.json``, and
what makes it an installable app: ``/console/manifest.webmanifest`` and the service worker ``/console/sw.js``.

Contract: :func:`mount_console` adds these routes to a FastAPI app (and ``/`` → ``/console/`` when the
app has no ``/`` of its own). The page talks only to the app's own ``/api/v1`` (same origin, the
``kq_session`` cookie); it holds no data of its own. Responses carry a strict Content-Security-Policy
(scripts from this origin only; the one inlined stylesheet by its hash) and are never cached by shared
caches. Files are sent gzip-compressed with ETags, fingerprinted files cached for a year
(:mod:`kiosk.queue.console.assets`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kiosk.i18n import LANGUAGES, _catalog
from kiosk.queue.console.assets import YEAR, Assets, answer

STATIC = Path(__file__).with_name("static")
ASSETS = Assets(STATIC)
CSP = ("default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'{style}; "
       "manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP.format(style=""),
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
def console_page(request: Request) -> Response:
    """The single page: login, live queue, manager views (its stylesheet inlined, its scripts fingerprinted)."""
    page = ASSETS.page()
    csp = CSP.format(style=f" '{ASSETS.style_hash}'" if ASSETS.style_hash else "")
    return answer(page, request.headers, "no-cache", {**SECURITY_HEADERS, "Content-Security-Policy": csp})


@router.get("/console/static/{name}")
def console_static(name: str, request: Request, v: str | None = None) -> Response:
    """A file of the page: a year in the cache when asked for by its current fingerprint ``v``."""
    asset = ASSETS.get(name)
    if asset is None or name == "sw.js":
        return JSONResponse({"detail": "not found"}, status_code=404)
    return answer(asset, request.headers, YEAR if v == asset.version else "no-cache")


@router.get("/console/sw.js")
def service_worker(request: Request) -> Response:
    """The service worker (scope ``/console/``): keeps the page's shell for a weak or absent link."""
    asset = ASSETS.get("sw.js")
    shell = [f"/console/static/{n}?v={a.version}" for n, a in sorted(ASSETS.files().items())
             if n.endswith((".js", ".css", ".png")) and n != "sw.js"]
    body = asset.body.replace(b"/*SHELL*/[]", repr(shell).replace("'", '"').encode())
    from kiosk.queue.console.assets import make

    return answer(make(body, "sw.js"), request.headers, "no-cache",
                  {**SECURITY_HEADERS, "Service-Worker-Allowed": "/console/"})


@router.get("/console/manifest.webmanifest")
def manifest(request: Request) -> Response:
    return answer(ASSETS.get("manifest.webmanifest"), request.headers, "no-cache")


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
    if not any(getattr(r, "path", None) == "/" for r in app.routes):
        app.add_api_route("/", console_redirect, include_in_schema=False)
