"""The paper of 代办 cases on the server: 代办受理回执 and 材料归还单 as PNG and at the site's window printer.

Contract
- :meth:`CasePaper.slip` builds the case's slip (:mod:`kiosk.printing.case_slips`) for a caller who sees
  the case: ``receipt`` at any time, ``return`` once the case is ``returned`` or ``withdrawn`` (409
  ``case_state`` before). Personal data on paper is masked (the applicant's name, ID number and phone).
- :meth:`CasePaper.print` sends it as ESC/POS to the site's window printer (``sites.window_printer``,
  ``tcp://HOST:PORT`` or ``file:PATH``; ``kiosk queue set-printer``) with the real printer driver (status
  asked first on tcp: out of paper or cover open is refused with the reason). No printer configured: 409
  ``no_window_printer``; the printer failed: 503 ``printer_failed`` with its reason. Each print, and
  each failure, is a ledger entry (``case.slip_printed`` / ``case.slip_failed``).
- :meth:`CasePaper.autoprint` prints in the background after a registration (the receipt) or a return
  (the return slip) when the site has a window printer: a resident never leaves a handover without paper.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from kiosk.catalog.workdays import estimated
from kiosk.printing.case_slips import CaseSlip, receipt, return_slip
from kiosk.printing.layout import Slip
from kiosk.queue.auth import Principal
from kiosk.queue.case_states import local_day
from kiosk.queue.errors import Conflict, NotFound, _kind
from kiosk.queue.models import case_events, cases, sites

log = logging.getLogger(__name__)
KINDS = ("receipt", "return")
PrinterDown = _kind("PrinterDown", 503, "The window printer did not print; the message says why.")


class CasePaper:
    def __init__(self, svc, rating_url=None):
        """``svc``: the :class:`~kiosk.queue.cases.CaseService`; ``rating_url(case_row) -> str | None`` the
        link printed as the return slip's QR code (:mod:`kiosk.queue.ratings`)."""
        self.svc, self.rating_url = svc, rating_url

    def _data(self, conn, row) -> tuple[CaseSlip, dict]:
        site = conn.execute(select(sites).where(sites.c.code == row["site_code"])).mappings().one()
        note = conn.execute(select(case_events.c.data).where(case_events.c.case_id == row["id"],
                                                            case_events.c.type == "case.completed")
                            .order_by(case_events.c.id.desc()).limit(1)).scalar()
        result = note.get("note") if isinstance(note, dict) and isinstance(note.get("note"), str) else None
        data = CaseSlip(case_id=row["id"], seq=row["seq"], site_name=site["name"], matter_name=row["matter_name"],
                        applicant_masked=row["applicant_masked"], phone_masked=row["phone_masked"],
                        agent_name=row["agent_name"], registered_at=row["registered_at"],
                        time_limit_days=row["time_limit_days"], promised_date=row["promised_date"],
                        materials=list(row["materials"]), paused_days=row.get("paused_days") or 0,
                        state=row["state"], returned_at=row["returned_at"] or row["closed_at"], result=result,
                        rating_url=self.rating_url(row) if self.rating_url else None,
                        promised_estimate=estimated(local_day(row["registered_at"]), row["promised_date"],
                                                    self.svc.holidays),
                        site_phone=site.get("phone") or "")
        return data, dict(site)

    def _build(self, conn, row, kind: str) -> tuple[Slip, dict]:
        if kind not in KINDS:
            raise NotFound("case_slip", kind=kind)
        if kind == "return" and row["state"] not in ("returned", "withdrawn"):
            raise Conflict("case_state", state=row["state"], action="return slip")
        data, site = self._data(conn, row)
        build = receipt if kind == "receipt" else return_slip
        return build(data, paper_width_mm=site["window_paper_mm"] or 80), site

    def slip(self, user: Principal, case_id: str, kind: str) -> Slip:
        with self.svc.db.read() as conn:
            return self._build(conn, dict(self.svc._row(conn, user, case_id)), kind)[0]

    def png(self, user: Principal, case_id: str, kind: str) -> bytes:
        import io

        from kiosk.printing.preview import render_preview

        buf = io.BytesIO()
        render_preview(self.slip(user, case_id, kind)).image.save(buf, format="PNG", optimize=True)
        return buf.getvalue()

    def print(self, user: Principal | None, case_id: str, kind: str) -> dict:
        """Prints at the site's window printer; ``user`` None: the server itself (autoprint)."""
        with self.svc.db.read() as conn:
            if user is None:
                row = conn.execute(self.svc._select().where(cases.c.id == case_id)).mappings().one()
            else:
                row = self.svc._row(conn, user, case_id)
            slip, site = self._build(conn, dict(row), kind)
        uri = site["window_printer"]
        if not uri:
            raise Conflict("no_window_printer", site=site["code"])
        actor = user.actor if user is not None else "system:printer"
        try:
            result = send(uri, slip, site["window_paper_mm"] or 80)
        except Exception as exc:  # noqa: BLE001 - the printer's reason goes to the caller and the ledger
            self._record(row, "case.slip_failed", actor, kind=kind, printer=uri, error=str(exc)[:200])
            raise PrinterDown("printer_failed", printer=uri, reason=str(exc)[:200]) from None
        self._record(row, "case.slip_printed", actor, kind=kind, printer=uri)
        return {"printer": uri, "bytes": result}

    def _record(self, row, type_: str, actor: str, **data) -> None:
        with self.svc.db.write() as conn:
            self.svc._event(conn, row["id"], row["site_code"], type_, actor, self.svc.clock(), **data)

    def autoprint(self, case_id: str, kind: str) -> threading.Thread | None:
        """Prints in a background thread when the case's site has a window printer; returns the thread."""
        with self.svc.db.read() as conn:
            uri = conn.execute(select(sites.c.window_printer).join(cases, cases.c.site_code == sites.c.code)
                               .where(cases.c.id == case_id)).scalar()
        if not uri:
            return None

        def run() -> None:
            try:
                self.print(None, case_id, kind)
            except Exception as exc:  # noqa: BLE001 - logged; the ledger has the failure; the console can reprint
                log.warning("%s of case %s not printed at %s: %s", kind, case_id, uri, exc)

        thread = threading.Thread(target=run, name=f"print-{kind}", daemon=True)
        thread.start()
        return thread


def send(uri: str, slip: Slip, width_mm: int = 80) -> int:
    """Prints ``slip`` at ``uri`` with the real ESC/POS driver; returns the bytes sent. Raises the driver's
    :class:`~kiosk.devices.printer.errors.PrinterError` (paper out, cover open, unreachable)."""
    from kiosk.devices.printer.driver import EscposPrinter

    printer = EscposPrinter(uri, width_mm=width_mm, connect_timeout_s=3.0, status_timeout_s=2.0)
    try:
        return printer.print_slip(slip, check_status=uri.startswith("tcp://")).bytes_sent
    finally:
        printer.close()
