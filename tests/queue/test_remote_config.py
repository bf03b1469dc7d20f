"""Central kiosk configuration on the server: versions with their audit, the schema's checks, delivery in the
heartbeat answer, what kiosks run, rollback of a version a kiosk found invalid."""

from __future__ import annotations

import uuid

import pytest

from tests.queue.conftest import auth


def _beat(client, world, kiosk="k1", **extra):
    body = {"id": str(uuid.uuid4()), "kiosk_id": kiosk, "sent_at": world.ctx.settings.clock().isoformat(),
            "devices": [], **extra}
    answer = client.post("/api/v1/heartbeats", json=body, headers=auth(world.kiosk_tokens[kiosk]))
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]


def _put(client, token, changes, kiosk=None, site="T1", base=None):
    body = {"site_code": site, "kiosk_id": kiosk, "changes": changes, "base_version": base}
    return client.put("/api/v1/kiosk-config", json=body, headers=auth(token))


def test_versions_reach_the_kiosk_and_are_audited(world, client):
    mgr = world.token("mgr")
    assert _beat(client, world) == {"version": "0.0", "settings": {}}
    answer = _put(client, mgr, {"ui.idle_timeout_s": 120, "site.name": "南郊街道便民服务中心（新）"}, base=0)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 1
    assert _beat(client, world) == {"version": "1.0", "settings": {"ui.idle_timeout_s": 120,
                                                                   "site.name": "南郊街道便民服务中心（新）"}}
    assert _beat(client, world, "k2")["version"] == "0.0"  # another site's kiosk
    own = _put(client, mgr, {"ui.idle_timeout_s": 200, "devices.printer.paper_width_mm": 58}, kiosk="k1", base=0)
    assert own.status_code == 200, own.text
    config = _beat(client, world, config_version="1.0", software_version="0.9.1")
    assert config["version"] == "1.1"
    assert config["settings"] == {"ui.idle_timeout_s": 200, "site.name": "南郊街道便民服务中心（新）",
                                  "devices.printer.paper_width_mm": 58}
    removed = _put(client, mgr, {"devices.printer.paper_width_mm": None}, kiosk="k1", base=1).json()
    assert removed["version"] == 2 and removed["settings"] == {"ui.idle_timeout_s": 200}
    history = removed["history"]
    assert [h["version"] for h in history] == [2, 1]
    assert history[0]["author"] == "user:mgr" and history[0]["diff"] == {"devices.printer.paper_width_mm": [58, None]}
    assert history[1]["diff"] == {"devices.printer.paper_width_mm": [None, 58], "ui.idle_timeout_s": [None, 200]}
    _beat(client, world, config_version="1.2", software_version="0.9.1")
    shown = client.get("/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": "k1"}, headers=auth(mgr)).json()
    assert shown["effective"]["version"] == "1.2"
    assert shown["running"] == {"version": "1.2", "status": "applied", "error": None, "software_version": "0.9.1",
                                "catalog_version": None}
    listed = {k["kiosk_id"]: k for k in client.get("/api/v1/kiosks", headers=auth(mgr)).json()}
    assert listed["k1"]["config_version"] == "1.2" and listed["k1"]["software_version"] == "0.9.1"


def test_catalogue_version_is_the_kiosks_to_check_and_is_reported(world, client):
    mgr = world.token("mgr")
    answer = _put(client, mgr, {"catalog_version": "2027.1"})  # the server cannot see the kiosk's files
    assert answer.status_code == 200, answer.text
    assert _beat(client, world, config_version="0.0", catalog_version="sample-2026.1")["settings"] == {
        "catalog_version": "2027.1"}
    listed = {k["kiosk_id"]: k for k in client.get("/api/v1/kiosks", headers=auth(mgr)).json()}
    assert listed["k1"]["catalog_version"] == "sample-2026.1"
    assert _put(client, mgr, {"catalog_version": "x" * 65}).status_code == 422


def test_a_version_the_kiosk_finds_invalid_is_rolled_back(world, client):
    mgr = world.token("mgr")
    _put(client, mgr, {"ui.countdown_s": 20})
    _put(client, mgr, {"devices.camera.width": 4000}, kiosk="k1")
    assert _beat(client, world)["version"] == "1.1"
    config = _beat(client, world, config_version="1.0", config_rejected="1.1",
                   config_problems=["devices.camera: this camera does not take 4000 × 720"])
    assert config == {"version": "1.0", "settings": {"ui.countdown_s": 20}}
    shown = client.get("/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": "k1"}, headers=auth(mgr)).json()
    assert shown["history"][0]["rolled_back_at"] and "4000" in shown["history"][0]["rollback_reason"]
    assert shown["running"]["status"] == "invalid" and "4000" in shown["running"]["error"]
    assert shown["settings"] == {}  # the kiosk's own settings: none in force
    again = _put(client, mgr, {"devices.camera.width": 1920}, kiosk="k1", base=1)
    assert again.status_code == 200 and again.json()["version"] == 2
    assert _beat(client, world)["version"] == "1.2"


@pytest.mark.parametrize("changes, words", [
    ({"ui.idle_timeout_s": 5}, "ui.idle_timeout_s: Input should be greater than or equal to 10"),
    ({"devices.printer.paper_width_mm": 57}, "devices.printer.paper_width_mm"),
    ({"queue.url": "http://evil.example"}, "queue.url: 不能远程设置"),
    ({"queue.token": "x"}, "queue.token: 不能远程设置"),
    ({"manager.pin_hash": "$argon2id$x"}, "manager.pin_hash: 不能远程设置"),
    ({"devices.printer.uri": "file:/etc/passwd"}, "devices.printer.uri: 不能远程设置"),
    ({"ui.font": "/etc/shadow"}, "ui.font: 不能远程设置"),
    ({"site.name": "x" * 500}, "site.name: at most 200"),
    ({"site.name": {"nested": 1}}, None),
    ({"site.name": "大厅\n[b]x"}, "site.name: no line breaks or control characters"),
    ({}, "没有改动"),
])
def test_bad_changes_are_refused_with_the_schemas_words(world, client, changes, words):
    answer = _put(client, world.token("mgr"), changes)
    assert answer.status_code == 422, answer.text
    if words:
        assert words in answer.json()["detail"]
    assert _beat(client, world)["version"] == "0.0"


def test_who_may_change_what(world, client):
    assert _put(client, world.token("li"), {"ui.countdown_s": 20}).status_code == 403
    assert _put(client, world.token("mgr"), {"ui.countdown_s": 20}, site="T2").status_code == 403
    assert _put(client, world.token("mgr"), {"ui.countdown_s": 20}, kiosk="k2").status_code == 422  # not T1's
    assert _put(client, world.token("mgr"), {"ui.countdown_s": 20}, base=0).status_code == 200
    stale = _put(client, world.token("sup"), {"ui.countdown_s": 30}, base=0)
    assert stale.status_code == 409 and "1" in stale.json()["detail"]
    keys = {k["key"]: k for k in client.get("/api/v1/kiosk-config/keys", headers=auth(world.token("mgr"))).json()}
    assert keys["ui.idle_timeout_s"]["live"] and keys["ui.idle_timeout_s"]["min"] == 10
    assert "queue.url" not in keys and "devices.printer.uri" not in keys and not keys["devices.printer.encoding"]["live"]


def test_cli_set_and_show(tmp_path, monkeypatch, capsys):
    import io
    import json
    import sys

    from kiosk.cli import main

    def run(*argv):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = main(["queue", *argv, "--state-dir", str(tmp_path / "st")])
        return (code, *capsys.readouterr())

    assert run("add-site", "--code", "T1", "--name", "南郊", "--level", "town")[0] == 0
    code, _, err = run("set-config", "--site", "T1", "ui.idle_timeout_s=120", "site.help_desk=一楼 3 号窗口")
    assert code == 0 and "version 1 stored" in err, err
    code, _, err = run("set-config", "--site", "T1", "ui.idle_timeout_s=2")
    assert code == 2 and "greater than or equal to 10" in err
    code, out, _ = run("show-config", "--site", "T1")
    shown = json.loads(out)
    assert code == 0 and shown["settings"] == {"ui.idle_timeout_s": 120, "site.help_desk": "一楼 3 号窗口"}
    code, out, err = run("show-config", "--site", "T1", "--kiosk", "nope")  # a typo: said plainly, no traceback
    assert code == 2 and not out and "nope" in err and "Traceback" not in err, err


def test_concurrent_changes_make_one_version_each(world, ctx):
    """Eight managers' changes from the same version at once: one is stored, the others get 409 (stale);
    without a base version each becomes its own version, numbered without gaps or twins."""
    from concurrent.futures import ThreadPoolExecutor

    from kiosk.queue import remote_config

    def change(n, base):
        try:
            remote_config.change(ctx.db, "T1", None, {"ui.countdown_s": 10 + n + (0 if base == 0 else 50)}, base, f"user:m{n}", ctx.settings.clock())
            return "stored"
        except LookupError:
            return "stale"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: change(n, 0), range(8)))
    assert sorted(results) == ["stale"] * 7 + ["stored"]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda n: change(n, None), range(8))) == ["stored"] * 8
    versions = [h["version"] for h in remote_config.show(ctx.db, "T1", None, history=50)["history"]]
    assert versions == list(range(9, 0, -1))


def test_one_kiosk_cannot_roll_back_its_sites_default(world, client):
    """A broken kiosk (or a stolen kiosk token) reporting the site's default invalid: the default stays for
    every kiosk of the site; the refusal is shown to the managers on that kiosk."""
    from kiosk.queue.provision import add_kiosk

    token = add_kiosk(world.ctx.db, "k3", "T1", world.ctx.settings.clock(), location="二楼")
    world.kiosk_tokens["k3"] = token
    mgr = world.token("mgr")
    _put(client, mgr, {"ui.countdown_s": 20})
    assert _beat(client, world)["version"] == "1.0"
    config = _beat(client, world, config_version="0.0", config_rejected="1.0",
                   config_problems=["ui.countdown_s: not on this software"])
    assert config["version"] == "1.0"  # not rolled back: the kiosk keeps what it ran (it ignores a refused one)
    assert _beat(client, world, "k3") == {"version": "1.0", "settings": {"ui.countdown_s": 20}}
    shown = client.get("/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": "k1"}, headers=auth(mgr)).json()
    assert shown["running"]["status"] == "invalid" and "not on this software" in shown["running"]["error"]
    site = client.get("/api/v1/kiosk-config", params={"site_code": "T1"}, headers=auth(mgr)).json()
    assert site["history"][0]["rolled_back_at"] is None
