"""Central settings pushed to a running kiosk: the real server under uvicorn, the kiosk's own heartbeat client
and controller. Live keys apply at once, others at the next idle reset; an invalid version is refused and
rolled back by the server; the cache outlives a restart; the local file stays when nothing is cached."""

from __future__ import annotations

import json
import os
import stat

import httpx

from kiosk.config.remote_apply import RemoteSettings, boot_config
from kiosk.config.settings import DEFAULT_CATALOG, parse_config
from kiosk.queue.client import HelpQueueClient
from kiosk.terminal.app import build_controller
from kiosk.terminal.remote_link import attach
from tests.queue.conftest import auth
from tests.queue.test_outbox_forwarder import until


def _config(tmp_path, url, token, **ui):
    return parse_config({"kiosk_id": "k1", "state_dir": str(tmp_path / "state"), "catalog": str(DEFAULT_CATALOG),
                         "site": {"level": "town", "code": "T1", "name": "南郊街道便民服务中心"},
                         "queue": {"url": url, "token": token, "timeout_s": 2, "heartbeat_interval_s": 1},
                         "ui": {"idle_timeout_s": 90, **ui},
                         "devices": {"camera": {"max_brightness": 150}}})  # this hall's camera, tuned locally


class Kiosk:
    """A kiosk as run_kiosk assembles it, minus the window: cache → remote settings → client → controller."""

    def __init__(self, tmp_path, url, token):
        config, base, cached = boot_config(_config(tmp_path, url, token))
        self.config = config
        self.remote = RemoteSettings(config, base, cached)
        self.client = HelpQueueClient(config, poll_interval_s=0.2, health_source=lambda: [], remote=self.remote)
        self.controller = build_controller(config, queue=self.client)
        self.stopped = []
        attach(self.remote, self.controller, report_now=lambda: self.client.heartbeat([]),
               stop_app=lambda: self.stopped.append(True), under_systemd=True)
        self.events = []
        self.controller.subscribe(lambda event, payload: self.events.append((event, payload)))
        self.client.start()

    def close(self):
        self.client.stop()
        self.controller.close()


def _put(http, token, changes, kiosk=None):
    answer = http.put("/api/v1/kiosk-config", json={"site_code": "T1", "kiosk_id": kiosk, "changes": changes},
                      headers=auth(token))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _running(http, token):
    return http.get("/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": "k1"}, headers=auth(token)).json()


def test_pushed_settings_reach_the_running_kiosk(tmp_path, world, live):
    mgr = world.token("mgr")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        kiosk = Kiosk(tmp_path, live.url, world.kiosk_tokens["k1"])
        try:
            assert until(lambda: _running(http, mgr)["running"]["version"] == "0.0", 30)
            assert _running(http, mgr)["running"]["software_version"]
            _put(http, mgr, {"ui.idle_timeout_s": 240, "site.name": "南郊便民服务中心（东厅）",
                             "ui.elderly_mode_default": True})
            assert until(lambda: kiosk.controller.visit.idle_timeout_s == 240, 30)  # no restart
            assert kiosk.controller.hall_name == "南郊便民服务中心（东厅）"
            assert kiosk.controller.visit.site.site_name == "南郊便民服务中心（东厅）"
            assert kiosk.controller.visit.elderly_default is True and kiosk.config.ui.idle_timeout_s == 240
            assert ("settings", ["site.name", "ui.elderly_mode_default", "ui.idle_timeout_s"]) in kiosk.events
            assert until(lambda: _running(http, mgr)["running"] == {
                "version": "1.0", "status": "applied", "error": None, "software_version": "0.1.0",
                "catalog_version": "sample-2026.1"}, 30)
            cache = tmp_path / "state" / "central_config.json"
            assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
            assert json.loads(cache.read_text())["version"] == "1.0"

            # a device setting waits for the idle reset, then the terminal ends itself (systemd restarts it)
            _put(http, mgr, {"devices.printer.paper_width_mm": 58}, kiosk="k1")
            assert until(lambda: kiosk.remote.pending == "1.1", 30)
            assert kiosk.config.devices.printer.paper_width_mm == 80 and not kiosk.stopped
            assert _running(http, mgr)["running"]["version"] == "1.0"
            kiosk.controller.reset("idle")
            assert kiosk.stopped == [True]

            # an invalid version: refused, reported at once, rolled back by the server
            # (fits the site's stand-in on the server, not this kiosk's camera: max_brightness 150 locally)
            _put(http, mgr, {"devices.camera.min_brightness": 200}, kiosk="k1")
            assert until(lambda: _running(http, mgr)["history"][0]["rolled_back_at"] is not None, 30)
            shown = _running(http, mgr)
            assert shown["effective"]["version"] == "1.1"
            assert "min_brightness" in shown["history"][0]["rollback_reason"]
            assert kiosk.remote.pending == "1.1" and kiosk.config.devices.camera.min_brightness == 80
            assert until(lambda: _running(http, mgr)["running"]["status"] == "applied", 30)  # rollback seen
        finally:
            kiosk.close()
        # restart: the cached version runs before the server is even asked
        again = Kiosk(tmp_path, "http://127.0.0.1:9", world.kiosk_tokens["k1"])  # unreachable server
        try:
            assert again.remote.version == "1.1" and again.config.devices.printer.paper_width_mm == 58
            assert again.controller.visit.idle_timeout_s == 240
        finally:
            again.close()


def test_the_local_file_without_cache_or_server(tmp_path):
    kiosk = Kiosk(tmp_path, "http://127.0.0.1:9", "kq_nothing")
    try:
        assert kiosk.remote.version == "0.0" and kiosk.controller.visit.idle_timeout_s == 90
        assert kiosk.remote.report() == {"config_version": "0.0", "catalog_version": "sample-2026.1"}
    finally:
        kiosk.close()


def test_a_cache_that_no_longer_fits_the_file_is_ignored(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "central_config.json").write_text(json.dumps({"version": "3.0", "settings": {"ui.countdown_s": 1}}))
    config, _, cached = boot_config(_config(tmp_path, "http://127.0.0.1:9", "x"))
    assert cached is None and config.ui.countdown_s == 15


def test_refusal_is_reported_with_the_schemas_words(tmp_path):
    config, base, _ = boot_config(_config(tmp_path, "http://127.0.0.1:9", "x"))
    remote = RemoteSettings(config, base)
    assert remote.offer({"version": "2.0", "settings": {"devices.camera.width": 10}}) == "refused"
    report = remote.report()
    assert report["config_rejected"] == "2.0" and report["config_version"] == "0.0"
    assert "devices.camera.width" in report["config_problems"][0]
    assert remote.offer({"version": "2.0", "settings": {"devices.camera.width": 10}}) == "same"  # not again
    assert remote.offer({"version": "1.0", "settings": {"queue.url": "http://evil"}}) == "refused"
    assert config.queue.url == "http://127.0.0.1:9"
    assert remote.offer({"version": "1.1", "settings": {}}) == "applied" and remote.report() == {"config_version": "1.1"}


def test_a_catalogue_version_switches_to_the_file_beside_it(tmp_path):
    folder = tmp_path / "etc"
    folder.mkdir()
    text = DEFAULT_CATALOG.read_text(encoding="utf-8")
    (folder / "catalog.toml").write_text(text, encoding="utf-8")
    (folder / "catalog-2027.toml").write_text(text.replace('version = "sample-2026.1"', 'version = "2027.1"'),
                                              encoding="utf-8")
    (folder / "kiosk.toml").write_text("kiosk_id = 'x'\n", encoding="utf-8")  # not a catalogue: passed over
    local = _config(tmp_path, "http://127.0.0.1:9", "x").model_copy(update={"catalog": folder / "catalog.toml"})
    config, base, _ = boot_config(local)
    remote = RemoteSettings(config, base)
    assert remote.offer({"version": "0.1", "settings": {"catalog_version": "2099.9"}}) == "refused"
    assert "no catalogue of version '2099.9'" in remote.report()["config_problems"][0]
    assert remote.offer({"version": "0.2", "settings": {"catalog_version": "2027.1"}}) == "pending"  # at the reset
    again, _, cached = boot_config(local)  # the restart at the start screen: the cache is read
    assert cached["version"] == "0.2" and again.catalog_file == folder / "catalog-2027.toml"
    controller = build_controller(again)
    try:
        assert controller.visit.catalog.info.version == "2027.1"
    finally:
        controller.close()


def test_cli_settings_and_webhook_with_a_served_process(tmp_path, monkeypatch, capsys):
    """`kiosk queue serve` as its own process; `set-config` and `add-webhook` from the command line while
    it serves; the kiosk's own client gets the settings and its call reaches the robot, masked."""
    import io
    import sys

    from kiosk.cli import main
    from tests.queue.test_server_cli import server
    from tests.queue.webhook_receiver import Receiver

    state = ["--state-dir", str(tmp_path / "server")]

    def run(*argv):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = main(["queue", *argv, *state])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    run("add-site", "--code", "T1", "--name", "南郊街道便民服务中心", "--level", "town")
    token = run("add-kiosk", "--kiosk-id", "k1", "--site", "T1", "--location", "一楼大厅").strip()
    with Receiver() as receiver, server(state) as url:
        run("add-webhook", "--site", "T1", "--kind", "json", "--url", receiver.base + "/json/hook", "--secret", "s3cret")
        kiosk = Kiosk(tmp_path / "kiosk", url, token)
        try:
            run("set-config", "--site", "T1", "ui.idle_timeout_s=300", "site.help_desk=一楼 3 号窗口")
            assert until(lambda: kiosk.controller.visit.idle_timeout_s == 300, 30)
            assert kiosk.controller.visit.site.help_desk == "一楼 3 号窗口"
            assert until(lambda: json.loads(run("show-config", "--site", "T1", "--kiosk", "k1"))["running"]["version"]
                         == "1.0", 30)
            kiosk.client.call_helper("assist", "matter", matter_name="社保卡补办", ticket_no="A042",
                                     resident={"name": "李小红", "id_number": "11010519491231002X"})
            post = receiver.wait("json", 1, timeout=30)[0]
        finally:
            kiosk.close()
    text = post["body"].decode()
    assert "A042" in text and "李**" in text and "李小红" not in text and "11010519491231002X" not in text
    assert "sent 1" in run("list-webhooks")
