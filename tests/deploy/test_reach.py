"""The note an install gives when the service's user cannot reach the Python or the package (a pyenv or a
checkout under /root, mode 0700): it must be a way out a hall's IT can follow. The package is not on PyPI,
so the note names the checkout to install into the shared venv, and the install to run again from there."""

from __future__ import annotations

from pathlib import Path

from kiosk.deploy.reach import python_problem


def _checkout(tmp_path: Path) -> tuple[Path, Path]:
    private = tmp_path / "private"
    package = private / "checkout" / "kiosk"
    package.mkdir(parents=True)
    (private / "checkout" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    private.chmod(0o700)
    python = tmp_path / "python3"
    python.write_text("")
    python.chmod(0o755)
    return package, python


def test_the_note_names_the_checkout_not_a_package_index_name(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    package, python = _checkout(tmp_path)
    note = python_problem(str(python), package)
    assert note is not None
    assert f"pip install {package.parent}" in note
    assert "kiosk-bangban" not in note  # not on PyPI: `pip install kiosk-bangban` would fail
    assert "then run /opt/kiosk/bin/kiosk install" in note


def test_the_queue_install_is_told_to_run_the_queue_install_again(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    package, python = _checkout(tmp_path)
    note = python_problem(str(python), package, "kiosk queue install")
    assert note is not None and "then run /opt/kiosk/bin/kiosk queue install" in note

