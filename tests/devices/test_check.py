"""`kiosk devices check` as a technician runs it: a subprocess, a config written here, real ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.devices.button.simulator import ButtonSimulator
from kiosk.devices.check import format_line
from kiosk.devices.hub import DeviceReport
from kiosk.i18n import tr

ONLY_BUTTON = """
[devices.idcard]
type = "none"
[devices.camera]
type = "none"
[devices.printer]
type = "none"
"""  # the other devices switched off, for the tests about the call button


def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(tmp_path: Path, devices: str, language: str = "zh_CN") -> Path:
    catalog = tmp_path / "matters.toml"
    catalog.write_text("# placeholder catalogue for the device check\n", encoding="utf-8")
    path = tmp_path / "kiosk.toml"
    path.write_text(f"""kiosk_id = "zd-test-01"
catalog = "{catalog}"
state_dir = "{tmp_path / 'state'}"

[site]
level = "town"
code = "421303-101"
name = "曾都区测试镇便民服务中心"

[ui]
language = "{language}"

{devices}
""", encoding="utf-8")
    return path


def run(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "devices", "check", *args], capture_output=True,
                          text=True, timeout=60, env=env, cwd=cwd)


def lines_by_device(stdout: str) -> dict[str, list[str]]:
    out = {}
    for line in stdout.splitlines():
        device, status, *rest = line.split(maxsplit=2)
        out[device] = [status, rest[0] if rest else ""]
    return out


def test_failing_devices_are_listed_with_reasons_and_exit_1(tmp_path):
    idcard_port, printer_port = closed_port(), closed_port()
    config = write_config(tmp_path, f"""
[devices.idcard]
type = "sam"
port = "socket://127.0.0.1:{idcard_port}"

[devices.camera]
type = "none"

[devices.printer]
type = "escpos"
uri = "tcp://127.0.0.1:{printer_port}"

[devices.button]
type = "keyboard"
key = "F12"
""")
    result = run("--config", str(config))
    assert result.returncode == 1, result.stderr
    lines = lines_by_device(result.stdout)
    assert list(lines) == ["idcard", "camera", "printer", "button"], result.stdout
    assert lines["idcard"][0] == "FAIL" and len(lines["idcard"][1]) > 10
    assert lines["camera"] == ["OFF", tr("devices.disabled")]
    assert lines["printer"][0] == "FAIL" and len(lines["printer"][1]) > 10
    assert lines["button"][0] == "OK" and "F12" in lines["button"][1] and lines["button"][1].endswith(" ms")
    assert len(result.stdout.splitlines()) == 4      # one line each, even for multi-line reasons


def test_all_passing_exits_0_and_json_has_one_object_per_device(tmp_path):
    with ButtonSimulator("socket") as sim:
        config = write_config(tmp_path, ONLY_BUTTON + f"""
[devices.button]
type = "serial"
port = "{sim.url}"
""", language="en")
        result = run("--config", str(config), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["device"] for r in rows] == ["idcard", "camera", "printer", "button"]
    assert [r["status"] for r in rows] == ["disabled", "disabled", "disabled", "ok"]
    assert rows[3]["type"] == "serial" and sim.url in rows[3]["message"]
    assert rows[3]["message"].startswith("call button connected")   # the kiosk's language (en)


def test_serial_button_nobody_home_fails_with_the_reason(tmp_path):
    port = closed_port()
    config = write_config(tmp_path, ONLY_BUTTON + f"""
[devices.button]
type = "serial-contact"
port = "rfc2217://127.0.0.1:{port}"
""")
    result = run("--config", str(config))
    assert result.returncode == 1
    button = lines_by_device(result.stdout)["button"]
    assert button == ["FAIL", tr("button.refused", port=f"rfc2217://127.0.0.1:{port}")]


def test_config_from_the_environment(tmp_path):
    config = write_config(tmp_path, ONLY_BUTTON)
    env = {**os.environ, "KIOSK_CONFIG": str(config)}
    result = run(env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert lines_by_device(result.stdout)["button"][0] == "OK"


def test_no_config_exits_2_with_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    result = run(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "kiosk config init" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("devices", "expected"), [
    ('[devices.button]\ntype = "serial"', "devices.button"),
    ('[devices.button]\ntype = "gpio"', "devices.button.type"),
    ('[devices.button]\ntype = "serial-contact"\nport = "socket://127.0.0.1:7301"', "no modem lines"),
    ('[devices.printer]\nuri = "usb:zz"', "devices.printer.uri"),
])
def test_invalid_config_exits_2_naming_the_field(tmp_path, devices, expected):
    config = write_config(tmp_path, devices)
    result = run("--config", str(config))
    assert result.returncode == 2
    assert expected in result.stderr, result.stderr


def test_missing_config_file(tmp_path):
    result = run("--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "nope.toml" in result.stderr


def test_format_line_columns_and_single_line():
    assert format_line(DeviceReport("idcard", "sam", "ok", "SAM 05.01-20240315", 12.4)) == \
        "idcard   OK    SAM 05.01-20240315  12 ms"
    assert format_line(DeviceReport("printer", "escpos", "fail", "缺纸 paper out:\nload a new roll")) == \
        "printer  FAIL  缺纸 paper out: load a new roll"
    assert format_line(DeviceReport("camera", "none", "disabled", "off")) == "camera   OFF   off"


def test_real_drivers_against_their_simulators(tmp_path):
    """The other devices' real drivers, each against its simulator: card reader OK, camera OK, printer out
    of paper (FAIL), button OK."""
    sim_server = pytest.importorskip("kiosk.devices.idcard.sim_server")
    printer_sim = pytest.importorskip("kiosk.devices.printer.simulator")
    with sim_server.SimulatorServer() as idcard, printer_sim.PrinterSimulator(state="out") as printer:
        url = idcard.start_tcp()
        config = write_config(tmp_path, f"""
[devices.idcard]
type = "sam"
port = "{url}"
[devices.camera]
type = "simulator"
scenario = "page"
[devices.printer]
type = "escpos"
uri = "{printer.uri}"
[devices.button]
type = "keyboard"
""")
        result = run("--config", str(config))
    lines = lines_by_device(result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines["idcard"][0] == "OK", result.stdout
    assert lines["camera"][0] == "OK", result.stdout
    assert lines["printer"][0] == "FAIL" and "out" in lines["printer"][1], result.stdout
    assert lines["button"][0] == "OK"


@pytest.mark.parametrize("state, word, code", [("silent", "WARN", 0), ("ok", "OK", 0), ("out", "FAIL", 1)])
def test_a_printer_that_never_answers_status_is_a_warning_not_ok(tmp_path, state, word, code):
    """A silent printer prints, but paper-out would go unseen: the technician is told to look."""
    from kiosk.devices.printer.simulator import PrinterSimulator

    with PrinterSimulator(state=state) as sim:
        config = write_config(tmp_path, f"""
[devices.idcard]
type = "none"
[devices.camera]
type = "none"
[devices.button]
type = "none"
[devices.printer]
type = "escpos"
uri = "{sim.uri}"
status_timeout_s = 0.3
""")
        result = run("--config", str(config))
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("printer")][0]
    assert result.returncode == code, result.stdout + result.stderr
    assert line.split()[1] == word
    if state == "silent":
        assert "DLE EOT" in line and line.endswith(" ms")
