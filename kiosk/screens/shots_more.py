"""More screenshot scenarios (``kiosk screenshots``): the 代办 notice, the 好差评 question, the most asked
matters and the life events, the queue number (issue 12, items 13, 14, 15 and 17). :func:`scenarios` gives (name, device options, steps) entries like ``shots._scenarios``."""

from __future__ import annotations

from collections.abc import Callable


def _resolved(h) -> None:
    """The helper marked the visit's request resolved while the resident is still here."""
    v = h.controller.visit
    if v.help_request_id is None:
        h.tap(h.root.header.ids.call_helper)
        h.settle()  # the call's own outcome (offline: no queue here) first, then the helper's answer
    h.controller._help_status(v.help_request_id, {"state": "resolved", "helper_display": "帮办员 李*"}, True)
    h.pump(8)


def _why(h) -> None:
    _resolved(h)
    prompt = h.root.rating.prompt
    h.tap(prompt.ids.unsatisfied)
    h.pump(8)
    h.tap(prompt.ids.reasons.children[-1])


def _thanks(h) -> None:
    _resolved(h)
    h.tap(h.root.rating.prompt.ids.satisfied)


def _events(h, open_first: bool = False) -> None:
    s = h.screen("matter")
    h.pump(8)
    h.tap(s.ids.events)
    if open_first:
        h.pump(4)
        h.tap(s.ids.item_box.children[-1])  # the first life event


def _with_queuing(h) -> None:
    """The hall's queuing system connected (a simulator): the result shows the real number and who is ahead."""
    from kiosk.terminal.queuing import SimulatedQueuing

    h.controller.where.queuing = SimulatedQueuing(windows={"区人力资源和社会保障局": "二楼 B 区 12–15 号窗口"})


def scenarios(to_matter: Callable, to_materials: Callable, result: Callable) -> list[tuple[str, dict, Callable]]:
    return [
        ("60_proxy_handover_notice", {}, lambda h: h.tap(h.screen("start").ids.proxy)),
        ("61_rating_question", {}, lambda h: (to_materials(h), _resolved(h))),
        ("62_rating_why", {}, lambda h: (to_materials(h), _why(h))),
        ("63_rating_thanks", {}, lambda h: (to_materials(h), _thanks(h))),
        ("64_matter_most_asked", {}, lambda h: (to_matter(h), h.pump(8), h.tap(h.screen("matter").ids.common))),
        ("65_matter_life_events", {}, lambda h: (to_matter(h), _events(h))),
        ("66_matter_life_event_list", {}, lambda h: (to_matter(h), _events(h, True))),
        ("67_result_queue_number", {}, lambda h: (_with_queuing(h), result(h), h.settle())),
    ]
