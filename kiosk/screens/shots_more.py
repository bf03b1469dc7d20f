"""More screenshot scenarios (``kiosk screenshots``): the 代办 notice, the 好差评 question (issue 12, items
15 and 17). :func:`scenarios` gives (name, device options, steps) entries like ``shots._scenarios``."""

from __future__ import annotations

from collections.abc import Callable


def _resolved(h) -> None:
    """The helper marked the visit's request resolved while the resident is still here."""
    v = h.controller.visit
    if v.help_request_id is None:
        h.tap(h.root.header.ids.call_helper)
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


def scenarios(to_materials: Callable) -> list[tuple[str, dict, Callable]]:
    return [
        ("60_proxy_handover_notice", {}, lambda h: h.tap(h.screen("start").ids.proxy)),
        ("61_rating_question", {}, lambda h: (to_materials(h), _resolved(h))),
        ("62_rating_why", {}, lambda h: (to_materials(h), _why(h))),
        ("63_rating_thanks", {}, lambda h: (to_materials(h), _thanks(h))),
    ]
