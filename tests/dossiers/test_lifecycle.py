"""The pure state machine: table tests, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from motcua.dossiers.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from motcua.dossiers.lifecycle import (
    STATUS_LABELS,
    Action,
    Capacity,
    Clock,
    Phase,
    State,
    Status,
    allowed_actions,
    automatic_after,
    decide,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
DUE = dt.datetime(2026, 3, 20, 17, 0, tzinfo=TZ)

OWNER, RECEPTIONIST, HOLDER, POOL, MANAGER = (
    Capacity.OWNER, Capacity.RECEPTIONIST, Capacity.STEP_HOLDER, Capacity.POOL_MEMBER, Capacity.MANAGER,
)
REASON = {"reason": "Lý do ghi rõ"}


def state(status: Status, **kw) -> State:
    defaults = {"step_index": None, "step_count": 4, "due_at": None}
    if status not in (Status.SUBMITTED,) and "step_index" not in kw:
        defaults.update(step_index=1, due_at=DUE)
    if status == Status.SUPPLEMENT_REQUESTED and "resume_status" not in kw:
        defaults.update(resume_status=Status.PROCESSING, paused=True)
    if status == Status.AWAITING_PAYMENT:
        defaults.update(resume_status=Status.PROCESSING, paused=True)
    defaults.update(kw)
    return State(status=status, **defaults)


# (state, action, capacities, params) -> expected next status
ALLOWED = [
    (state(Status.SUBMITTED), Action.RECEIVE, {RECEPTIONIST}, {}, Status.RECEIVED),
    (state(Status.SUBMITTED), Action.REFUSE, {RECEPTIONIST}, REASON, Status.REFUSED),
    (state(Status.SUBMITTED), Action.REQUEST_SUPPLEMENT, {RECEPTIONIST}, {"missing": ["Giấy chứng sinh"]},
     Status.SUPPLEMENT_REQUESTED),
    (state(Status.SUPPLEMENT_REQUESTED, resume_status=Status.SUBMITTED, paused=False,
           reception_supplement_requested=True), Action.SUPPLY, {OWNER}, {}, Status.SUBMITTED),
    (state(Status.SUPPLEMENT_REQUESTED), Action.SUPPLY, {RECEPTIONIST}, {}, Status.PROCESSING),
    (state(Status.SUPPLEMENT_REQUESTED, resume_status=Status.RECEIVED), Action.SUPPLY, {HOLDER}, {}, Status.RECEIVED),
    (state(Status.RECEIVED, step_index=0), Action.HANDOVER, {HOLDER}, {}, Status.PROCESSING),
    (state(Status.PROCESSING), Action.HANDOVER, {HOLDER}, {}, Status.PROCESSING),
    (state(Status.PROCESSING), Action.RETURN_TO_PREVIOUS, {HOLDER}, REASON, Status.PROCESSING),
    (state(Status.PROCESSING), Action.CLAIM, {POOL}, {}, Status.PROCESSING),
    (state(Status.PROCESSING), Action.REQUEST_SUPPLEMENT, {HOLDER}, {"missing": ["Bản vẽ"]},
     Status.SUPPLEMENT_REQUESTED),
    (state(Status.RECEIVED, step_index=0), Action.REQUEST_SUPPLEMENT, {HOLDER}, {"missing": ["Bản vẽ"]},
     Status.SUPPLEMENT_REQUESTED),
    (state(Status.PROCESSING), Action.PAUSE, {HOLDER}, REASON, Status.PROCESSING),
    (state(Status.PROCESSING), Action.PAUSE, {MANAGER}, REASON | {"pause_kind": "payment"}, Status.AWAITING_PAYMENT),
    (state(Status.PROCESSING, paused=True, resume_status=Status.PROCESSING), Action.RESUME, {HOLDER}, {},
     Status.PROCESSING),
    (state(Status.AWAITING_PAYMENT), Action.RESUME, {RECEPTIONIST}, {}, Status.PROCESSING),
    (state(Status.PROCESSING), Action.EXTEND, {MANAGER},
     REASON | {"new_due_at": DUE + dt.timedelta(days=3)}, Status.PROCESSING),
    (state(Status.PROCESSING), Action.STOP, {HOLDER}, REASON, Status.STOPPED),
    (state(Status.SUPPLEMENT_REQUESTED), Action.STOP, {MANAGER}, REASON, Status.STOPPED),
    (state(Status.PROCESSING, step_index=3), Action.COMPLETE, {HOLDER}, {}, Status.COMPLETED),
    (state(Status.PROCESSING, step_index=3, result_required=True, result_files=1), Action.COMPLETE, {HOLDER}, {},
     Status.COMPLETED),
    (state(Status.RECEIVED, step_index=None, step_count=0), Action.COMPLETE, {HOLDER}, {}, Status.COMPLETED),
    (state(Status.COMPLETED, step_index=3), Action.RETURN_RESULT, {RECEPTIONIST}, {}, Status.RETURNED),
    (state(Status.SUBMITTED), Action.WITHDRAW, {OWNER}, {}, Status.WITHDRAWN),
    (state(Status.PROCESSING), Action.WITHDRAW, {RECEPTIONIST}, {}, Status.WITHDRAWN),
    (state(Status.AWAITING_PAYMENT), Action.WITHDRAW, {OWNER}, {}, Status.WITHDRAWN),
]


@pytest.mark.parametrize(("st", "action", "caps", "params", "expected"), ALLOWED)
def test_it_allows_the_transitions_of_design_section_6(st, action, caps, params, expected):
    decision = decide(action, st, caps, now=NOW, **params)
    assert decision.to_status == expected
    assert decision.from_status == st.status


# (state, action, capacities, params) -> error class and code
REFUSED = [
    # Wrong status
    (state(Status.RECEIVED), Action.RECEIVE, {RECEPTIONIST}, {}, ActionNotAllowed, "invalid_status"),
    (state(Status.PROCESSING), Action.REFUSE, {RECEPTIONIST}, REASON, ActionNotAllowed, "invalid_status"),
    (state(Status.SUBMITTED), Action.HANDOVER, {HOLDER}, {}, ActionNotAllowed, "invalid_status"),
    (state(Status.COMPLETED), Action.HANDOVER, {HOLDER}, {}, ActionNotAllowed, "invalid_status"),
    (state(Status.PROCESSING), Action.RETURN_RESULT, {RECEPTIONIST}, {}, ActionNotAllowed, "invalid_status"),
    (state(Status.PROCESSING), Action.SUPPLY, {OWNER}, {}, ActionNotAllowed, "invalid_status"),
    (state(Status.COMPLETED), Action.WITHDRAW, {OWNER}, {}, ActionNotAllowed, "invalid_status"),
    (state(Status.RETURNED), Action.STOP, {MANAGER}, REASON, ActionNotAllowed, "invalid_status"),
    # Every end status refuses everything
    *[(state(end), action, set(Capacity), REASON, ActionNotAllowed, "invalid_status")
      for end in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED) for action in Action],
    # Reception: one supplement request only
    (state(Status.SUBMITTED, reception_supplement_requested=True), Action.REQUEST_SUPPLEMENT, {RECEPTIONIST},
     {"missing": ["x"]}, ActionNotAllowed, "supplement_already_requested"),
    # Clock stopped
    (state(Status.PROCESSING, paused=True, resume_status=Status.PROCESSING), Action.HANDOVER, {HOLDER}, {},
     ActionNotAllowed, "dossier_paused"),
    (state(Status.PROCESSING, paused=True, resume_status=Status.PROCESSING), Action.EXTEND, {HOLDER},
     REASON | {"new_due_at": DUE + dt.timedelta(days=1)}, ActionNotAllowed, "dossier_paused"),
    (state(Status.PROCESSING), Action.RESUME, {HOLDER}, {}, ActionNotAllowed, "not_paused"),
    # Workflow position
    (state(Status.PROCESSING, step_index=3), Action.HANDOVER, {HOLDER}, {}, ActionNotAllowed, "no_next_step"),
    (state(Status.PROCESSING, step_index=0), Action.RETURN_TO_PREVIOUS, {HOLDER}, REASON, ActionNotAllowed,
     "no_previous_step"),
    (state(Status.PROCESSING, step_index=1), Action.COMPLETE, {HOLDER}, {}, ActionNotAllowed, "not_last_step"),
    (state(Status.PROCESSING, step_index=3, result_required=True), Action.COMPLETE, {HOLDER}, {}, ActionNotAllowed,
     "result_file_required"),
    (state(Status.PROCESSING, assigned=True), Action.CLAIM, {POOL}, {}, ActionNotAllowed, "already_assigned"),
    # Extension after the due time
    (state(Status.PROCESSING, due_at=NOW - dt.timedelta(minutes=1)), Action.EXTEND, {HOLDER},
     REASON | {"new_due_at": NOW + dt.timedelta(days=2)}, ActionNotAllowed, "extension_too_late"),
    # Wrong actor
    (state(Status.SUBMITTED), Action.RECEIVE, {OWNER}, {}, PermissionDenied, "forbidden"),
    (state(Status.SUBMITTED), Action.REQUEST_SUPPLEMENT, {HOLDER}, {"missing": ["x"]}, PermissionDenied, "forbidden"),
    (state(Status.PROCESSING), Action.HANDOVER, {POOL, MANAGER}, {}, PermissionDenied, "forbidden"),
    (state(Status.PROCESSING), Action.HANDOVER, set(), {}, PermissionDenied, "forbidden"),
    (state(Status.PROCESSING, step_index=3), Action.COMPLETE, {MANAGER, RECEPTIONIST}, {}, PermissionDenied,
     "forbidden"),
    (state(Status.PROCESSING), Action.WITHDRAW, {HOLDER, MANAGER}, {}, PermissionDenied, "forbidden"),
    (state(Status.PROCESSING), Action.RESUME, {RECEPTIONIST}, {}, ActionNotAllowed, "not_paused"),
    (state(Status.PROCESSING, paused=True, resume_status=Status.PROCESSING), Action.RESUME, {RECEPTIONIST}, {},
     PermissionDenied, "forbidden"),
    # Bad parameters
    (state(Status.SUBMITTED), Action.REFUSE, {RECEPTIONIST}, {"reason": "   "}, InvalidInput, "invalid_parameter"),
    (state(Status.PROCESSING), Action.STOP, {HOLDER}, {}, InvalidInput, "invalid_parameter"),
    (state(Status.PROCESSING), Action.RETURN_TO_PREVIOUS, {HOLDER}, {}, InvalidInput, "invalid_parameter"),
    (state(Status.SUBMITTED), Action.REQUEST_SUPPLEMENT, {RECEPTIONIST}, {"missing": []}, InvalidInput,
     "invalid_parameter"),
    (state(Status.SUBMITTED), Action.REQUEST_SUPPLEMENT, {RECEPTIONIST}, {"missing": ["a", " "]}, InvalidInput,
     "invalid_parameter"),
    (state(Status.PROCESSING), Action.EXTEND, {HOLDER}, REASON, InvalidInput, "invalid_parameter"),
    (state(Status.PROCESSING), Action.EXTEND, {HOLDER}, REASON | {"new_due_at": DUE}, InvalidInput,
     "invalid_parameter"),
    (state(Status.PROCESSING), Action.EXTEND, {HOLDER}, {"new_due_at": DUE + dt.timedelta(days=1)}, InvalidInput,
     "invalid_parameter"),
    (state(Status.PROCESSING), Action.PAUSE, {HOLDER}, REASON | {"pause_kind": "holiday"}, InvalidInput,
     "invalid_parameter"),
    (state(Status.PROCESSING), "fly_away", {HOLDER}, {}, InvalidInput, "unknown_action"),
]


@pytest.mark.parametrize(("st", "action", "caps", "params", "error", "code"), REFUSED)
def test_it_refuses_what_the_rules_forbid(st, action, caps, params, error, code):
    with pytest.raises(error) as info:
        decide(action, st, caps, now=NOW, **params)
    assert info.value.code == code
    assert info.value.message  # a Vietnamese sentence, never empty


def test_it_checks_state_before_actor_before_parameters():
    # Wrong status and wrong actor and no reason: the status wins (409), then the actor (403).
    with pytest.raises(ActionNotAllowed):
        decide(Action.STOP, state(Status.SUBMITTED), set(), now=NOW)
    with pytest.raises(PermissionDenied):
        decide(Action.STOP, state(Status.PROCESSING), set(), now=NOW)


def test_it_stops_the_clock_on_a_supplement_after_receipt_and_counts_the_second_as_late():
    first = decide(Action.REQUEST_SUPPLEMENT, state(Status.PROCESSING), {HOLDER}, now=NOW, missing=["Bản vẽ"])
    assert first.clock == Clock.PAUSE and first.phase == Phase.PROCESSING
    assert first.supplement_count == 1 and not first.counts_as_late
    assert first.resume_status == Status.PROCESSING
    second = decide(
        Action.REQUEST_SUPPLEMENT, state(Status.PROCESSING, supplement_count=1), {HOLDER}, now=NOW, missing=["x"]
    )
    assert second.supplement_count == 2 and second.counts_as_late


def test_it_does_not_stop_the_clock_for_a_supplement_at_reception():
    decision = decide(Action.REQUEST_SUPPLEMENT, state(Status.SUBMITTED), {RECEPTIONIST}, now=NOW, missing=["x"])
    assert decision.clock is None and decision.phase == Phase.RECEPTION
    assert decision.resume_status == Status.SUBMITTED


def test_it_moves_along_the_workflow():
    assert decide(Action.HANDOVER, state(Status.RECEIVED, step_index=0), {HOLDER}, now=NOW).step_index == 1
    back = decide(Action.RETURN_TO_PREVIOUS, state(Status.PROCESSING, step_index=2), {HOLDER}, now=NOW, **REASON)
    assert back.step_index == 1 and back.step_move == -1
    receive = decide(Action.RECEIVE, state(Status.SUBMITTED), {RECEPTIONIST}, now=NOW)
    assert receive.step_index == 0 and receive.clock == Clock.START


def test_it_closes_an_open_pause_when_the_dossier_ends():
    st = state(Status.SUPPLEMENT_REQUESTED)
    assert decide(Action.STOP, st, {HOLDER}, now=NOW, **REASON).clock == Clock.RESUME
    assert decide(Action.WITHDRAW, st, {OWNER}, now=NOW).clock == Clock.RESUME
    assert decide(Action.STOP, state(Status.PROCESSING), {HOLDER}, now=NOW, **REASON).clock is None


def test_it_lists_the_actions_an_actor_may_take():
    assert allowed_actions(state(Status.SUBMITTED), {RECEPTIONIST}, now=NOW) == [
        Action.RECEIVE, Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.WITHDRAW,
    ]
    assert allowed_actions(state(Status.SUBMITTED), {OWNER}, now=NOW) == [Action.WITHDRAW]
    holder = allowed_actions(state(Status.PROCESSING), {HOLDER}, now=NOW)
    assert Action.HANDOVER in holder and Action.COMPLETE not in holder
    assert allowed_actions(state(Status.RETURNED), set(Capacity), now=NOW) == []


def test_status_codes_match_the_national_portal_and_the_model():
    from motcua.dossiers.models import Status as ModelStatus

    assert [s.value for s in Status] == list(range(1, 11))
    assert {s.value: str(STATUS_LABELS[s]) for s in Status} == {c.value: str(c.label) for c in ModelStatus}


def _apply(st: State, decision) -> State:
    """What the action layer does to the facts after a decision (enough for the rules)."""
    paused = st.paused
    if decision.clock == Clock.PAUSE:
        paused = True
    elif decision.clock == Clock.RESUME:
        paused = False
    resume = decision.resume_status if decision.resume_status is not None else st.resume_status
    if decision.action in (Action.SUPPLY, Action.RESUME):
        resume = None
    return replace(
        st,
        status=decision.to_status,
        step_index=decision.step_index,
        paused=paused,
        resume_status=resume,
        supplement_count=decision.supplement_count,
        reception_supplement_requested=st.reception_supplement_requested or (
            decision.action == Action.REQUEST_SUPPLEMENT and decision.phase == Phase.RECEPTION),
        assigned=decision.action == Action.CLAIM or (st.assigned and decision.step_move == 0),
        due_at=DUE if decision.clock == Clock.START else st.due_at,
    )


PARAMS = {"reason": "Lý do", "missing": ["Giấy tờ"], "new_due_at": DUE + dt.timedelta(days=30), "pause_kind": "other"}


@settings(max_examples=300, deadline=None)
@given(st_.lists(st_.tuples(st_.sampled_from(list(Action)), st_.sets(st_.sampled_from(list(Capacity)))),
                 max_size=40), st_.integers(min_value=0, max_value=6))
def test_no_sequence_of_actions_breaks_the_invariants(steps, step_count):
    current = State(status=Status.SUBMITTED, step_count=step_count)
    reception_requests = 0
    for action, caps in steps:
        try:
            decision = decide(action, current, caps, now=NOW, **PARAMS)
        except (ActionNotAllowed, PermissionDenied, InvalidInput):
            continue
        assert current.status not in {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED}
        if decision.action == Action.REQUEST_SUPPLEMENT and decision.phase == Phase.RECEPTION:
            reception_requests += 1
        current = _apply(current, decision)
        assert current.status in set(Status)
        if current.step_index is not None:
            assert 0 <= current.step_index < step_count
        if current.status in (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT) and current.due_at is not None:
            assert current.paused
        assert decision.counts_as_late == (decision.supplement_count > 1 and decision.clock == Clock.PAUSE)
    assert reception_requests <= 1  # never asked twice at reception


# --- how the result reaches the applicant (#17) ----------------------------------------------------

SYSTEM = Capacity.SYSTEM
DONE = {"step_index": 3}
ONLINE = {"delivery": "online", "has_owner": True}  # an electronic result, for a citizen account
POSTAL = {"postal_number": "EB123456789VN"}

DELIVERY_ALLOWED = [
    (state(Status.COMPLETED, **ONLINE, **DONE), Action.DELIVER_RESULT, {SYSTEM}, {}, Status.RETURNED),
    (state(Status.COMPLETED, delivery="post", **DONE), Action.POST_RESULT, {RECEPTIONIST}, POSTAL, Status.COMPLETED),
    (state(Status.COMPLETED, delivery="post", posted=True, **DONE), Action.CONFIRM_DELIVERY, {RECEPTIONIST}, {},
     Status.RETURNED),
    (state(Status.RETURNED, **ONLINE, **DONE), Action.HAND_OVER_PAPER_COPY, {RECEPTIONIST}, {},
     Status.RETURNED),
    # The counter may still hand any completed result over in person.
    (state(Status.COMPLETED, delivery="post", posted=True, **DONE), Action.RETURN_RESULT, {RECEPTIONIST}, {},
     Status.RETURNED),
]


@pytest.mark.parametrize(("st", "action", "caps", "params", "expected"), DELIVERY_ALLOWED)
def test_it_allows_the_ways_a_result_reaches_the_applicant(st, action, caps, params, expected):
    decision = decide(action, st, caps, now=NOW, **params)
    assert decision.to_status == expected
    assert decision.ends == (expected == Status.RETURNED and st.status != Status.RETURNED)


DELIVERY_REFUSED = [
    (state(Status.COMPLETED, delivery="counter", **DONE), Action.DELIVER_RESULT, {SYSTEM}, {}, ActionNotAllowed,
     "not_online_delivery"),
    (state(Status.COMPLETED, **ONLINE, **DONE), Action.DELIVER_RESULT, set(Capacity) - {SYSTEM}, {},
     PermissionDenied, "forbidden"),
    (state(Status.PROCESSING, **ONLINE, **DONE), Action.DELIVER_RESULT, {SYSTEM}, {},
     ActionNotAllowed, "invalid_status"),
    # A counter dossier (no citizen account): nobody could download it, the counter returns it.
    (state(Status.COMPLETED, delivery="online", **DONE), Action.DELIVER_RESULT, {SYSTEM}, {}, ActionNotAllowed,
     "not_online_delivery"),
    (state(Status.COMPLETED, **ONLINE, **DONE), Action.POST_RESULT, {RECEPTIONIST}, POSTAL,
     ActionNotAllowed, "not_postal_delivery"),
    (state(Status.COMPLETED, delivery="post", posted=True, **DONE), Action.POST_RESULT, {RECEPTIONIST}, POSTAL,
     ActionNotAllowed, "already_posted"),
    (state(Status.COMPLETED, delivery="post", **DONE), Action.POST_RESULT, {HOLDER, OWNER}, POSTAL,
     PermissionDenied, "forbidden"),
    (state(Status.COMPLETED, delivery="post", **DONE), Action.POST_RESULT, {RECEPTIONIST}, {}, InvalidInput,
     "invalid_parameter"),
    (state(Status.COMPLETED, delivery="post", **DONE), Action.POST_RESULT, {RECEPTIONIST},
     {"postal_number": "x" * 51}, InvalidInput, "invalid_parameter"),
    (state(Status.COMPLETED, delivery="post", **DONE), Action.CONFIRM_DELIVERY, {RECEPTIONIST}, {},
     ActionNotAllowed, "not_posted"),
    (state(Status.COMPLETED, delivery="post", posted=True, **DONE), Action.CONFIRM_DELIVERY, {OWNER}, {},
     PermissionDenied, "forbidden"),
    (state(Status.RETURNED, delivery="counter", **DONE), Action.HAND_OVER_PAPER_COPY, {RECEPTIONIST}, {},
     ActionNotAllowed, "invalid_status"),
    (state(Status.COMPLETED, **ONLINE, **DONE), Action.HAND_OVER_PAPER_COPY, {RECEPTIONIST}, {},
     ActionNotAllowed, "invalid_status"),
    (state(Status.RETURNED, **ONLINE, **DONE), Action.HAND_OVER_PAPER_COPY, {OWNER, HOLDER}, {},
     PermissionDenied, "forbidden"),
]


@pytest.mark.parametrize(("st", "action", "caps", "params", "error", "code"), DELIVERY_REFUSED)
def test_it_refuses_the_wrong_way_to_deliver_a_result(st, action, caps, params, error, code):
    with pytest.raises(error) as info:
        decide(action, st, caps, now=NOW, **params)
    assert info.value.code == code
    assert info.value.message


def test_an_electronic_result_is_returned_by_the_system_right_after_completion():
    for delivery, owner, expected in (("online", True, Action.DELIVER_RESULT), ("online", False, None),
                                      ("post", True, None), ("counter", True, None)):
        st = state(Status.PROCESSING, delivery=delivery, has_owner=owner, **DONE)
        completion = decide(Action.COMPLETE, st, {HOLDER}, now=NOW)
        assert automatic_after(completion, st) == expected, delivery
    returned = state(Status.RETURNED, **ONLINE, **DONE)
    copy = decide(Action.HAND_OVER_PAPER_COPY, returned, {RECEPTIONIST}, now=NOW)
    assert automatic_after(copy, returned) is None


def test_no_user_is_offered_the_systems_return_and_the_counter_sees_the_postal_steps():
    online = state(Status.COMPLETED, **ONLINE, **DONE)
    assert Action.DELIVER_RESULT not in allowed_actions(online, set(Capacity) - {SYSTEM}, now=NOW)
    assert allowed_actions(online, {SYSTEM}, now=NOW) == [Action.DELIVER_RESULT]
    post = state(Status.COMPLETED, delivery="post", **DONE)
    assert allowed_actions(post, {RECEPTIONIST}, now=NOW) == [Action.RETURN_RESULT, Action.POST_RESULT]
    posted = replace(post, posted=True)
    assert allowed_actions(posted, {RECEPTIONIST}, now=NOW) == [Action.RETURN_RESULT, Action.CONFIRM_DELIVERY]
    assert allowed_actions(state(Status.RETURNED, **ONLINE, **DONE), {RECEPTIONIST}, now=NOW) == [
        Action.HAND_OVER_PAPER_COPY]


def test_delivery_choices_match_the_model():
    from motcua.dossiers.lifecycle import Delivery
    from motcua.dossiers.models import Delivery as ModelDelivery

    assert [d.value for d in Delivery] == list(ModelDelivery.values)


# --- the approval step (issue #17) -----------------------------------------------------------------

APPROVAL = {"approval_step": True}

APPROVAL_ALLOWED = [
    # From an approval step in the middle: on to the next step (the clerk), status 4.
    (state(Status.PROCESSING, step_index=2, **APPROVAL), {HOLDER}, Status.PROCESSING, 3),
    (state(Status.RECEIVED, step_index=0, **APPROVAL), {HOLDER}, Status.PROCESSING, 1),
    (state(Status.PROCESSING, step_index=2, result_required=True, result_files=1, **APPROVAL), {HOLDER},
     Status.PROCESSING, 3),
    # The approval step is the last: completed.
    (state(Status.PROCESSING, step_index=3, **APPROVAL), {HOLDER}, Status.COMPLETED, 3),
]


@pytest.mark.parametrize(("st", "caps", "expected", "step"), APPROVAL_ALLOWED)
def test_the_holder_of_an_approval_step_approves(st, caps, expected, step):
    decision = decide(Action.APPROVE, st, caps, now=NOW)
    assert (decision.to_status, decision.step_index) == (expected, step)
    assert decision.event_kind == "approved"


APPROVAL_REFUSED = [
    (state(Status.PROCESSING, step_index=2), Action.APPROVE, {HOLDER}, ActionNotAllowed, "not_approval_step"),
    (state(Status.PROCESSING, step_index=2, **APPROVAL), Action.APPROVE, {POOL, MANAGER}, PermissionDenied,
     "forbidden"),
    (state(Status.PROCESSING, step_index=2, paused=True, resume_status=Status.PROCESSING, **APPROVAL),
     Action.APPROVE, {HOLDER}, ActionNotAllowed, "dossier_paused"),
    (state(Status.PROCESSING, step_index=2, result_required=True, result_files=0, **APPROVAL), Action.APPROVE,
     {HOLDER}, ActionNotAllowed, "result_file_required"),
    (state(Status.SUPPLEMENT_REQUESTED, step_index=2, **APPROVAL), Action.APPROVE, {HOLDER}, ActionNotAllowed,
     "invalid_status"),
    (state(Status.COMPLETED, step_index=2, **APPROVAL), Action.APPROVE, {HOLDER}, ActionNotAllowed,
     "invalid_status"),
    # At an approval step, hand-over and completion give way to the approval.
    (state(Status.PROCESSING, step_index=2, **APPROVAL), Action.HANDOVER, {HOLDER}, ActionNotAllowed,
     "approval_required"),
    (state(Status.PROCESSING, step_index=3, **APPROVAL), Action.COMPLETE, {HOLDER}, ActionNotAllowed,
     "approval_required"),
]


@pytest.mark.parametrize(("st", "action", "caps", "error", "code"), APPROVAL_REFUSED)
def test_the_approval_is_refused_where_the_rules_forbid(st, action, caps, error, code):
    with pytest.raises(error) as refused:
        decide(action, st, caps, now=NOW)
    assert refused.value.code == code


def test_the_approval_step_offers_approve_and_return_not_handover():
    offered = allowed_actions(state(Status.PROCESSING, step_index=2, **APPROVAL), {HOLDER}, now=NOW)
    assert Action.APPROVE in offered and Action.RETURN_TO_PREVIOUS in offered
    assert Action.HANDOVER not in offered and Action.COMPLETE not in offered
    assert Action.APPROVE not in allowed_actions(state(Status.PROCESSING, step_index=2), {HOLDER}, now=NOW)


def test_an_electronic_result_approved_at_the_last_step_is_returned_by_the_system():
    st = state(Status.PROCESSING, step_index=3, delivery="online", has_owner=True, **APPROVAL)
    assert automatic_after(decide(Action.APPROVE, st, {HOLDER}, now=NOW), st) == Action.DELIVER_RESULT
    middle = state(Status.PROCESSING, step_index=2, delivery="online", has_owner=True, **APPROVAL)
    assert automatic_after(decide(Action.APPROVE, middle, {HOLDER}, now=NOW), middle) is None
