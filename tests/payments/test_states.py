"""The payment state machine, as a table: every state × every event."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.payments.states import FINAL, OPEN, Effect, Event, State, decide

C, P, PAID, F, X, E = State.CREATED, State.PENDING, State.PAID, State.FAILED, State.CANCELLED, State.EXPIRED
APPLY, SAME, LATE, IGN = Effect.APPLY, Effect.SAME, Effect.LATE_PAID, Effect.IGNORE

TABLE = [
    # state, event, effect, state after
    (C, Event.START, APPLY, P),
    (C, Event.PENDING, SAME, C),
    (C, Event.PAID, APPLY, PAID),
    (C, Event.FAILED, APPLY, F),
    (C, Event.CANCELLED, APPLY, X),
    (C, Event.EXPIRED, APPLY, E),
    (P, Event.START, SAME, P),
    (P, Event.PENDING, SAME, P),
    (P, Event.PAID, APPLY, PAID),
    (P, Event.FAILED, APPLY, F),
    (P, Event.CANCELLED, APPLY, X),
    (P, Event.EXPIRED, APPLY, E),
    # paid is final
    (PAID, Event.START, IGN, PAID),
    (PAID, Event.PENDING, SAME, PAID),
    (PAID, Event.PAID, SAME, PAID),
    (PAID, Event.FAILED, IGN, PAID),
    (PAID, Event.CANCELLED, IGN, PAID),
    (PAID, Event.EXPIRED, IGN, PAID),
    # a gateway that reported a failure may still confirm the money later
    (F, Event.START, IGN, F),
    (F, Event.PENDING, SAME, F),
    (F, Event.PAID, APPLY, PAID),
    (F, Event.FAILED, SAME, F),
    (F, Event.CANCELLED, IGN, F),
    (F, Event.EXPIRED, IGN, F),
    # cancelled and expired keep their state; a late "paid" is recorded for reconciliation
    (X, Event.START, IGN, X),
    (X, Event.PENDING, SAME, X),
    (X, Event.PAID, LATE, X),
    (X, Event.FAILED, IGN, X),
    (X, Event.CANCELLED, SAME, X),
    (X, Event.EXPIRED, IGN, X),
    (E, Event.START, IGN, E),
    (E, Event.PENDING, SAME, E),
    (E, Event.PAID, LATE, E),
    (E, Event.FAILED, IGN, E),
    (E, Event.CANCELLED, IGN, E),
    (E, Event.EXPIRED, SAME, E),
]


def test_it_covers_every_state_and_event():
    assert {(s, e) for s, e, _, _ in TABLE} == {(s, e) for s in State for e in Event}


@pytest.mark.parametrize(("state", "event", "effect", "after"), TABLE)
def test_it_decides_each_transition(state, event, effect, after):
    transition = decide(state, event)
    assert (transition.effect, transition.from_state, transition.to_state) == (effect, state, after)
    assert transition.changes == (effect == APPLY)


def test_it_accepts_plain_strings():
    assert decide("pending", "paid").to_state == State.PAID
    with pytest.raises(ValueError):
        decide("pending", "refunded")


def test_it_names_open_and_final_states():
    assert {C, P} == OPEN
    assert {PAID, X, E} == FINAL


@given(st.lists(st.sampled_from(list(Event)), max_size=12))
def test_it_never_leaves_paid_and_only_changes_through_allowed_moves(events):
    state = State.CREATED
    for event in events:
        transition = decide(state, event)
        if state == State.PAID:
            assert transition.to_state == State.PAID and not transition.changes
        if not transition.changes:
            assert transition.to_state == state
        if state in (X, E):
            assert transition.to_state == state
        state = transition.to_state
