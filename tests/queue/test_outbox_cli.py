"""`kiosk queue outbox`: counts and masked pending items, JSON, --retry-dead, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.queue.outbox import Outbox


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "queue", "outbox", *args], capture_output=True,
                          text=True, timeout=60)


def test_shows_counts_and_pending_items_without_personal_data(tmp_path):
    box = Outbox(tmp_path / "outbox.sqlite3")
    resident = {"name": "张三", "id_number": "11010519491231002X"}
    box.enqueue_request({"id": "r1", "kind": "assist", "step": "matter", "matter_name": "养老保险",
                         "ticket_no": "A017", "resident": resident}, "/api/v1/requests", visit_id="v1")
    box.enqueue_request({"id": "r2", "kind": "call", "step": "start", "resident": None}, "/api/v1/requests",
                        visit_id=None)
    box.mark_dead("r2", "HTTP 422: kind: bad")
    box.close()
    out = run("--state-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "待发送 1　已发送 0　被拒绝 1" in out.stdout
    assert "养老保险 A017" in out.stdout and "HTTP 422: kind: bad" in out.stdout
    assert "张三" not in out.stdout and "11010519491231002X" not in out.stdout
    data = json.loads(run("--state-dir", str(tmp_path), "--json").stdout)
    assert data["counts"] == {"pending": 1, "sent": 0, "dead": 1}
    assert [i["id"] for i in data["pending"]] == ["r1"] and data["pending"][0]["has_resident"] is True
    assert "张三" not in json.dumps(data, ensure_ascii=False)
    retried = json.loads(run("--state-dir", str(tmp_path), "--json", "--retry-dead").stdout)
    assert retried["retried"] == 1 and retried["counts"]["pending"] == 2


def test_missing_outbox_and_bad_config_say_what_to_do(tmp_path):
    out = run("--state-dir", str(tmp_path / "nowhere"))
    assert out.returncode == 1 and "找不到发件箱" in out.stderr
    bad = tmp_path / "kiosk.toml"
    bad.write_text("kiosk_id = 'x'\n")
    out = run("--config", str(bad))
    assert out.returncode == 2 and "site: is missing" in out.stderr
