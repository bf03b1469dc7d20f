"""Retention: the personal data of closed 代办 cases is erased after a configurable period.

Contract
- A case closed (returned, withdrawn or cancelled) more than ``days`` ago (``case_retention_days``,
  default :data:`DEFAULT_DAYS`; ``kiosk queue serve --case-retention-days``) loses: the applicant's sealed
  name, ID number and phone (an empty sealed record stays), the masked ID number and phone (the masked
  name ``张**`` stays, so the ledger row still reads), and every free text (notes, reasons, the
  authorization note). In its ledger entries (``case_events``) the free-text fields are replaced by their
  commitments and the salts dropped (:mod:`kiosk.queue.chain`): the chain still verifies, and the text
  cannot be recovered from what is left. The server keeps no images of a case (scans stay on paper).
- Each erasure is itself a ledger entry, ``case.erased`` (actor ``system:retention``, the fields erased,
  how many entries were scrubbed, the period), and the case gets ``erased_at``; the full identity answers
  410 ``case_erased`` from then on. :meth:`Retention.erase_due` runs with the server's periodic purge and
  from ``kiosk queue erase-closed``; conditional on ``erased_at IS NULL``, so concurrent runs erase once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from kiosk.queue.chain import ERASABLE, ERASED, commitment
from kiosk.queue.models import case_events, cases

DEFAULT_DAYS = 365
CLOSED = ("returned", "withdrawn", "cancelled")
TEXT_COLUMNS = ("note", "return_note", "close_reason", "auth_note", "suspend_reason", "transfer_reason")


class Retention:
    def __init__(self, svc, days: int = DEFAULT_DAYS):
        if days < 1:
            raise ValueError("case retention must be at least 1 day")
        self.svc, self.days = svc, days

    def due(self, now: datetime, limit: int = 500) -> list[str]:
        """Ids of closed cases past the period whose data is not erased yet, oldest first."""
        with self.svc.db.read() as conn:
            return list(conn.execute(select(cases.c.id).where(
                cases.c.state.in_(CLOSED), cases.c.erased_at.is_(None),
                cases.c.closed_at < now - timedelta(days=self.days)).order_by(cases.c.closed_at).limit(limit)).scalars())

    def erase(self, case_id: str, now: datetime | None = None, actor: str = "system:retention") -> bool:
        """Erases one closed case's personal data; False when it was already erased (or is open)."""
        svc = self.svc
        now = now or svc.clock()
        with svc.db.write() as conn:
            row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
            if row is None or row["erased_at"] is not None or row["state"] not in CLOSED:
                return False
            name = (row["applicant_masked"] or "").split(" ")[0]
            values = {k: None for k in TEXT_COLUMNS}
            values.update(applicant_enc=svc.box.seal_record({}), applicant_masked=name, phone_masked="",
                          erased_at=now)
            done = conn.execute(update(cases).where(cases.c.id == case_id, cases.c.erased_at.is_(None))
                                .values(**values)).rowcount
            if not done:
                return False
            scrubbed = 0
            entries = conn.execute(select(case_events.c.id, case_events.c.data, case_events.c.salt)
                                   .where(case_events.c.case_id == case_id, case_events.c.salt.is_not(None))).all()
            for entry_id, data, salt in entries:
                data = dict(data)
                for key in ERASABLE:
                    if key in data and not (isinstance(data[key], dict) and ERASED in data[key]):
                        data[key] = {ERASED: commitment(salt, key, data[key])}
                conn.execute(update(case_events).where(case_events.c.id == entry_id).values(data=data, salt=None))
                scrubbed += 1
            fields = ["applicant.name", "applicant.id_number", "applicant.phone", *TEXT_COLUMNS]
            svc._event(conn, case_id, row["site_code"], "case.erased", actor, now, fields=fields,
                       entries=scrubbed, retention_days=self.days, closed_at=row["closed_at"].isoformat())
            return True

    def erase_due(self) -> int:
        """Erases every case past the period; returns how many."""
        now = self.svc.clock()
        erased = 0
        for case_id in self.due(now):
            erased += self.erase(case_id, now)
        return erased
