"""The 督查 report as a file: xlsx (openpyxl), HTML (:mod:`kiosk.queue.report_html`) or PDF (Chromium).

Contract
- :func:`report_bytes` answers the file's bytes and media type for ``fmt`` in :data:`FORMATS`.
- xlsx: sheets 概况 (the totals), 站点, 帮办员, 每日, 终端离线, 台账锚点 — the same numbers as the page.
  Cells are safe to open: a text that would start a formula (``= + - @``, tab, carriage return) is written
  with a leading apostrophe (:func:`safe_cell`), so a site or helper named ``=HYPERLINK(…)`` stays text.
- PDF: the HTML page printed by headless Chromium (``--print-to-pdf``). Chosen over WeasyPrint because
  Chromium is already installed on every server and CI machine for the console tests (no new dependency,
  no Pango/Cairo stack from PyPI), prints CJK with the installed fonts and SVG charts exactly as the page
  shows. ``$KIOSK_CHROMIUM`` overrides the binary; missing Chromium raises :class:`ReportError` saying so.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kiosk.queue.case_states import CHINA
from kiosk.queue.ledger_export import safe_cell
from kiosk.queue.report_html import render

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ReportError(Exception):
    """The report could not be made (e.g. no Chromium for PDF); the message says what to do."""



def _dur(s):
    return None if s is None else round(s)


def _line(name: str, b: dict) -> list:
    r = b.get("ratings") or {}
    return [safe_cell(name), b["requests"], b["claimed"], b["resolved"], b["converted"], b["cancelled"], b["escalated"],
            _dur(b["response"]["p50_s"]), _dur(b["response"]["p90_s"]), _dur(b["completion"]["p50_s"]),
            _dur(b["completion"]["p90_s"]), b["cases"]["total"], b["cases"]["on_time"], b["cases"]["late"],
            b["cases"]["overdue"], b["cases"]["open"], (b.get("notices") or {}).get("printed"),
            r.get("n"), r.get("unsatisfied")]


HEAD = ["", "呼叫", "认领", "解决", "转代办", "取消", "超时上报", "响应中位(秒)", "响应90%(秒)", "办结中位(秒)",
        "办结90%(秒)", "代办", "按时办结", "超时办结", "逾期未办结", "办理中", "一次性告知单", "评价数", "不满意"]


def xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    f, period, site = data["figures"], data["period"], data["site"]
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.append([safe_cell(f"{site['name']} 帮办代办督查{'日报' if period.kind == 'day' else '月报'} {period.label}")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["统计区间", period.since, period.until])
    ws.append(["生成时间", data["generated_at"].astimezone(CHINA).replace(tzinfo=None)])
    ws.append(HEAD)
    ws.append(_line("合计", f["total"]))
    for name, rows in (("站点", [_line(f"{s['site_name']}（{s['site_code']}）", s) for s in f["sites"]]),
                       ("帮办员", [_line(u["display_name"] or u["username"] or "?", u) for u in f["helpers"]])):
        sheet = wb.create_sheet(name)
        sheet.append(HEAD)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "B2"
    sheet = wb.create_sheet("每日")
    sheet.append(["日期", "呼叫", "认领", "代办登记"])
    for d in data["daily"]:
        sheet.append([d["day"], d["requests"], d["claimed"], d["cases"]])
    sheet = wb.create_sheet("终端离线")
    sheet.append(["终端", "站点", "位置", "离线(秒)", "统计时长(秒)"])
    for k in data["downtime"]["kiosks"]:
        sheet.append([safe_cell(k["kiosk_id"]), k["site_code"], safe_cell(k["location"]), k["down_s"], k["watched_s"]])
    sheet = wb.create_sheet("台账锚点")
    sheet.append(["站点", "名称", "日期", "序号", "哈希"])
    for a in data["anchors"]:
        sheet.append([a["site_code"], safe_cell(a["site_name"]), a["day"], a["seq"], a["hash"]])
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.is_date:
                    cell.number_format = "yyyy-mm-dd hh:mm" if cell.row == 3 and sheet.title == "概况" else "yyyy-mm-dd"
        sheet.column_dimensions["A"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def chromium() -> str:
    for candidate in (os.environ.get("KIOSK_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate)):
            return path
    raise ReportError("PDF needs Chromium (apt-get install chromium, as scripts/install.sh does) or "
                      "$KIOSK_CHROMIUM naming a Chrome binary; or ask for --out FILE.html / .xlsx")


def pdf(page: str, timeout_s: float = 90) -> bytes:
    """The page printed to PDF by headless Chromium (A4, the page's own @page margins, no header/footer)."""
    binary = chromium()
    with tempfile.TemporaryDirectory(prefix="kq-report-") as tmp:
        html, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        html.write_text(page, encoding="utf-8")
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={out}", html.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"Chromium did not print the PDF within {timeout_s:.0f} s") from None
        if not out.exists() or out.stat().st_size == 0:
            raise ReportError(f"Chromium printed no PDF (exit {done.returncode}): "
                              f"{done.stderr.decode(errors='replace').strip()[-300:]}")
        return out.read_bytes()


def report_bytes(data: dict, fmt: str) -> tuple[bytes, str]:
    if fmt not in FORMATS:
        raise ReportError(f"format '{fmt}' is not one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        return xlsx(data), FORMATS[fmt]
    page = render(data)
    return (page.encode() if fmt == "html" else pdf(page)), FORMATS[fmt]
