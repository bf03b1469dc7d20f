"""The one table of states and transitions."""

import pytest

from kiosk.queue.states import (
    ACTIVE_STATES,
    CLOSED_STATES,
    TRANSITIONS,
    Action,
    State,
    TransitionError,
    from_states,
    next_state,
)

ALLOWED = {
    ("waiting", "claim"): "claimed", ("waiting", "cancel"): "cancelled",
    ("claimed", "arrive"): "arrived", ("claimed", "release"): "waiting", ("claimed", "cancel"): "cancelled",
    ("arrived", "resolve"): "resolved", ("arrived", "convert"): "converted",
    ("arrived", "release"): "waiting", ("arrived", "cancel"): "cancelled",
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_pair_is_allowed_or_refused_with_the_current_state(state, action):
    expected = ALLOWED.get((state.value, action.value))
    if expected:
        assert next_state("r1", state, action) == expected
    else:
        with pytest.raises(TransitionError) as err:
            next_state("r1", state, action)
        assert err.value.current == state and f"'{state.value}'" in str(err.value)


def test_derived_sets():
    assert {State.RESOLVED, State.CONVERTED, State.CANCELLED} == CLOSED_STATES
    assert {State.CLAIMED, State.ARRIVED} == ACTIVE_STATES
    assert set(from_states("release")) == {State.CLAIMED, State.ARRIVED}
    assert set(TRANSITIONS) == set(State)
