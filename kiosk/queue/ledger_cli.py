"""``kiosk queue verify-ledger``: check every site's hash chain over the ledger (exit 0 intact, 1 broken);
``kiosk queue set-printer``: the site's 代办 window printer (受理回执, 材料归还单); ``kiosk queue
erase-closed``: closed cases' personal data erased after the retention period (as the server does daily).

Prints one line per site (entries, head number and hash) and, for a broken chain, the first entry that
does not verify and why (:mod:`kiosk.queue.verify`). ``--anchor SEQ:HASH`` (with ``--site``) checks a
daily anchor printed on an earlier report. Exit 2 for bad arguments (unknown site, malformed anchor).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

_ANCHOR = re.compile(r"^#?(\d{1,12}):([0-9a-f]{64})$")


def add_commands(qsub: argparse._SubParsersAction) -> None:
    from kiosk.queue.server_cli import _db_options

    p = qsub.add_parser("verify-ledger", help="校验台账哈希链 (verify the ledger's hash chains; exit 1 if broken)")
    _db_options(p)
    p.add_argument("--site", metavar="CODE", help="only this site (default: every site)")
    p.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH",
                   help="a daily anchor from a report (#SEQ:HASH) the chain must still hold; repeatable; needs --site")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_verify)

    p = qsub.add_parser("set-printer", help="设置站点代办窗口打印机 (the site's window printer for 受理回执 / 材料归还单)")
    _db_options(p)
    p.add_argument("--site", required=True, metavar="CODE")
    p.add_argument("--printer", required=True, metavar="URI", help="tcp://HOST:PORT (or file:PATH); 'none' to clear")
    p.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm (80)")
    p.set_defaults(func=cmd_set_printer)

    p = qsub.add_parser("erase-closed", help="删除超过保存期限的已结代办件个人信息 (erase closed cases' personal data)")
    _db_options(p)
    p.add_argument("--days", type=int, default=int(os.environ.get("KIOSK_QUEUE_CASE_RETENTION_DAYS") or 365),
                   help="closed more than N days ago (365; env KIOSK_QUEUE_CASE_RETENTION_DAYS)")
    p.add_argument("--dry-run", action="store_true", help="only say which cases would be erased")
    p.set_defaults(func=cmd_erase)


def cmd_set_printer(args: argparse.Namespace) -> int:
    from sqlalchemy import update

    from kiosk.config.uris import check_printer_uri
    from kiosk.queue.models import sites
    from kiosk.queue.server_cli import _database, _fail

    uri = None if args.printer.strip().lower() == "none" else args.printer.strip()
    if uri is not None:
        problem = check_printer_uri(uri) or (None if uri.startswith(("tcp://", "file:")) else
                                             f"'{uri}': the server prints over the network: tcp://HOST:PORT (or file:PATH)")
        if problem:
            return _fail(problem)
    db = _database(args)
    try:
        with db.write() as conn:
            changed = conn.execute(update(sites).where(sites.c.code == args.site)
                                   .values(window_printer=uri, window_paper_mm=args.paper)).rowcount
    finally:
        db.dispose()
    if not changed:
        return _fail(f"site '{args.site}' does not exist; add it first with `kiosk queue add-site`")
    print(f"site {args.site}: window printer {uri or 'none'} ({args.paper} mm)", file=sys.stderr)
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from kiosk.queue.cases import CaseService
    from kiosk.queue.crypto import IdentityBox, KeyProblem, load_cipher
    from kiosk.queue.server_cli import _database, _fail

    if args.days < 1:
        return _fail("--days must be at least 1")
    try:
        box = IdentityBox(load_cipher(args.state_dir))
    except KeyProblem as exc:
        return _fail(str(exc))
    db = _database(args)
    try:
        now = datetime.now(UTC)
        svc = CaseService(db, box, lambda: now, retention_days=args.days)
        due = svc.retention.due(now, limit=100_000)
        erased = 0 if args.dry_run else sum(svc.retention.erase(case_id, now, actor="cli:erase-closed")
                                            for case_id in due)
    finally:
        db.dispose()
    for case_id in due:
        print(case_id)
    verb = "would erase" if args.dry_run else "erased"
    print(f"{verb} the personal data of {len(due) if args.dry_run else erased} case(s) closed more than "
          f"{args.days} days ago", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from kiosk.queue.server_cli import _database, _fail
    from kiosk.queue.verify import ledger_sites, verify

    anchors: dict[int, str] = {}
    for text in args.anchor:
        match = _ANCHOR.match(text.strip().lower())
        if not match:
            return _fail(f"--anchor '{text}' is not SEQ:HASH (e.g. #1234:9f3a…, 64 hex digits), as printed on the report")
        anchors[int(match.group(1))] = match.group(2)
    if anchors and not args.site:
        return _fail("--anchor needs --site CODE (anchors are per site)")
    db = _database(args)
    try:
        with db.read(transaction=True) as conn:  # (streams the rows: a server-side cursor)
            if args.site and args.site not in ledger_sites(conn):
                return _fail(f"site '{args.site}' has no ledger entries yet: no help request or 代办 case of "
                             "that site is recorded (or the code is mistyped); nothing to verify")
            result = verify(conn, args.site, anchors)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({"ok": result.ok, "sites": [
            {"site": s.site, "entries": s.entries, "head_seq": s.head_seq, "head_hash": s.head_hash,
             "failure": None if s.failure is None else {
                 "seq": s.failure.seq, "table": s.failure.log, "id": s.failure.row_id, "type": s.failure.type,
                 "at": s.failure.at.isoformat() if s.failure.at else None, "code": s.failure.code,
                 "reason": s.failure.reason}} for s in result.sites]}, ensure_ascii=False))
    else:
        for s in result.sites:
            if s.failure is None:
                print(f"site {s.site}: intact, {s.entries} entries, head #{s.head_seq} {s.head_hash}")
            else:
                print(f"site {s.site}: BROKEN after {s.entries} good entries")
    first = result.first_failure
    if first is not None:
        print(f"台账校验失败 ledger broken: {first.line()}", file=sys.stderr)
    return 0 if result.ok else 1
