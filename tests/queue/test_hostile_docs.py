"""The API pages on a hall intranet (issue 8, point 11), against a real ``kiosk queue serve`` process:
``/docs`` and ``/redoc`` are off by default; ``--docs`` serves Swagger UI from the server itself (nothing
from a public CDN, no inline script) under a Content-Security-Policy; every other answer carries one too."""

from __future__ import annotations

import re

from tests.queue.hostile import served


def test_11_api_pages_are_off_by_default_and_offline_when_on(tmp_path):
    with served(tmp_path / "off") as s, s.client() as c:
        assert c.get("/docs").status_code == 404 and c.get("/redoc").status_code == 404
        assert c.get("/openapi.json").status_code == 200  # the document itself stays (tools, kiosks' tests)
        for path in ("/console/", "/healthz", "/api/v1/me"):
            csp = c.get(path).headers.get("content-security-policy", "")
            assert "default-src" in csp and "cdn" not in csp and "http" not in csp, (path, csp)
    with served(tmp_path / "on", "--docs") as s, s.client() as c:
        page = c.get("/docs")
        assert page.status_code == 200 and "swagger-ui" in page.text
        assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "loads something from another site"
        assert not re.search(r"<script>(?!\s*</script>)", page.text), "inline script"
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp
        for asset in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", page.text):
            r = c.get(asset)
            assert r.status_code == 200 and "cdn.jsdelivr" not in r.text[:100_000], asset
        assert c.get("/redoc").status_code == 404
