"""Setting keys in a technician's kiosk.toml without losing its comments; refusing what it cannot do."""

import tomllib

import pytest

from kiosk.deploy.tomledit import EditError, set_key

TEXT = """# the hall's kiosk
kiosk_id = "zd-qj-01"   # machine 1
state_dir = "state"

[queue]
url = "http://10.0.0.5:8600"   # the server

[devices.idcard]
type = "sam"
port = "/dev/ttyUSB0"
"""


def test_replaces_adds_and_appends_keeping_comments():
    out = set_key(TEXT, "", "state_dir", "/var/lib/kiosk/state")
    out = set_key(out, "", "location", "一楼")
    out = set_key(out, "devices.idcard", "port", "/dev/kiosk/idcard")
    out = set_key(out, "queue", "ca_file", "/etc/kiosk/queue-ca.pem")
    out = set_key(out, "privacy", "outbox_key_file", '/etc/kiosk/keys/"odd".key')
    data = tomllib.loads(out)
    assert data["state_dir"] == "/var/lib/kiosk/state" and data["location"] == "一楼"
    assert data["devices"]["idcard"] == {"type": "sam", "port": "/dev/kiosk/idcard"}
    assert data["queue"]["ca_file"] == "/etc/kiosk/queue-ca.pem"
    assert data["privacy"]["outbox_key_file"] == '/etc/kiosk/keys/"odd".key'
    assert "# the hall's kiosk" in out and "# machine 1" in out and "# the server" in out
    assert out.index('location = "一楼"') < out.index("[queue]")  # a top-level key stays above the tables


@pytest.mark.parametrize("text", ['queue = { url = "http://x:1" }\n', 'queue.url = "http://x:1"\n'])
def test_forms_it_cannot_edit_are_refused_with_what_to_write(text):
    with pytest.raises(EditError, match='add `ca_file = "/c.pem"` under \\[queue\\] yourself'):
        set_key(text, "queue", "ca_file", "/c.pem")


def test_install_without_root_is_refused_unless_dry_run(monkeypatch, capsys, tmp_path):
    from kiosk.cli import main

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("x")
    assert main(["install", "--config", str(cfg)]) == 2
    assert "run it as root" in capsys.readouterr().err
    assert main(["queue", "install"]) == 2
