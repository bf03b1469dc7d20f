"""Help-request states, the actions that move between them, kinds and priorities: the ONE place.

:data:`TRANSITIONS` maps each state to the actions allowed in it and the state each action leads to.
:func:`next_state` is the only way the service computes a new state; a wrong action raises
:class:`TransitionError`, which the API answers with HTTP 409 and the current state.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    WAITING = "waiting"
    CLAIMED = "claimed"
    ARRIVED = "arrived"  # the helper is at the kiosk with the resident
    RESOLVED = "resolved"
    CONVERTED = "converted"  # turned into a 代办 case
    CANCELLED = "cancelled"


class Action(StrEnum):
    CLAIM = "claim"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    CONVERT = "convert"
    RELEASE = "release"
    CANCEL = "cancel"


TRANSITIONS: dict[State, dict[Action, State]] = {
    State.WAITING: {Action.CLAIM: State.CLAIMED, Action.CANCEL: State.CANCELLED},
    State.CLAIMED: {Action.ARRIVE: State.ARRIVED, Action.RELEASE: State.WAITING, Action.CANCEL: State.CANCELLED},
    State.ARRIVED: {
        Action.RESOLVE: State.RESOLVED,
        Action.CONVERT: State.CONVERTED,
        Action.RELEASE: State.WAITING,
        Action.CANCEL: State.CANCELLED,
    },
    State.RESOLVED: {},
    State.CONVERTED: {},
    State.CANCELLED: {},
}

OPEN_STATES = frozenset(s for s, actions in TRANSITIONS.items() if actions)
CLOSED_STATES = frozenset(s for s, actions in TRANSITIONS.items() if not actions)
ACTIVE_STATES = frozenset({State.CLAIMED, State.ARRIVED})  # a helper holds the request

KINDS = ("consult", "assist", "proxy", "call")  # 咨询 / 帮办 / 代办 / plain call
STEPS = ("start", "identify", "matter", "materials", "result", "done", "manager")
OUTCOMES = ("led_to_window", "answered")
CANCEL_REASONS = ("resident_left", "duplicate", "other")
PRIORITIES = ("after_hours", "green", "elderly", "disabled", "normal")
# Callbacks left after hours first (helpers see them first thing), then the green channel, elderly and
# disabled residents; within a rank the oldest first. after_hours is -1 so stored ranks stay valid.
PRIORITY_RANK: dict[str, int] = {"after_hours": -1, "green": 0, "elderly": 1, "disabled": 1, "normal": 2}
ROLES = ("helper", "manager", "supervisor")


class TransitionError(Exception):
    """``action`` is not allowed in ``current``. ``current`` is the state the request is in now."""

    def __init__(self, request_id: str, current: str, action: str, message: str | None = None):
        self.request_id = request_id
        self.current = current
        self.action = action
        allowed = ", ".join(a.value for a in TRANSITIONS.get(State(current), {})) or "none (closed)"
        super().__init__(
            message
            or f"request {request_id} is '{current}': '{action}' is not allowed (allowed: {allowed})"
        )


def next_state(request_id: str, current: str, action: str) -> State:
    """The state ``action`` leads to from ``current``; raises :class:`TransitionError` when not allowed."""
    try:
        return TRANSITIONS[State(current)][Action(action)]
    except (KeyError, ValueError):
        raise TransitionError(request_id, current, action) from None


def from_states(action: str) -> tuple[State, ...]:
    """Every state in which ``action`` is allowed (for conditional ``UPDATE … WHERE state IN …``)."""
    return tuple(s for s, actions in TRANSITIONS.items() if Action(action) in actions)
