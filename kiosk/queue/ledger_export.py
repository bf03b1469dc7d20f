"""The 代办台账 as an Excel workbook in the hall's paper-ledger columns.

Contract
- :func:`build_ledger` returns .xlsx bytes: one sheet 代办台账 with a title row, the header row
  :data:`COLUMNS` and one row per case in ledger order (site, registration time, 序号), frozen header,
  column widths for printing on A4 landscape. 序号 numbers the export's rows (1, 2, … — unique even
  when several towns are exported together); 站点 is the site's name and 台账编号 the case's own number
  at its site, ``<site code>-<year>-<seq, 4 digits>`` (:func:`ledger_no`), unique across sites.
- ``full`` says whether the applicant's full name and phone go in; otherwise the masked forms. The API
  passes ``full=True`` only to managers and supervisors of the exported sites, and audits every export.
- No cell starts a formula: every text cell is written as text (:func:`safe_cell`), and text that a
  spreadsheet would read as a formula or command (starting with ``= + - @``, a tab or a carriage return,
  or their full-width forms) gets a leading apostrophe, as OWASP advises for CSV injection, so it stays
  text in Excel, WPS and LibreOffice, also after the cell is edited or the sheet saved as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date, datetime

from kiosk.queue.cases import CHINA, local_day

COLUMNS = ("序号", "受理日期", "申请人(姓名)", "联系电话", "事项名称", "材料清单", "代办员", "承诺办结日期",
           "办结日期", "移交情况/签收", "备注", "站点", "台账编号")
WIDTHS = (6, 12, 14, 15, 28, 40, 10, 13, 12, 26, 30, 22, 16)
STATE_NOTE = {"registered": "已受理，材料在代办员处", "in_progress": "办理中", "suspended": "中止计时，待申请人补正", "completed": "已办结，待移交",
              "returned": "结果及材料已移交，双方签收", "withdrawn": "申请人撤回", "cancelled": "已取消"}
FORM = {"original": "原件", "copy": "复印件"}


FORMULA_STARTS = tuple("=+-@\t\r\n＝＋－＠﹦﹢﹣")


def safe_cell(value: object) -> object:
    """``value`` as a cell may hold it: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def materials_text(items: Iterable[dict]) -> str:
    """``身份证（原件×1）；营业执照（复印件×2）``."""
    return "；".join(f"{m['name']}（{FORM.get(m.get('form'), m.get('form', ''))}×{m.get('count', 1)}）" for m in items)


def _handover(case: dict) -> str:
    text = STATE_NOTE.get(case["state"], case["state"])
    if case["state"] == "returned" and case["returned_at"]:
        text += f" {local_day(case['returned_at']):%Y-%m-%d}"
    if case["department"] and case["state"] in ("in_progress", "completed"):
        text += f"（{case['department']}）"
    return text


def _remark(case: dict, due: str) -> str:
    parts = []
    if due == "overdue":
        parts.append("已超期")
    elif due == "late":
        parts.append("超期办结")
    if case["close_reason"]:
        parts.append(case["close_reason"])
    if case.get("suspend_reason"):
        parts.append("中止：" + case["suspend_reason"])
    if case.get("paused_days"):
        parts.append(f"因中止顺延{case['paused_days']}个工作日")
    if case["return_note"]:
        parts.append(case["return_note"])
    if case["note"]:
        parts.append(case["note"])
    auth = "授权委托书已签署" + ("、已扫描" if case["auth_scanned"] else "")
    parts.append(auth)
    return "；".join(parts)


def ledger_no(row: dict) -> str:
    """The case's number at its site, e.g. ``T1-2026-0007`` (序号 runs per site and year)."""
    return f"{row['site_code']}-{local_day(row['registered_at']).year}-{row['seq']:04d}"


def build_ledger(rows: list[dict], *, identity: Callable[[dict], tuple[str, str]],
                 due: Callable[[dict], str], title: str, generated: datetime,
                 site_names: dict[str, str] | None = None) -> bytes:
    """The workbook for ``rows`` (case rows with ``agent_name``); ``identity(row)`` gives (name, phone)
    as the caller may see them, ``due(row)`` the row's due status, ``site_names`` code → name."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "代办台账"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(COLUMNS))
    thin = Side(style="thin", color="999999")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    names = site_names or {}
    for number, row in enumerate(rows, start=1):
        name, phone = identity(row)
        status = due(row)
        completed: date | None = local_day(row["completed_at"]) if row["completed_at"] else None
        ws.append([safe_cell(v) for v in (
            number, local_day(row["registered_at"]), name, phone, row["matter_name"],
            materials_text(row["materials"]), row["agent_name"], row["promised_date"], completed,
            _handover(row), _remark(row, status), names.get(row["site_code"], row["site_code"]), ledger_no(row))])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        for col in (2, 8, 9):
            ws.cell(ws.max_row, col).number_format = "yyyy-mm-dd"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.oddFooter.center.text = f"导出时间 {generated.astimezone(CHINA):%Y-%m-%d %H:%M}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
