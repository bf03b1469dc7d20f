import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kiosk.config.settings import ConfigError, load_config, parse_config

DEFAULT = Path(__file__).resolve().parents[2] / "kiosk" / "config" / "default.toml"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


def test_init_writes_a_config_that_checks(tmp_path):
    target = tmp_path / "k.toml"
    assert run("config", "init", str(target)).returncode == 0
    result = run("config", "check", str(target))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert run("config", "init", str(target)).returncode == 1  # no silent overwrite


def test_check_lists_every_problem_with_its_path(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8")
    text = text.replace('level = "district"', 'level = "province"')
    text = text.replace('port = "socket://127.0.0.1:7101"', 'port = "socket://nohost"')
    text = text.replace('uri = "tcp://127.0.0.1:9100"', 'uri = "usb:zz"')
    text = text.replace("baud = 115200", "baud = 12345")
    text = text.replace("idle_timeout_s = 90", 'idle_timeout_s = "soon"\ncolour = "red"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = run("config", "check", str(bad))
    assert result.returncode == 1
    err = result.stderr
    for path in ("site.level:", "devices.idcard.port:", "devices.printer.uri:", "devices.idcard.baud:",
                 "ui.idle_timeout_s:", "ui.colour: unknown key"):
        assert path in err, (path, err)
    assert "usb:VID:PID" in err and "HOST:PORT" in err


def test_missing_file_and_bad_toml_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("kiosk_id = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)


def test_missing_referenced_files_are_reported():
    with pytest.raises(ConfigError) as info:
        parse_config({"kiosk_id": "k1", "site": {"level": "town", "code": "1", "name": "x"},
                      "catalog": "/no/such/catalog.toml", "ui": {"font": "/no/font.ttc"},
                      "devices": {"camera": {"type": "opencv", "source": "file:/no/video.mp4"}}})
    joined = "\n".join(info.value.problems)
    assert "catalog:" in joined and "ui.font:" in joined and "devices.camera.source:" in joined


def test_button_serial_needs_a_port():
    with pytest.raises(ConfigError, match="devices.button"):
        parse_config({"kiosk_id": "k1", "site": {"level": "town", "code": "1", "name": "x"},
                      "devices": {"button": {"type": "serial"}}})


def test_hash_pin_produces_a_hash_the_config_accepts():
    result = run("config", "hash-pin", stdin="246813\n")
    assert result.returncode == 0
    cfg = parse_config({"kiosk_id": "k1", "site": {"level": "town", "code": "1", "name": "x"},
                        "manager": {"pin_hash": result.stdout.strip()}})
    assert cfg.manager.pin_hash.startswith("$argon2")
    for weak in ("2468", "12", "111111", "123456", "1234567a"):  # too short, repeated, a run, not digits
        assert run("config", "hash-pin", stdin=f"{weak}\n").returncode == 1, weak


def test_check_validates_the_catalogue_too(tmp_path):
    catalog = tmp_path / "matters.toml"
    catalog.write_text('[catalog]\nname = "x"\n[[matter]]\nid = "a"\n', encoding="utf-8")
    cfg = tmp_path / "k.toml"
    text = DEFAULT.read_text(encoding="utf-8").replace('# catalog = "matters.toml"', f'catalog = "{catalog}"')
    cfg.write_text(text, encoding="utf-8")
    result = run("config", "check", str(cfg))
    assert result.returncode == 1
    assert "catalog:" in result.stderr


@pytest.mark.parametrize("content, says", [
    (b'kiosk_id = "zd-\xff\xfe"\n', "not UTF-8 text (byte 0xFF on line 1)"),
    (b"kiosk_id = \"k\"\n\n# \xd6\xd0\xce\xc4 GBK comment\n", "not UTF-8 text (byte 0xD6 on line 3)"),
    (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested hundreds deep"),
    (b"a = " + b"{b=" * 3000 + b"1" + b"}" * 3000 + b"\n", "nested hundreds deep"),
    (b"a = " + b"[" * 40 + b"]" * 40 + b"\n", "nested more than 16 deep"),
    (b'kiosk_id = "k"\n' + b"a." * 3000 + b"b = 1\n", "nested more than 16 deep"),
], ids=["bad-utf8", "gbk-comment", "deep-arrays", "deep-inline-tables", "arrays-40", "dotted-key-3000"])
def test_check_gives_a_clear_error_for_files_that_are_not_plain_toml(tmp_path, content, says):
    bad = tmp_path / "hostile.toml"
    bad.write_bytes(content)
    result = run("config", "check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "(file): " in result.stderr and says in result.stderr, result.stderr


def test_a_catalogue_that_is_not_utf8_or_too_deep_is_a_catalog_error(tmp_path):
    from kiosk.catalog import CatalogError, load_catalog

    for content in (b'[catalog]\nname = "\xc4\xe3\xba\xc3"\n', b"x = " + b"[" * 3000 + b"]" * 3000):
        path = tmp_path / "matters.toml"
        path.write_bytes(content)
        with pytest.raises(CatalogError, match=r"\(file\): (is not UTF-8|not valid TOML)"):
            load_catalog(path)


def test_a_huge_value_is_not_echoed_whole(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace("idle_timeout_s = 90", f'idle_timeout_s = "{"9" * 100_000}"')
    bad = tmp_path / "big.toml"
    bad.write_text(text, encoding="utf-8")
    result = run("config", "check", str(bad))
    assert result.returncode == 1 and "ui.idle_timeout_s:" in result.stderr and len(result.stderr) < 2000


@pytest.mark.parametrize("old, new, says", [
    ('url = "http://127.0.0.1:8600"', 'url = "http://127.0.0.1:86000"', "queue.url: 'http://127.0.0.1:86000' has port 86000, out of range"),
    ('port = "socket://127.0.0.1:7101"', 'port = "socket://reader.local:99999"',
     "devices.idcard.port: 'socket://reader.local:99999' has port 99999, out of range; a port is 1–65535"),
    ('uri = "tcp://127.0.0.1:9100"', 'uri = "tcp://10.0.0.9:0"', "devices.printer.uri: 'tcp://10.0.0.9:0' has port 0"),
    ('url = "http://127.0.0.1:8600"', 'url = "http://:8600"', "queue.url: 'http://:8600' has no host"),
])
def test_ports_out_of_range_are_named_as_such(tmp_path, old, new, says):
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "k.toml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    result = run("config", "check", str(bad))
    assert result.returncode == 1 and says in result.stderr, result.stderr
    assert "needs HOST:PORT" not in result.stderr


def test_check_warns_about_what_will_not_work(tmp_path, monkeypatch):
    schedule = tmp_path / "holidays.toml"  # this year's and next year's schedule known: no holidays warning
    this_year = date.today().year  # (only to keep that warning out, whatever the date the test runs on)
    schedule.write_text(f"[{this_year}]\n[{this_year + 1}]\n", encoding="utf-8")
    monkeypatch.setenv("KIOSK_HOLIDAYS", str(schedule))
    text = DEFAULT.read_text(encoding="utf-8").replace('port = "socket://127.0.0.1:7101"', 'port = "COM3"')
    cfg = tmp_path / "k.toml"
    cfg.write_text(text, encoding="utf-8")
    result = run("config", "check", str(cfg))
    assert result.returncode == 0 and "OK" in result.stdout and "3 warning(s)" in result.stdout
    err = result.stderr
    assert "warning: queue.token: no token" in err and "kiosk queue add-kiosk" in err
    assert "warning: manager.pin_hash: no manager PIN" in err and "kiosk config hash-pin" in err
    if sys.platform.startswith("linux"):
        assert "warning: devices.idcard.port: 'COM3' is a Windows port name" in err and "/dev/ttyUSB0" in err


def test_warnings_go_away_when_fixed_and_name_missing_devices(tmp_path):
    from kiosk.config.advice import config_warnings

    token = tmp_path / "token"
    token.write_text("kqk_x\n", encoding="utf-8")
    base = {"kiosk_id": "k1", "site": {"level": "town", "code": "1", "name": "x"},
            "queue": {"token_file": str(token)}, "manager": {"pin_hash": "$argon2id$v=19$m=1,t=1,p=1$x$y"}}
    june = date(2026, 6, 1)  # 2026's holiday schedule is known (chinese-calendar)
    assert config_warnings(parse_config(base), platform="linux", today=june) == []
    assert config_warnings(parse_config({**base, "devices": {"idcard": {"port": "COM3"}}}), platform="win32",
                           today=june) == []
    token.write_text("\n", encoding="utf-8")
    unplugged = parse_config({**base, "devices": {"idcard": {"port": "/dev/ttyUSB7"},
                                                  "printer": {"uri": "serial:/dev/ttyS9?baudrate=9600"},
                                                  "button": {"type": "serial", "port": "/dev/ttyACM3"}}})
    found = config_warnings(unplugged, platform="linux", exists=lambda path: False, today=june)
    assert [w.split(":", 1)[0] for w in found] == ["queue.token_file", "devices.idcard.port", "devices.button.port",
                                                   "devices.printer.uri"]
    assert "is empty" in found[0] and "'/dev/ttyUSB7' does not exist now" in found[1]


def test_check_warns_60_days_before_a_year_without_a_holiday_schedule(no_holidays_file, tmp_path):
    from kiosk.config.advice import config_warnings

    cfg = parse_config({"kiosk_id": "k1", "site": {"level": "town", "code": "1", "name": "x"}})
    assert not [w for w in config_warnings(cfg, today=date(2026, 10, 30)) if w.startswith("holidays")]
    found = [w for w in config_warnings(cfg, today=date(2026, 11, 15)) if w.startswith("holidays")]
    assert len(found) == 1 and "no holiday schedule for 2027" in found[0], found
    for words in (str(no_holidays_file), "KIOSK_HOLIDAYS", "[2027]", "国务院办公厅关于2027年部分节假日安排的通知",
                  "holidays = ", "workdays = ", "调休"):
        assert words in found[0], (words, found[0])
    in_2031 = [w for w in config_warnings(cfg, today=date(2031, 3, 1)) if w.startswith("holidays")]
    assert "no holiday schedule for 2031" in in_2031[0]
    no_holidays_file.write_text("[2027]\nholidays = [2027-01-01]\n", encoding="utf-8")
    from kiosk.catalog import workdays

    workdays._load_or_log.cache_clear()  # the file filled in: the warning is gone
    assert not [w for w in config_warnings(cfg, today=date(2026, 11, 15)) if w.startswith("holidays")]
