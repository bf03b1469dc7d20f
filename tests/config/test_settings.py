import subprocess
import sys
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
