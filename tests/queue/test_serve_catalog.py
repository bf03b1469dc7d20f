"""`kiosk queue serve --catalog FILE`: checked at start, then used for 代办 deadlines."""

from __future__ import annotations

from pathlib import Path

import httpx

from kiosk.config.settings import DEFAULT_CATALOG
from tests.queue.case_helpers import handover
from tests.queue.test_server_cli import run, server


def test_a_bad_catalogue_stops_serve_before_anything_is_created(tmp_path, monkeypatch, capsys):
    state = tmp_path / "st"
    code, _, err = run(["serve", "--state-dir", str(state), "--catalog", str(tmp_path / "nope.toml")],
                       monkeypatch, capsys)
    assert code == 2 and "--catalog" in err and "nope.toml" in err and "does not exist" in err
    broken = tmp_path / "broken.toml"
    broken.write_text('[[matter]]\nid = "x"\n', encoding="utf-8")
    code, _, err = run(["serve", "--state-dir", str(state), "--catalog", str(broken)], monkeypatch, capsys)
    assert code == 2 and "not a usable matters catalogue" in err and "shipped sample" in err
    assert not state.exists()  # nothing created for a server that never started


def test_serve_uses_the_given_catalogue_for_case_deadlines(tmp_path, monkeypatch, capsys):
    text = Path(DEFAULT_CATALOG).read_text(encoding="utf-8")
    assert 'id = "social-card"' in text and "time_limit = 10\n" in text
    head, tail = text.split('id = "social-card"', 1)
    custom = tmp_path / "hall.toml"  # the hall's own catalogue: 社保卡 promised in 3 working days
    custom.write_text(head + 'id = "social-card"' + tail.replace("time_limit = 10\n", "time_limit = 3\n", 1),
                      encoding="utf-8")
    st = ["--state-dir", str(tmp_path / "st")]
    assert run(["add-site", *st, "--code", "S1", "--name", "南郊", "--level", "town"], monkeypatch, capsys)[0] == 0
    assert run(["add-user", *st, "--username", "li", "--role", "helper", "--sites", "S1"], monkeypatch, capsys,
               stdin="long enough pw\n")[0] == 0
    for args, days in (([], 10), (["--catalog", str(custom)], 3)):
        with server([*st, *args]) as url, httpx.Client(base_url=url, timeout=10, headers={"Origin": url}) as http:
            assert http.post("/api/v1/auth/login", json={"username": "li", "password": "long enough pw"}).is_success
            r = http.post("/api/v1/cases", json=handover(matter_id="social-card", time_limit_days=None))
            assert r.status_code == 201, r.text
            assert r.json()["time_limit_days"] == days
