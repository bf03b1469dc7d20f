"""kiosk.durable: a file is replaced whole or not at all, with the caller's mode, and no temp file stays."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk.durable import atomic_file, atomic_write


def test_atomic_write_replaces_with_the_mode_despite_the_umask(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")
    old_umask = os.umask(0o077)
    try:
        atomic_write(target, "新的 new", mode=0o640)
    finally:
        os.umask(old_umask)
    assert target.read_text(encoding="utf-8") == "新的 new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_failed_block_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "backup.tar.gz"
    target.write_bytes(b"the old backup")
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"half of a new one")
        raise RuntimeError("disk pulled")
    assert target.read_bytes() == b"the old backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz"]


def test_atomic_file_streams_into_a_new_file(tmp_path):
    target = tmp_path / "new.bin"
    with atomic_file(target) as fh:
        for i in range(3):
            fh.write(bytes([i]) * 1000)
    assert target.read_bytes() == b"\x00" * 1000 + b"\x01" * 1000 + b"\x02" * 1000
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
