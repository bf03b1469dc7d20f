"""IdentityBox's public record sealing (used by 代办 cases; nobody reaches into its key)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet

from kiosk.queue.crypto import IdentityBox, KeyProblem

QUEUE = Path(__file__).resolve().parents[2] / "kiosk" / "queue"


def test_a_record_of_several_fields_round_trips_and_carries_nothing_readable():
    box = IdentityBox(MultiFernet([Fernet(Fernet.generate_key())]))
    record = {"name": "张𠮷", "id_number": "11010519491231002X", "phone": "13800138000", "note": None}
    blob = box.seal_record(record)
    assert b"13800138000" not in blob and "张".encode() not in blob
    assert box.open_record(blob) == record


def test_a_foreign_key_or_a_nested_record_is_refused_clearly():
    box = IdentityBox(MultiFernet([Fernet(Fernet.generate_key())]))
    other = IdentityBox(MultiFernet([Fernet(Fernet.generate_key())]))
    with pytest.raises(KeyProblem):
        other.open_record(box.seal_record({"name": "李四"}))
    with pytest.raises(ValueError):
        box.seal_record({"name": {"nested": "x"}})


@pytest.mark.parametrize("path", sorted(p for p in QUEUE.glob("*.py") if p.name != "crypto.py"))
def test_no_module_reaches_into_the_box_key(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    touched = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "_cipher"]
    assert not touched, f"{path.name} lines {touched} use IdentityBox._cipher; use seal_record/open_record"
