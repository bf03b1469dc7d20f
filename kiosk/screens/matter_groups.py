"""The matter screen's groups beside the departments (issue 12, item 14): 常办事项 (the matters residents
ask for most) and 按人生大事找 (生育、上学、就业、养老、身后事、开办企业…), from the catalogue
(:mod:`kiosk.catalog.life_events`). A group is named by a key: ``COMMON``, ``EVENT + name`` or a
department's name; :func:`matters_of` lists its matters, :func:`heading` titles its list."""

from __future__ import annotations

from kiosk.catalog.life_events import by_life_event, common_matters, life_event_names
from kiosk.i18n import tr

COMMON = "common:"
EVENT = "event:"


def events(controller) -> list[str]:
    """The life-event keys with matters at this hall."""
    return [EVENT + name for name in life_event_names(controller.visit.catalog)]


def open_group(mode: str, department: str) -> str:
    """Which of the two group buttons is open on the matter screen: ``"common"`` (最多人办的事's list),
    ``"events"`` (the life events or one event's list) or ``""`` (departments, search)."""
    if mode == "events" or (mode == "list" and department.startswith(EVENT)):
        return "events"
    return "common" if mode == "list" and department == COMMON else ""


def matters_of(controller, key: str) -> list:
    if key == COMMON:
        return common_matters(controller.visit.catalog)
    if key.startswith(EVENT):
        return by_life_event(controller.visit.catalog, key.removeprefix(EVENT))
    return controller.matters(key)


def label(key: str) -> str:
    """What a group's button and list say."""
    if key == COMMON:
        return tr("find.common")
    return key.removeprefix(EVENT)


def heading(key: str) -> str:
    if key == COMMON:
        return tr("find.common_title")
    if key.startswith(EVENT):
        return tr("find.event_title", event=key.removeprefix(EVENT))
    return key


def back_text(mode: str, key: str) -> str:
    """The 上一步 button's words: back to the life events from one of them, else to the departments."""
    if mode == "list" and key.startswith(EVENT):
        return tr("find.back_to_events")
    return tr("kiosk.matter.all_departments") if mode != "departments" else ""
