"""``kiosk queue report``: the daily or monthly 督查 report of a site (and the sites below it) as a file.

``--period 2026-12`` (a month) or ``2026-12-03`` (a day); ``--out FILE.xlsx | .html | .pdf`` (the suffix
says the format). Reads the database directly (no server needed); exit 2 with the reason for a bad site,
period or file name, or when Chromium is missing for PDF.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_commands(qsub: argparse._SubParsersAction) -> None:
    from kiosk.queue.server_cli import _db_options

    p = qsub.add_parser("report", help="生成督查日报/月报 (the 督查 report as xlsx, html or pdf)")
    _db_options(p)
    p.add_argument("--site", required=True, metavar="CODE", help="the site; the sites below it are included")
    p.add_argument("--period", required=True, metavar="YYYY-MM[-DD]", help="a month (2026-12) or a day (2026-12-03)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="FILE.xlsx, FILE.html or FILE.pdf")
    p.add_argument("--catalog", type=Path, metavar="FILE", help="matters catalogue (as for serve)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from kiosk.queue.cases import CaseService
    from kiosk.queue.report_data import build, parse_period
    from kiosk.queue.report_files import FORMATS, ReportError, report_bytes
    from kiosk.queue.server_cli import _database, _fail

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        return _fail(f"--out {args.out}: the name must end in .xlsx, .html or .pdf (it says the format)")
    try:
        period = parse_period(args.period)
    except ValueError as exc:
        return _fail(str(exc))
    db = _database(args)
    try:
        now = datetime.now(UTC)
        svc = CaseService(db, None, lambda: now, catalog_path=str(args.catalog) if args.catalog else None)
        with db.read() as conn:
            data = build(conn, svc, args.site, period, now)
        body, _ = report_bytes(data, fmt)
    except LookupError:
        return _fail(f"site '{args.site}' does not exist; give a site code added with `kiosk queue add-site`")
    except ReportError as exc:
        return _fail(str(exc))
    finally:
        db.dispose()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(body)
    print(f"{args.out}: {data['site']['name']} {period.label}, {len(data['figures']['sites'])} site(s) with activity, "
          f"{data['figures']['total']['requests']} requests, {data['figures']['total']['cases']['total']} 代办 cases",
          file=sys.stderr)
    return 0
