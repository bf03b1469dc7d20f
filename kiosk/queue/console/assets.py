"""The console's files, made ready once per process: compressed, fingerprinted, answered with 304 when unchanged.

Contract
- :class:`Assets` reads every file of ``static/`` when first asked. Each gets an ETag (a hash of its bytes)
  and, for text, a gzip copy sent to browsers that accept it (``Vary: Accept-Encoding``).
- The page (``index.html``) is rewritten on the way out: its stylesheets are inlined (one ``<style>``) (the first paint needs
  one round trip, not two: slow-3G draws the splash well within 1 s) and every ``/console/static/NAME``
  gets ``?v=<hash>``; files asked for with their current ``v`` are cached for a year (``immutable``),
  anything else is revalidated (``no-cache`` + ETag). The inlined style is allowed by its SHA-256 in the
  page's Content-Security-Policy (:attr:`Assets.style_hash`); no other inline code runs.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

COMPRESSIBLE = (".html", ".js", ".css", ".json", ".webmanifest", ".svg", ".txt")
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".webmanifest": "application/manifest+json",
         ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml"}
YEAR = "public, max-age=31536000, immutable"
_STATIC_REF = re.compile(r'(/console/static/([A-Za-z0-9_.\-]+))"')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="/console/static/([A-Za-z0-9_.\-]+\.css)">\n?')


@dataclass(frozen=True)
class Asset:
    body: bytes
    gz: bytes | None
    etag: str
    media_type: str
    version: str  # the short hash used as ?v=


def make(body: bytes, name: str) -> Asset:
    digest = hashlib.sha256(body).hexdigest()
    suffix = Path(name).suffix
    media = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    gz = gzip.compress(body, 9, mtime=0) if suffix in COMPRESSIBLE and len(body) > 512 else None
    return Asset(body, gz, f'"{digest[:20]}"', media, digest[:10])


class Assets:
    """The files of ``folder``; :meth:`page` is index.html as served."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._files: dict[str, Asset] | None = None
        self._page: Asset | None = None
        self.style_hash = ""

    def files(self) -> dict[str, Asset]:
        if self._files is None:
            self._files = {p.name: make(p.read_bytes(), p.name) for p in sorted(self.folder.iterdir())
                           if p.is_file() and not p.name.startswith(".")}
        return self._files

    def get(self, name: str) -> Asset | None:
        return self.files().get(name)

    def page(self) -> Asset:
        if self._page is None:
            files = self.files()
            html = files["index.html"].body.decode()
            sheets = [m for m in _STYLESHEET.finditer(html) if m.group(1) in files]
            if sheets:  # every stylesheet of the page, in order, in one <style> where the first was
                style = "\n".join(files[m.group(1)].body.decode() for m in sheets)
                self.style_hash = "sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
                first = sheets[0].group(0)
                html = _STYLESHEET.sub(lambda m: "" if m.group(1) in files and m.group(0) != first else m.group(0), html)
                html = html.replace(first, f"<style>{style}</style>\n", 1)

            def versioned(m: re.Match) -> str:
                asset = files.get(m.group(2))
                return f'{m.group(1)}?v={asset.version}"' if asset else m.group(0)

            html = _STATIC_REF.sub(versioned, html)
            self._page = make(html.encode(), "index.html")
        return self._page


def answer(asset: Asset, headers, cache: str, extra: dict | None = None):
    """The response for ``asset``: 304 when the browser's ETag matches, gzip when accepted."""
    from starlette.responses import Response

    out = {"ETag": asset.etag, "Cache-Control": cache, "Vary": "Accept-Encoding", **(extra or {})}
    if asset.etag in headers.get("if-none-match", ""):
        return Response(status_code=304, headers=out)
    if asset.gz is not None and "gzip" in headers.get("accept-encoding", ""):
        return Response(asset.gz, media_type=asset.media_type, headers={**out, "Content-Encoding": "gzip"})
    return Response(asset.body, media_type=asset.media_type, headers=out)
