"""Fees collected at the counter (`record_fee`), refunds (#17): the pure rule, then the action layer."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import actions, counter_fees
from motcua.dossiers.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from motcua.dossiers.lifecycle import Capacity, Status
from motcua.dossiers.models import Event, EventKind

from .conftest import CRIMINAL_RECORD, at, counter_dossier, fresh, online_dossier, result_file

R = frozenset({Capacity.RECEPTIONIST})
GOOD = {"amount_vnd": 200_000, "method": "cash", "receipt_number": "BL-0001"}


# --- the pure rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "allowed", "when"), [
    (Status.SUBMITTED, False, None),
    (Status.RECEIVED, True, "at_reception"),
    (Status.REFUSED, False, None),
    (Status.PROCESSING, True, "at_reception"),
    (Status.SUPPLEMENT_REQUESTED, True, "at_reception"),
    (Status.AWAITING_PAYMENT, True, "at_return"),  # as payments.services.default_when: all still unpaid
    (Status.WITHDRAWN, False, None),
    (Status.STOPPED, False, None),
    (Status.COMPLETED, True, "at_return"),
    (Status.RETURNED, False, None),
])
def test_the_statuses_from_reception_until_return(status, allowed, when):
    if allowed:
        assert counter_fees.check(status, R, **GOOD).when == when
    else:
        with pytest.raises(ActionNotAllowed):
            counter_fees.check(status, R, **GOOD)


@pytest.mark.parametrize("caps", [frozenset(), {Capacity.OWNER}, {Capacity.STEP_HOLDER}, {Capacity.MANAGER}])
def test_only_the_receptionist_records(caps):
    with pytest.raises(PermissionDenied):
        counter_fees.check(Status.RECEIVED, caps, **GOOD)


def test_the_state_is_checked_before_the_actor_and_the_actor_before_the_values():
    with pytest.raises(ActionNotAllowed):
        counter_fees.check(Status.RETURNED, frozenset(), amount_vnd=-1, method="x", receipt_number="")
    with pytest.raises(PermissionDenied):
        counter_fees.check(Status.RECEIVED, frozenset(), amount_vnd=-1, method="x", receipt_number="")


@pytest.mark.parametrize(("values", "field"), [
    ({"amount_vnd": 0}, "amount"),
    ({"amount_vnd": -5}, "amount"),
    ({"amount_vnd": 1.5}, "amount"),
    ({"amount_vnd": True}, "amount"),
    ({"amount_vnd": "200000"}, "amount"),
    ({"amount_vnd": counter_fees.MAX_AMOUNT_VND + 1}, "amount"),
    ({"method": "bitcoin"}, "method"),
    ({"method": ""}, "method"),
    ({"receipt_number": ""}, "receipt_number"),
    ({"receipt_number": "   "}, "receipt_number"),
    ({"receipt_number": "x" * 51}, "receipt_number"),
    ({"receipt_number": 12}, "receipt_number"),
])
def test_bad_values_name_their_field(values, field):
    with pytest.raises(InvalidInput) as caught:
        counter_fees.check(Status.RECEIVED, R, **(GOOD | values))
    assert caught.value.field == field


def test_good_values_are_cleaned():
    fee = counter_fees.check(Status.RECEIVED, R, amount_vnd=counter_fees.MAX_AMOUNT_VND, method="card",
                             receipt_number="  BL   12 ")
    assert (fee.amount_vnd, fee.method, fee.receipt_number) == (counter_fees.MAX_AMOUNT_VND, "card", "BL 12")
    assert fee.method_label == "Thẻ"
    assert counter_fees.check(Status.RECEIVED, R, **(GOOD | {"receipt_number": "x" * 50})).receipt_number == "x" * 50


def test_the_lines_an_amount_pays():
    lines = [{"fee_id": 1, "name": "A", "amount_vnd": 100}, {"fee_id": 2, "name": "B", "amount_vnd": 50}]
    assert counter_fees.covered_lines(lines, 120) == [
        {"fee_id": 1, "name": "A", "amount_vnd": 100}, {"fee_id": 2, "name": "B", "amount_vnd": 20}]
    assert counter_fees.covered_lines(lines, 500)[-1]["amount_vnd"] == 50
    assert counter_fees.covered_lines([], 500) == []


@pytest.mark.parametrize(("status", "paid", "due"), [
    (Status.REFUSED, 1, True), (Status.WITHDRAWN, 5, True), (Status.STOPPED, 5, True),
    (Status.REFUSED, 0, False), (Status.RETURNED, 5, False), (Status.COMPLETED, 5, False),
])
def test_which_endings_open_a_refund(status, paid, due):
    assert counter_fees.refund_due(status, paid) is due


def test_completing_a_refund_is_checked():
    today = dt.date(2026, 3, 10)
    good = {"method": "transfer", "reference": "UNC 12", "refunded_on": today, "today": today}
    assert counter_fees.check_refund("pending", R, **good).reference == "UNC 12"
    with pytest.raises(ActionNotAllowed):
        counter_fees.check_refund("done", R, **good)
    with pytest.raises(PermissionDenied):
        counter_fees.check_refund("pending", {Capacity.MANAGER}, **good)
    for bad, field in (({"method": "x"}, "method"), ({"reference": ""}, "reference"),
                       ({"reference": "x" * 101}, "reference"), ({"refunded_on": None}, "refunded_on"),
                       ({"refunded_on": today + dt.timedelta(days=1)}, "refunded_on")):
        with pytest.raises(InvalidInput) as caught:
            counter_fees.check_refund("pending", R, **(good | bad))
        assert caught.value.field == field


# --- the action layer -----------------------------------------------------------------------------


def test_the_counter_records_the_fee_at_reception(people):
    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    version = d.version
    result = actions.record_fee(d, actor=people.centre_receptionist, amount_vnd=200_000, method="transfer",
                                receipt_number="0000123", at=at(9, 9, 20), expected_version=version)
    d = fresh(d)
    assert (d.fee_collected, d.receipt_number, d.version) == (200_000, "0000123", version + 1)
    event = result.event
    assert event.kind == EventKind.FEE_RECORDED and event.version == d.version
    assert event.data["amount_vnd"] == 200_000 and event.data["method"] == "transfer"
    assert event.data["when"] == "at_reception" and event.data["receipt_number"] == "0000123"
    assert [line["amount_vnd"] for line in event.data["fees"]] == [200_000]
    assert event.data["fees"][0]["name"] == "Phí cung cấp thông tin lý lịch tư pháp"


def test_record_fee_refuses_others_and_ended_dossiers(people):
    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    with pytest.raises(PermissionDenied):
        actions.record_fee(d, actor=people.justice_officer, **GOOD)
    with pytest.raises(PermissionDenied):  # a receptionist of another agency cannot even see it
        actions.record_fee(d, actor=people.receptionist, **GOOD)
    actions.withdraw(d, actor=people.centre_receptionist, reason="Rút", at=at(9, 10))
    with pytest.raises(ActionNotAllowed):
        actions.record_fee(fresh(d), actor=people.centre_receptionist, **GOOD)
    assert fresh(d).fee_collected == 0
    assert not Event.objects.filter(dossier=d, kind=EventKind.FEE_RECORDED).exists()


def test_record_fee_is_idempotent_with_a_key(people):
    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    first = actions.record_fee(d, actor=people.centre_receptionist, idempotency_key="k1", **GOOD)
    again = actions.record_fee(d, actor=people.centre_receptionist, idempotency_key="k1", **GOOD)
    assert again.replayed and again.event.pk == first.event.pk
    assert fresh(d).fee_collected == 200_000


def completed(people):
    """A commune dossier walked to status 9 (the receptionist returns it)."""
    from motcua.dossiers.queries import steps_of

    d = fresh(counter_dossier(people, when=at(9)))
    for _ in range(len(steps_of(d.case_id)) - 1):
        holder = d.assignee or people.officer
        if d.assignee is None:
            actions.claim(d, actor=people.officer if d.current_role == "officer" else people.leader, at=at(9, 10))
            d = fresh(d)
            holder = d.assignee
        actions.handover(d, actor=holder, at=at(9, 10))
        d = fresh(d)
    if d.assignee is None:
        actions.claim(d, actor=people.clerk if d.current_role == "clerk" else people.officer, at=at(9, 11))
        d = fresh(d)
    result_file(d, d.assignee, at(9, 11))
    actions.complete(fresh(d), actor=fresh(d).assignee, at=at(9, 11))
    return fresh(d)


def test_return_with_fee_records_the_fee_then_returns_in_one_transaction(people):
    d = completed(people)
    with pytest.raises(InvalidInput):  # a bad fee: nothing written, not even the return
        actions.return_with_fee(d, actor=people.receptionist, fee={"amount_vnd": 8000, "method": "gold",
                                                                   "receipt_number": "1"},
                                originals_checked=True, applicant_signed=True, at=at(9, 14))
    assert fresh(d).status == Status.COMPLETED and fresh(d).version == d.version
    result = actions.return_with_fee(d, actor=people.receptionist, expected_version=d.version,
                                     fee={"amount_vnd": 8000, "method": "card", "receipt_number": "R-10"},
                                     originals_checked=True, applicant_signed=True, at=at(9, 14))
    d2 = fresh(d)
    assert d2.status == Status.RETURNED and d2.fee_collected == 8000 and d2.version == d.version + 2
    assert result.extra["fee_event"].data == {"amount_vnd": 8000, "method": "card", "receipt_number": "R-10",
                                              "when": "at_return", "fees": []}


def test_the_deprecated_return_parameters_write_a_fee_record(people):
    d = completed(people)
    before = d.version
    actions.return_result(fresh(d), actor=people.receptionist, originals_checked=True, applicant_signed=True,
                          fee_collected=8000, receipt_number="R-9", at=at(9, 14))
    d = fresh(d)
    assert d.status == Status.RETURNED and d.fee_collected == 8000 and d.receipt_number == "R-9"
    kinds = list(Event.objects.filter(dossier=d, version__gt=before).order_by("version").values_list("kind", "data"))
    assert [k for k, _data in kinds] == [EventKind.FEE_RECORDED, EventKind.RESULT_RETURNED]
    assert kinds[0][1]["when"] == "at_return" and kinds[0][1]["method"] == "cash"


def test_a_paid_dossier_refused_withdrawn_or_stopped_waits_for_its_refund(people):
    from motcua.payments.models import Refund

    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    actions.record_fee(d, actor=people.centre_receptionist, at=at(9, 9, 30), **GOOD)
    ended = actions.withdraw(fresh(d), actor=people.centre_receptionist, reason="Rút", at=at(9, 10))
    refund = Refund.objects.get(dossier=d)
    assert refund.state == "pending" and refund.amount_vnd == 200_000
    assert refund.origin_event_id == ended.event.pk and refund.reason == "withdrawn"
    assert refund.agency_id == people.centre.pk
    with pytest.raises(PermissionDenied):
        actions.record_refund(refund, actor=people.justice_officer, method="cash", reference="PC 1")
    done = actions.record_refund(refund, actor=people.centre_receptionist, method="cash", reference="PC 1",
                                 refunded_on=dt.date(2026, 3, 9), at=at(9, 11))
    refund.refresh_from_db()
    assert refund.state == "done" and refund.completed_by == people.centre_receptionist
    assert done.event.kind == EventKind.FEE_REFUNDED and done.event.data["amount_vnd"] == 200_000
    with pytest.raises(ActionNotAllowed):
        actions.record_refund(refund, actor=people.centre_receptionist, method="cash", reference="PC 2")


def test_an_unpaid_dossier_that_ends_has_no_refund(people):
    from motcua.payments.models import Refund

    d = online_dossier(people, CRIMINAL_RECORD, when=at(9))
    actions.refuse(d, actor=people.centre_receptionist, reason="Sai", at=at(9, 10))
    assert not Refund.objects.filter(dossier=d).exists()


def test_an_online_payment_then_a_stop_opens_a_refund(people):
    from motcua.payments.models import Refund

    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    actions.record_payment(d, amount_vnd=200_000, reference="MC1", provider="sandbox", paid_at=at(9, 10))
    d = fresh(d)
    holder = people.justice_officer if d.current_role == "officer" else people.centre_receptionist
    try:
        actions.stop(d, actor=holder, reason="Dừng", at=at(9, 11))
    except (PermissionDenied, ActionNotAllowed):
        actions.withdraw(d, actor=people.centre_receptionist, reason="Rút", at=at(9, 11))
    assert Refund.objects.get(dossier=d).amount_vnd == 200_000


def test_money_arriving_after_the_dossier_ended_is_recorded_and_refunded(people):
    """A citizen still on the bank's page when the counter refused: the payment is recorded all the
    same and opens a refund of that amount, never left unaccounted (review of #17)."""
    from motcua.payments.models import Refund

    d = online_dossier(people, CRIMINAL_RECORD, when=at(9))
    actions.refuse(d, actor=people.centre_receptionist, reason="Sai", at=at(9, 10))
    assert not Refund.objects.filter(dossier=d).exists()
    late = actions.record_payment(d, amount_vnd=200_000, reference="MC-LATE", provider="sandbox",
                                  paid_at=at(9, 10, 1), at=at(9, 10, 2))
    d = fresh(d)
    assert d.status == Status.REFUSED and d.fee_collected == 200_000
    assert late.event.kind == EventKind.PAYMENT_RECEIVED
    refund = Refund.objects.get(dossier=d)
    assert (refund.amount_vnd, refund.state, refund.origin_event_id) == (200_000, "pending", late.event.pk)
    again = actions.record_payment(d, amount_vnd=200_000, reference="MC-LATE", provider="sandbox",
                                   paid_at=at(9, 10, 1), at=at(9, 10, 3))
    assert again.replayed and Refund.objects.filter(dossier=d).count() == 1  # one payment, one refund


def test_the_system_refusal_opens_a_refund_of_what_was_paid(people):
    """`refuse_by_system` shares the post-decision code of `perform`: a dossier that had paid part
    of its fee is refunded like any other refused dossier."""
    from motcua.payments.models import Refund

    d = online_dossier(people, CRIMINAL_RECORD, when=at(9))
    actions.record_payment(d, amount_vnd=50_000, reference="MC-PART", provider="sandbox", paid_at=at(9, 9, 30))
    result = actions.refuse_by_system(d, reason="Chưa nộp đủ phí, lệ phí trong thời hạn.", at=at(9, 10))
    assert fresh(d).status == Status.REFUSED
    assert result.extra["refund"].amount_vnd == 50_000
    assert Refund.objects.get(dossier=d).origin_event_id == result.event.pk


def test_a_fee_recorded_while_awaiting_payment_counts_at_return_and_resumes(people):
    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    d = fresh(d)
    holder = people.justice_officer if d.current_role == "officer" else people.centre_receptionist
    if d.assignee_id is None and d.current_role != "receptionist":
        actions.claim(d, actor=holder, at=at(9, 9, 10))
    before = fresh(d).status
    actions.pause(fresh(d), actor=holder, reason="Chờ nộp lệ phí", kind="payment", at=at(9, 9, 20))
    assert fresh(d).status == Status.AWAITING_PAYMENT
    result = actions.record_fee(fresh(d), actor=people.centre_receptionist, at=at(9, 10), **GOOD)
    d = fresh(d)
    assert result.event.data["when"] == "at_return"
    assert d.status == before and d.paused_at is None  # the obligation is met: the clock restarts
    assert (result.event.from_status, result.event.to_status) == (Status.AWAITING_PAYMENT, before)


def test_a_refund_is_completed_only_through_its_own_dossier(people):
    from motcua.dossiers.errors import DossierNotFound
    from motcua.payments.models import Refund

    d = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    other = counter_dossier(people, CRIMINAL_RECORD, when=at(9))
    actions.record_fee(d, actor=people.centre_receptionist, at=at(9, 9, 30), **GOOD)
    actions.withdraw(fresh(d), actor=people.centre_receptionist, reason="Rút", at=at(9, 10))
    refund = Refund.objects.get(dossier=d)
    with pytest.raises(DossierNotFound):
        actions.record_refund(refund, actor=people.centre_receptionist, method="cash", reference="PC 1",
                              refunded_on=dt.date(2026, 3, 9), at=at(9, 11), dossier=other)
    refund.refresh_from_db()
    assert refund.state == "pending"
