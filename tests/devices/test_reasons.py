"""Devices report codes and data; the screens, the commands and the console word them in their language.

A problem seen while the kiosk spoke Chinese is shown in English once the UI is English (and back): the
sentence is built where it is shown, never in the driver's thread."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config.devices import DevicesConfig
from kiosk.devices.base import DeviceError, Reason
from kiosk.devices.hub import DeviceHub
from kiosk.devices.printer.simulator import PrinterSimulator
from kiosk.i18n import get_language, say, set_language
from kiosk.printing.layout import Cut, Slip, Text
from kiosk.terminal.device_port import HubPort

ROOT = Path(__file__).resolve().parents[2]
WORDING_ALLOWED = ("cli.py", "check.py", "test_slip.py")  # commands word; the test slip is printed text


@pytest.fixture
def language():
    before = get_language()
    yield set_language
    set_language(before)


def test_no_driver_imports_the_translation_layer():
    offenders = []
    for path in (ROOT / "kiosk" / "devices").rglob("*.py"):
        if path.name in WORDING_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
            if any(n == "kiosk.i18n" for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_say_words_nested_reasons_and_leaves_text_alone():
    reason = Reason("printer.unreachable", reason=Reason("printer.not_found.tcp", where="10.0.0.9:9100"))
    assert say(reason, "zh_CN").startswith("连不上打印机：10.0.0.9:9100 没有应答")
    assert say(reason, "en").startswith("Cannot reach the printer: nothing answers at 10.0.0.9:9100")
    assert say(DeviceError(reason), "en") == say(reason, "en") and say("plain words") == "plain words"
    assert say(None) == say("") == ""
    assert reason.as_dict() == {"code": "printer.unreachable",
                                "params": {"reason": {"code": "printer.not_found.tcp",
                                                      "params": {"where": "10.0.0.9:9100"}}}}
    assert str(reason) == "printer.unreachable(reason=printer.not_found.tcp(where=10.0.0.9:9100))"


def test_a_paper_out_seen_in_chinese_is_told_in_english_in_the_english_ui(language):
    """Real bytes to the printer simulator: the status it answers makes the driver refuse; the kiosk's
    device port (what the screens use) words the same reason in the language the UI has now."""
    with PrinterSimulator(state="out") as sim:
        hub = DeviceHub(DevicesConfig.model_validate({
            "idcard": {"type": "none"}, "camera": {"type": "none"}, "button": {"type": "none"},
            "printer": {"uri": sim.uri, "monitor_interval_s": 0, "status_timeout_s": 0.5}}), poll_s=None)
        port = HubPort(hub)
        try:
            language("zh_CN")
            problem_zh = port.print_slip(Slip([Text("取号 A001"), Cut()]))
            health = hub.device_health("printer")
            language("en")
            problem_en = port.print_slip(Slip([Text("取号 A001"), Cut()]))
            assert "缺纸" in problem_zh and "out of paper" in problem_en
            assert health.reason == Reason("printer.paper_out")  # the driver said a code, no sentence
            assert say(health.reason) == "The printer is out of paper; load a new roll and try again " \
                                         "(this slip was not printed)"
            assert not sim.slips and len(sim.lost) == 0  # refused before sending: nothing was lost
        finally:
            port.close()
            hub.close()


def test_devices_check_words_in_the_configs_language_and_gives_the_code(tmp_path):
    """`kiosk devices check --json` on an English kiosk: the message in English, the reason's code beside it."""
    config = tmp_path / "kiosk.toml"
    subprocess.run([sys.executable, "-m", "kiosk", "config", "init", str(config)], check=True, timeout=60,
                   capture_output=True)
    text = config.read_text(encoding="utf-8")
    text = text.replace('uri = "tcp://127.0.0.1:9100"', 'uri = "tcp://127.0.0.1:1"')
    text = text.replace('language = "zh_CN"', 'language = "en"')
    for kind in ("idcard", "camera", "button"):
        text = text.replace(f"[devices.{kind}]\ntype = ", f"[devices.{kind}]\ntype = \"none\"\n# was: ")
    config.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kiosk", "devices", "check", "--config", str(config), "--json",
                          "--timeout", "5"], capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["device"] for r in lines] == ["idcard", "camera", "printer", "button"], run.stdout + run.stderr
    printer = lines[2]
    assert printer["status"] == "fail" and "nothing answers at 127.0.0.1:1" in printer["message"], run.stdout
    assert printer["reason"]["code"] == "printer.unreachable" and not any("\u4e00" <= c <= "\u9fff"
                                                                        for c in printer["message"])


def test_a_heartbeat_carries_the_reason_worded_for_the_console_and_its_code(tmp_path, language):
    from kiosk.config.settings import parse_config
    from kiosk.devices.base import Health, HealthState
    from kiosk.queue.client import HelpQueueClient

    config = parse_config({"kiosk_id": "zd-01", "site": {"level": "district", "code": "421303", "name": "曾都区"},
                           "state_dir": str(tmp_path), "queue": {"url": "http://127.0.0.1:9"}})
    client = HelpQueueClient(config)  # never started: the heartbeat waits in the outbox, as offline
    try:
        language("zh_CN")
        item = client.heartbeat([Health("printer", HealthState.ERROR, Reason("printer.paper_out"), {"paper": "out"}),
                                 Health("camera", HealthState.CONNECTED)])
        printer, camera = client.outbox.get(item).body["devices"]
    finally:
        client.outbox.close()
    assert printer["reason"].startswith("打印机缺纸") and printer["detail"] == {
        "paper": "out", "reason": {"code": "printer.paper_out", "params": {}}}
    assert camera["reason"] == "" and camera["detail"] == {}
