"""The 督查 report as a download: ``GET /api/v1/reports?site_code=&period=&format=html|xlsx|pdf``.

Contract (``kiosk/queue/API.md``): managers and supervisors; the site must be one they see (403 ``site``),
and only the sites below it that they see are included. A bad period answers 422 ``report_period``; PDF
without Chromium 503 ``report_failed``. The numbers are :func:`kiosk.queue.figures.figures`' for the range.
"""

from __future__ import annotations

import threading
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kiosk.queue.api_cases import case_service
from kiosk.queue.auth import require_user
from kiosk.queue.deps import Caller, Ctx
from kiosk.queue.errors import Forbidden, Invalid, NotFound, _kind

router = APIRouter(prefix="/api/v1", tags=["manager"])
ReportFailed = _kind("ReportFailed", 503, "The report file could not be made; the message says why.")
# Reports run in the shared worker threads (a PDF is a Chromium of ~200 MB for seconds): a few at once per
# process, one PDF, and the rest answer 503 report_busy at once, so a burst of clicks or a script can
# neither fill the memory with browsers nor take the threads every other staff call needs.
REPORTS_AT_ONCE, PDFS_AT_ONCE, BUSY_RETRY_S = 2, 1, 5
_reports, _pdfs = threading.BoundedSemaphore(REPORTS_AT_ONCE), threading.BoundedSemaphore(PDFS_AT_ONCE)


@router.get("/reports", response_class=Response, responses={200: {"description": "the report file"}})
async def report(caller: Caller, c: Ctx, site_code: Annotated[str, Query(max_length=32)],
                 period: Annotated[str, Query(max_length=10, description="2026-12 or 2026-12-03")],
                 format: Annotated[str, Query(pattern="^(html|xlsx|pdf)$")] = "html") -> Response:  # noqa: A002
    """The daily or monthly 督查 report of ``site_code`` and the sites below it that the caller sees."""
    from starlette.concurrency import run_in_threadpool

    from kiosk.queue.report_data import build, parse_period
    from kiosk.queue.report_files import ReportError, report_bytes

    require_user(caller, "manager", "supervisor")
    if site_code not in caller.visible:
        raise Forbidden("site", site=site_code)
    try:
        when = parse_period(period)
    except ValueError:
        raise Invalid("report_period", period=period) from None

    def run() -> tuple[bytes, str]:
        now = c.settings.clock()
        with c.db.read() as conn:
            try:
                data = build(conn, case_service(c), site_code, when, now, visible=caller.visible)
            except LookupError:
                raise NotFound("site", site=site_code) from None
        try:
            return report_bytes(data, format)
        except ReportError as exc:
            raise ReportFailed("report_failed", reason=str(exc)) from None

    slots = [_reports, _pdfs] if format == "pdf" else [_reports]
    taken = []
    try:
        for slot in slots:
            if not slot.acquire(blocking=False):
                raise ReportFailed("report_busy", retry_after=BUSY_RETRY_S)
            taken.append(slot)
        body, media = await run_in_threadpool(run)  # PDF: Chromium runs seconds; never on the loop
    finally:
        for slot in taken:
            slot.release()
    name = f"督查{'日报' if when.kind == 'day' else '月报'}_{site_code}_{when.slug}.{format}"
    disposition = (f"{'inline' if format == 'html' else 'attachment'}; filename=\"report_{site_code}_{when.slug}."
                   f"{format}\"; filename*=UTF-8''{quote(name)}")
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    if format == "html":
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    return Response(body, media_type=media, headers=headers)
