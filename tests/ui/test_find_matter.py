"""Finding a matter without pinyin (issue 12, item 14), with real touches: the most asked matters first,
and matters grouped by life event beside the departments."""

from pathlib import Path

import pytest

from kiosk.catalog import CatalogError, load_catalog
from kiosk.catalog.life_events import by_life_event, common_matters, life_event_names
from kiosk.config.settings import DEFAULT_CATALOG
from tests.ui.kit import ID_NUMBER, close, config, kiosk


@pytest.fixture
def h(window, tmp_path):
    harness = kiosk(config(tmp_path), queue=False)
    harness.start("assist")
    harness.type_id(ID_NUMBER)
    harness.pump(8)
    yield harness
    close(harness)


def settled_tap(h, widget) -> None:
    h.pump(8)  # a new list re-lays the screen out over a few frames (title, buttons, the back button's words)
    h.tap(widget)


def shown(h) -> list[str]:
    h.pump(8)
    return [b.matter_id for b in reversed(h.screen("matter").ids.item_box.children) if hasattr(b, "matter_id")]


def test_the_most_asked_matters_come_first_and_one_touch_chooses(h):
    s = h.screen("matter")
    assert h.current == "matter" and s.mode == "departments"
    settled_tap(h, s.ids.common)
    assert s.mode == "list" and s.heading == "最多人办的事"
    first = shown(h)
    assert first[0] == "pension-enrol" and first == [m.id for m in common_matters(h.controller.visit.catalog)][
        :len(first)]
    settled_tap(h, next(b for b in s.ids.item_box.children if getattr(b, "matter_id", None) == "pension-enrol"))
    assert h.current == "materials" and h.controller.visit.matter.id == "pension-enrol"


def test_life_events_beside_the_departments_lead_to_their_matters_and_back(h):
    s = h.screen("matter")
    settled_tap(h, s.ids.events)
    assert s.mode == "events"
    names = [b.text for b in reversed(s.ids.item_box.children)]
    assert names[:4] == ["生育", "上学", "就业", "结婚"]
    settled_tap(h, h.button("身后事", s))
    assert s.mode == "list" and "身后事" in s.heading and shown(h) == ["death-benefit"]
    assert s.ids.nav.ids.nav_back.text == "返回人生大事"
    settled_tap(h, s.ids.nav.ids.nav_back)
    assert s.mode == "events"
    settled_tap(h, s.ids.nav.ids.nav_back)
    assert s.mode == "departments" and h.current == "matter"
    settled_tap(h, h.button("区民政局", s))  # the departments are still there
    assert s.mode == "list" and "marriage" in shown(h)


def test_a_hall_shows_only_the_groups_it_handles():
    catalog = load_catalog(DEFAULT_CATALOG)
    village = catalog.for_level("village")
    assert "开办企业" in life_event_names(catalog) and "开办企业" not in life_event_names(village)
    assert all("village" in m.levels for m in common_matters(village))
    assert [m.id for m in by_life_event(catalog, "身后事")] == ["death-benefit"] and by_life_event(catalog, "?") == []


def test_a_group_naming_no_matter_is_refused_with_its_place(tmp_path):
    text = Path(DEFAULT_CATALOG).read_text(encoding="utf-8").replace(
        'common = ["pension-enrol",', 'common = ["pension-enroll",', 1).replace(
        'matters = ["death-benefit"]', 'matters = ["death"]', 1)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    problems = " ".join(err.value.problems)
    assert "catalog.common[0]: 'pension-enroll' is no matter" in problems
    assert "catalog.life_event[6](身后事).matters[0]: 'death'" in problems
