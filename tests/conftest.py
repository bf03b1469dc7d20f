import os
import tempfile

import pytest

# Kivy reads these at import time: keep it quiet, argument-free and out of the user's home.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
if os.environ.get("PYTEST_XDIST_WORKER") or "KIVY_HOME" not in os.environ:
    # one per xdist worker: workers inherit the controller's, and Kivy's first import creates its folders
    # there without minding another process doing the same (FileExistsError: .../mods, at collection)
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix=f"kivy-home-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")


def pytest_collection_modifyitems(items) -> None:
    """Modules with a test marked ``slow`` run first: with xdist's workers taking the next test as they
    finish, the long ones start early and the short ones fill in after, so the workers finish together (a
    long test last keeps one worker busy while the other idles). Whole modules move, in their own order,
    so module-scoped fixtures are set up as before."""
    def module(item) -> str:
        return getattr(getattr(item, "module", None), "__name__", "")

    slow = {module(item) for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: module(item) not in slow)  # stable: else collection order


@pytest.fixture(scope="module")
def catalog():
    """The packaged sample catalogue, loaded once a module (the visit and slip tests build on it)."""
    from kiosk.catalog import load_catalog
    from kiosk.config.settings import DEFAULT_CATALOG

    return load_catalog(DEFAULT_CATALOG)


@pytest.fixture
def no_holidays_file(tmp_path, monkeypatch):
    """The kiosk's default holidays file lists no year (whatever the shipped file holds later): a year the
    library lacks (2027, 2031) is then one without a schedule."""
    from kiosk.catalog import workdays

    path = tmp_path / "no-holidays.toml"
    path.write_text("# no year\n", encoding="utf-8")
    monkeypatch.setenv(workdays.HOLIDAYS_ENV, str(path))
    workdays._load_or_log.cache_clear()
    monkeypatch.setattr(workdays, "_warned", set())
    yield path
    workdays._load_or_log.cache_clear()
