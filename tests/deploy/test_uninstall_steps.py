"""``uninstall --dry-run`` lists the very steps ``uninstall`` then takes: one list of steps serves both, so
the preview cannot drift from what is done (it was a second walk over the manifest)."""

from __future__ import annotations

import json

import pytest

from kiosk.deploy.apply import uninstall, uninstall_plan

MANIFEST = "/etc/demo/install.json"


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    for d in ("etc/demo/keys", "etc/systemd/system", "opt/demo/bin", "var/lib/demo/state", "srv/shared"):
        (root / d).mkdir(parents=True)
    (root / "etc/systemd/system/demo.service").write_text("[Unit]\n")
    (root / "opt/demo/bin/run").write_text("#!/bin/sh\n")
    (root / "etc/demo/config.toml").write_text("x = 1\n")
    (root / "etc/demo/keys/k").write_text("secret")
    (root / "var/lib/demo/state/outbox.sqlite3").write_text("pending")
    (root / "srv/shared/hall.txt").write_text("not ours")  # a folder we made that someone else also uses
    (root / "etc/systemd/system/demo-alias.service").symlink_to("demo.service")
    manifest = {"files": ["/etc/systemd/system/demo.service", "/opt/demo/bin/run", "/opt/demo/gone"],
                "links": ["/etc/systemd/system/demo-alias.service"], "conf": ["/etc/demo/config.toml"],
                "dirs": ["/opt/demo", "/opt/demo/bin", "/srv/shared", "/etc/demo"],
                "data": ["/var/lib/demo", "/etc/demo/keys"],
                "remove_commands": [["systemctl", "disable", "--now", "demo"]], "after_remove": [["true"]]}
    (root / MANIFEST.lstrip("/")).write_text(json.dumps(manifest))
    return root


@pytest.mark.parametrize("purge", [False, True])
def test_the_dry_run_lists_what_uninstall_then_does(root, purge):
    lines = uninstall_plan(MANIFEST, root, purge=purge)
    assert (root / "opt/demo/bin/run").exists() and (root / MANIFEST.lstrip("/")).exists()  # nothing changed
    assert not any(line.startswith("run:") for line in lines)  # commands only on the real root
    assert "remove: /opt/demo/gone" not in lines  # not there: not promised
    ran: list[list[str]] = []
    removed = uninstall(MANIFEST, root, purge=purge, runner=ran.append)
    assert ran == []
    listed = [line.split(": ", 1)[1] for line in lines if line.split(": ", 1)[1] != MANIFEST]
    # every folder listed "if empty" was removed unless something not ours stayed in it; nothing else differs
    assert [p for p in listed if p not in removed] == ["/srv/shared"] + ([] if purge else ["/etc/demo"])
    assert set(removed) <= set(listed)
    assert (root / "srv/shared/hall.txt").exists()
    assert (root / "var/lib/demo/state/outbox.sqlite3").exists() != purge
    assert (root / "etc/demo/keys/k").exists() != purge
    assert removed.index("/opt/demo/bin") < removed.index("/opt/demo")  # deepest first
