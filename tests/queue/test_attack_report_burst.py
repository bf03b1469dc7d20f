"""A burst of report downloads, against a real ``kiosk queue serve``: each PDF is a headless Chromium
(~200 MB, seconds) run in the worker threads every other staff call shares. Before the bound, six PDFs
asked at once ran six browsers side by side (40 would have run 40). Now one PDF and two reports run at a
time per process; the rest answer 503 ``report_busy`` with ``Retry-After`` at once, and the staff API stays
answering. Chromium is stood in for by a script that takes 3 s (the real one is tested in test_report)."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.queue.hostile import served

FAKE = """#!/bin/sh
for a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac; done
echo start >> "$KQ_FAKE_LOG"
sleep 3
printf '%%PDF-1.4 fake' > "$out"
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attack-reports")
    fake = tmp / "chromium"
    fake.write_text(FAKE)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    with served(tmp / "st", env={"KIOSK_CHROMIUM": str(fake), "KQ_FAKE_LOG": str(tmp / "starts")}) as s:
        s.starts = tmp / "starts"
        yield s


def test_a_burst_of_pdf_reports_runs_one_browser_at_a_time(server):
    s = server
    mgr = {"Authorization": f"Bearer {s.login('mgr')}"}

    def pdf(_):
        with s.client(timeout=60) as c:
            return c.get("/api/v1/reports", params={"site_code": "T1", "period": "2026-11", "format": "pdf"},
                         headers=mgr)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(pdf, range(6)))
        with s.client() as c:  # meanwhile the staff API answers
            assert c.get("/api/v1/me", headers=mgr).status_code == 200
    codes = sorted(r.status_code for r in answers)
    assert codes.count(200) >= 1 and codes.count(503) >= 4, codes
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.json()["code"] == "report_busy" and int(busy.headers["Retry-After"]) >= 1
    assert len(s.starts.read_text().splitlines()) == codes.count(200)
    # once the burst is over, a report is made again
    assert pdf(0).status_code == 200 and os.path.getsize(s.starts) > 0


def test_the_report_page_cannot_be_framed(server):
    s = server
    mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
    with s.client() as c:
        r = c.get("/api/v1/reports", params={"site_code": "T1", "period": "2026-11", "format": "html"}, headers=mgr)
        assert r.status_code == 200 and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert "script-src" not in r.headers["Content-Security-Policy"]  # default-src 'none': no script at all
