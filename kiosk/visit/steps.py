"""The visit's steps, kinds and the table of allowed moves between steps; the visit's errors."""

from __future__ import annotations

import enum


class Step(enum.StrEnum):
    START = "start"
    IDENTIFY = "identify"
    MATTER = "matter"
    MATERIALS = "materials"
    RESULT = "result"
    DONE = "done"


class Kind(enum.StrEnum):
    CONSULT = "consult"  # 咨询
    ASSIST = "assist"  # 帮办
    PROXY = "proxy"  # 代办


TRANSITIONS: dict[Step, frozenset[Step]] = {
    Step.START: frozenset({Step.IDENTIFY, Step.MATTER}),
    Step.IDENTIFY: frozenset({Step.MATTER}),
    Step.MATTER: frozenset({Step.MATERIALS, Step.IDENTIFY}),
    Step.MATERIALS: frozenset({Step.RESULT, Step.MATTER}),
    Step.RESULT: frozenset({Step.DONE, Step.MATERIALS}),
    Step.DONE: frozenset({Step.START}),
}
"""Allowed moves besides :meth:`Visit.reset`, which goes to START from every step."""

BACK: dict[Step, Step] = {
    Step.MATTER: Step.IDENTIFY, Step.MATERIALS: Step.MATTER, Step.RESULT: Step.MATERIALS,
}
"""Where :meth:`Visit.back` goes from each step that has a step before it."""


class VisitError(Exception):
    """A call that does not fit the visit's state; the message says what is expected instead."""


class TransitionError(VisitError):
    """A move that :data:`TRANSITIONS` does not allow."""


def check_move(current: Step, new: Step) -> None:
    """Raises :class:`TransitionError` (naming the allowed moves) unless ``current → new`` is allowed."""
    if new not in TRANSITIONS[current]:
        raise TransitionError(f"cannot go from {current.value} to {new.value}; "
                              f"allowed: {sorted(s.value for s in TRANSITIONS[current])} or reset()")


def check_step(current: Step, *steps: Step) -> None:
    """Raises :class:`TransitionError` unless ``current`` is one of ``steps``."""
    if current not in steps:
        raise TransitionError(f"not allowed at step {current.value}; "
                              f"expected {[s.value for s in steps]}")
