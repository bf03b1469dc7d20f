"""`kiosk devices read-id` and `kiosk simulate idcard` as a technician runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from kiosk.devices.idcard.identities import IDENTITIES

JSON_KEYS = {"card_type", "name", "gender", "ethnicity", "birth_date", "address", "id_number_masked", "issuer",
             "valid_from", "valid_until"}
ENV = {**os.environ, "KIOSK_CONFIG": "/nonexistent-so-tests-never-read-a-local-config"}


class Simulator:
    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "simulate", "idcard", "--no-wire-timing", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        line = self.proc.stdout.readline()
        assert "listening on " in line, line + self.proc.stderr.read()
        self.url = line.split("listening on ", 1)[1].strip()

    def command(self, text: str) -> str:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


@pytest.fixture(scope="module")
def shared_simulator() -> Iterator[Simulator]:
    sim = Simulator("--port", "0", "--identity", "elder_long_term")
    yield sim
    sim.stop()


@pytest.fixture
def simulator(shared_simulator: Simulator) -> Simulator:
    """The module's simulator process, with no faults and the elder_long_term card in the field."""
    status = shared_simulator.command("status")
    for fault in status.rsplit("faults: ", 1)[1].split():
        if fault != "-":
            shared_simulator.command(f"fault {fault} off")
    assert shared_simulator.command("present elder_long_term").startswith("presented")
    return shared_simulator


def read_id_here(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """read-id in this process (faster than a subprocess) for the tests that check output, not exit codes."""
    from kiosk.cli import main

    code = main(["devices", "read-id", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def read_id(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "devices", "read-id", *args], capture_output=True,
                          text=True, timeout=30, env=ENV)


def test_read_json_masked_then_revealed(simulator: Simulator) -> None:
    card = IDENTITIES["elder_long_term"]
    out = read_id("--port", simulator.url, "--wait", "20", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= JSON_KEYS and "id_number" not in data
    assert data["card_type"] == "resident" and data["name"] == "欧阳**" and data["valid_until"] == "长期"
    assert data["birth_date"] == "1950-**-**" and data["id_number_masked"] == "421303********0045"
    for secret in (card.id_number, card.name, card.address, "1950-01-20"):
        assert secret not in out.stdout + out.stderr



def test_a_technician_can_read_again_without_replacing_the_card(simulator: Simulator) -> None:
    """Two read-id runs in a row against one simulator both read the card (json, then --reveal)."""
    first = read_id("--port", simulator.url, "--wait", "20", "--json")
    second = read_id("--port", simulator.url, "--wait", "20", "--json", "--reveal")
    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert json.loads(second.stdout)["id_number"] == IDENTITIES["elder_long_term"].id_number


def test_read_once_behaves_like_a_gat467_module() -> None:
    sim = Simulator("--port", "0", "--read-once")
    try:
        assert read_id("--port", sim.url, "--wait", "20", "--json").returncode == 0
        assert read_id("--port", sim.url, "--wait", "0.3", "--json").returncode == 3
        assert sim.command("present").startswith("presented")
        assert read_id("--port", sim.url, "--wait", "20", "--json").returncode == 0
    finally:
        sim.stop()


def test_reveal_adds_the_full_number(simulator: Simulator, capsys: pytest.CaptureFixture) -> None:
    code, out, err = read_id_here(capsys, "--port", simulator.url, "--wait", "20", "--json", "--reveal")
    assert code == 0, err
    assert json.loads(out)["id_number"] == IDENTITIES["elder_long_term"].id_number


def test_without_port_or_config_says_what_to_pass(capsys: pytest.CaptureFixture, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, err = read_id_here(capsys, "--wait", "0")
    assert code == 2 and "--port" in err


def test_human_output_masks_name_address_and_number(simulator: Simulator, capsys: pytest.CaptureFixture) -> None:
    card = IDENTITIES["elder_long_term"]
    code, out, err = read_id_here(capsys, "--port", simulator.url, "--wait", "20")
    assert code == 0, err
    assert "居民身份证" in out and "长期" in out and "欧阳**" in out and "湖北省随州市****" in out
    for secret in (card.id_number, card.name, card.address, card.appended_address):
        assert secret not in out
    simulator.command("present foreign_2023")
    code, out, err = read_id_here(capsys, "--port", simulator.url, "--wait", "20", "--reveal")
    assert code == 0 and "MONTGOMERY-WHITTAKER, ALEXANDRA ELIZABETH" in out and "ESP" in out
    assert IDENTITIES["foreign_2023"].id_number in out


def test_control_and_bidi_characters_on_a_card_never_reach_the_terminal_raw() -> None:
    """A forged card whose fields carry an escape sequence, a right-to-left override, a zero-width space
    and a C1 control: the human output shows each as a visible escape; the JSON keeps the exact data."""
    import dataclasses

    from kiosk.devices.idcard.sim_server import SimulatorServer
    from kiosk.devices.idcard.simulator import SamModule

    name, address = "张\x1b[2J\x1b]0;x\x07三", "湖北省\u202egpj.exe\u200b随州市\x9b31m曾都区"
    forged = dataclasses.replace(IDENTITIES["zhang_san"], name=name, address=address, issuer="公安\u2066局\n")
    server = SimulatorServer(SamModule(forged, refind_after_read=True), wire_timing=False)
    url = server.start_tcp()
    try:
        human = read_id("--port", url, "--wait", "2", "--reveal")
        masked = read_id("--port", url, "--wait", "2")
        data = read_id("--port", url, "--wait", "2", "--json", "--reveal")
    finally:
        server.stop()
    assert (human.returncode, masked.returncode, data.returncode) == (0, 0, 0), human.stderr
    for out in (human.stdout, masked.stdout, data.stdout):
        assert not any(c in out for c in "\x1b\x07\x9b\u202e\u200b\u2066"), out
    assert "张\\u{001B}[2J\\u{001B}]0;x\\u{0007}三" in human.stdout
    assert "湖北省\\u{202E}gpj.exe\\u{200B}随州市\\u{009B}31m曾都区" in human.stdout
    assert "签发机关: 公安\\u{2066}局\\u{000A}\n" in human.stdout  # a newline in a field cannot fake a line
    parsed = json.loads(data.stdout)
    assert parsed["name"] == name and parsed["address"] == address and data.stdout.count("\n") == 1


def test_an_unlisted_ethnicity_and_a_2023_cards_earlier_number_over_the_wire(simulator: Simulator) -> None:
    simulator.command("present unlisted_ethnicity")
    human = read_id("--port", simulator.url, "--wait", "2")
    assert human.returncode == 0 and "民族: 民族代码 59" in human.stdout and "未知" not in human.stdout
    data = json.loads(read_id("--port", simulator.url, "--wait", "2", "--json").stdout)
    assert (data["ethnicity"], data["ethnicity_code"]) == ("", "59")
    simulator.command("present foreign_2023")
    human = read_id("--port", simulator.url, "--wait", "2")
    revealed = read_id("--port", simulator.url, "--wait", "2", "--reveal", "--json")
    assert "既往永居证号码: ESP420*****1219" in human.stdout and "中华人民共和国国家移民管理局" in human.stdout
    assert json.loads(revealed.stdout)["previous_permit_number"] == "ESP420988051219"


def test_one_bad_checksum_within_wait_is_retried_not_exit_4() -> None:
    """A GA/T 467 module (read once) whose read reply is hit by line noise once: the card still lies
    there, so read-id selects and reads it again instead of giving up with exit 4."""
    sim = Simulator("--port", "0", "--read-once")
    try:
        assert "glitch" in sim.command("fault glitch on")
        out = read_id("--port", sim.url, "--wait", "3", "--json", "--reveal")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["name"] == IDENTITIES["zhang_san"].name
        assert "glitch" not in sim.command("status").rsplit("faults: ", 1)[1]  # the noise did happen
    finally:
        sim.stop()


def test_no_card_exits_3(simulator: Simulator) -> None:
    assert simulator.command("remove") == "removed"
    out = read_id("--port", simulator.url, "--wait", "0.3", "--json")
    assert out.returncode == 3 and out.stdout == ""
    assert "没有读到" in out.stderr


def test_device_error_exits_4_with_the_reason(simulator: Simulator) -> None:
    assert "not_authorized" in simulator.command("fault not_authorized on")
    out = read_id("--port", simulator.url, "--wait", "1", "--json")
    assert out.returncode == 4 and out.stdout == "" and "未经授权" in out.stderr


@pytest.mark.parametrize(("fault", "words"), [("removed_mid_read", "请重新放卡"), ("silence", "没有应答"),
                                              ("bad_checksum", "校验和"), ("self_test_failed", "自检失败")])
def test_each_fault_is_exit_4_with_a_clear_message(simulator: Simulator, capsys: pytest.CaptureFixture,
                                                   fault: str, words: str) -> None:
    simulator.command(f"fault {fault} on")
    code, out, err = read_id_here(capsys, "--port", simulator.url, "--wait", "1", "--json")
    assert code == 4 and out == "" and words in err


def test_unreachable_port_is_exit_4(capsys: pytest.CaptureFixture) -> None:
    code, _, err = read_id_here(capsys, "--port", "socket://127.0.0.1:1", "--wait", "0")
    assert code == 4 and "socket://127.0.0.1:1" in err


def test_simulator_on_a_pty_with_a_hk_card() -> None:
    sim = Simulator("--pty", "--identity", "hk_resident")
    try:
        assert sim.url.startswith("/dev/")
        out = read_id("--port", sim.url, "--wait", "20", "--json")
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert data["card_type"] == "hk_mo_tw" and data["ethnicity"] == "" and data["issue_count"] == 1
    finally:
        sim.stop()


def test_simulator_rejects_an_unknown_identity() -> None:
    out = subprocess.run([sys.executable, "-m", "kiosk", "simulate", "idcard", "--identity", "nobody"],
                         capture_output=True, text=True, timeout=30, env=ENV)
    assert out.returncode == 2 and "zhang_san" in out.stderr


def test_cli_fault_names_match_the_simulator() -> None:
    from kiosk.devices.idcard.cli import FAULT_NAMES
    from kiosk.devices.idcard.simulator import FAULTS

    assert FAULT_NAMES == FAULTS


def test_parser_build_does_not_import_the_driver() -> None:
    code = ("import sys; from kiosk.cli import build_parser; build_parser();"
            "print([m for m in sys.modules if m.startswith(('serial', 'kiosk.devices.idcard.'))"
            " and m != 'kiosk.devices.idcard.cli'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.strip() == "[]"


def test_every_chinese_text_has_an_english_one() -> None:
    from kiosk import i18n

    zh = {k for k in i18n.keys("zh_CN") if k.startswith("idcard.")}
    en = {k for k in i18n.keys("en") if k.startswith("idcard.")}
    assert zh and zh == en
    for code in (0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81):
        assert f"idcard.sw3.x{code:02x}" in zh
