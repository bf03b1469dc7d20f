"""``/docs``: the API's pages, served offline and only when asked for (``kiosk queue serve --docs``).

Contract: FastAPI's own ``/docs`` and ``/redoc`` load their scripts from a public CDN (they fail on a hall
intranet and would run someone else's code on the console's origin), so the app is built without them.
:func:`mount_docs` adds ``/docs``: Swagger UI 5 from the ``fastapi-offline`` package's files under
``/docs/assets/`` and a page with no inline script, under a Content-Security-Policy that allows scripts
from this server only. ``/openapi.json`` is always served.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

INIT = ('"use strict";\n/* Swagger UI on the server\'s own OpenAPI document (a file, not an inline script) */\n'
        'window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});\n')
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>帮办呼叫队列 API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>
"""


def mount_docs(app: FastAPI) -> None:
    """Adds ``/docs`` (raises RuntimeError saying what to install when Swagger UI's files are missing)."""
    try:
        import fastapi_offline
    except ImportError:
        raise RuntimeError("--docs needs the fastapi-offline package (Swagger UI's files): "
                           "pip install fastapi-offline") from None
    assets = Path(fastapi_offline.__file__).with_name("static")
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "X-Frame-Options": "DENY"}

    async def docs_page() -> HTMLResponse:
        return HTMLResponse(PAGE, headers=headers)

    async def docs_init() -> Response:
        return Response(INIT, media_type="text/javascript", headers=headers)

    app.add_api_route("/docs", docs_page, include_in_schema=False)
    app.add_api_route("/docs/init.js", docs_init, include_in_schema=False)
    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")
