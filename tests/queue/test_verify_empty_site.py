"""``verify-ledger --site`` on a site with nothing recorded yet (a new hall, the first thing its IT tries after
add-site): exit 2 with a reason a hall's IT can act on. It pointed at add-site to list the sites, which lists
nothing."""

from __future__ import annotations

from kiosk.cli import main


def test_a_new_site_has_nothing_to_verify_and_is_told_so(tmp_path, capsys):
    state = str(tmp_path / "state")
    assert main(["queue", "add-site", "--state-dir", state, "--code", "421303", "--name", "曾都区政务服务中心",
                 "--level", "district"]) == 0
    capsys.readouterr()
    assert main(["queue", "verify-ledger", "--state-dir", state, "--site", "421303"]) == 2
    err = capsys.readouterr().err
    assert "site '421303' has no ledger entries yet" in err and "no help request or 代办 case" in err
    assert "add-site lists" not in err
