"""The action layer: every action, refused transitions, permissions, deadlines, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import actions
from motcua.dossiers.errors import (
    ActionNotAllowed,
    ConcurrentUpdate,
    IdempotencyConflict,
    InvalidInput,
    PermissionDenied,
)
from motcua.dossiers.models import AppendOnlyError, Dossier, Event, Status
from tests.answers import valid_answers

from .conftest import (
    BIRTH,
    COMPLAINT,
    CRIMINAL_RECORD,
    MARRIAGE,
    T0,
    applicant,
    at,
    counter_dossier,
    fresh,
    online_dossier,
    result_file,
    version_of,
)


def kinds(dossier) -> list[str]:
    return list(Event.objects.filter(dossier=dossier).order_by("version").values_list("kind", flat=True))


def walk_to_last_step(people, dossier, when=None):
    """Birth registration: reception -> officer -> leader -> clerk."""
    when = when or at(9, 10)
    actions.handover(dossier, actor=people.receptionist, at=when)
    actions.handover(dossier, actor=people.officer, at=when + dt.timedelta(minutes=30))
    actions.handover(dossier, actor=people.leader, at=when + dt.timedelta(hours=1))
    return fresh(dossier)


# --- creation and reception ---------------------------------------------------------------------


def test_it_creates_a_counter_dossier_received_with_its_due_time(people):
    dossier = counter_dossier(people, BIRTH, T0)
    assert dossier.status == Status.RECEIVED
    assert dossier.code == "000.21.01.H12-260309-0001"
    assert dossier.received_at == T0
    # Same-day case received before the 15:00 cut-off: due at the close of the day.
    assert dossier.due_at == dossier.original_due_at == at(9, 17, 0)
    assert dossier.current_step.name == "Tiếp nhận hồ sơ"
    assert dossier.assignee == people.receptionist
    assert dossier.handling_agency == people.commune
    assert dossier.step_due_at == at(9, 9, 30)  # a quarter of a working hour
    assert dossier.owner is None and dossier.version == 1
    [event] = Event.objects.filter(dossier=dossier)
    assert (event.kind, event.from_status, event.to_status, event.version) == ("received", None, 2, 1)
    assert event.to_assignee == people.receptionist
    assert event.data["due_at"] == "2026-03-09T17:00:00+07:00"


def test_it_counts_working_days_from_the_receipt(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    # Monday 09:15 + 10 working days = Monday two weeks later, 09:15.
    assert dossier.due_at == at(23, 9, 15)


def test_it_starts_a_same_day_case_next_day_after_the_cutoff(people):
    dossier = counter_dossier(people, BIRTH, at(9, 15, 30))
    assert dossier.due_at == at(10, 17, 0)


def test_it_creates_an_online_dossier_awaiting_reception(people):
    dossier = online_dossier(people, BIRTH, T0)
    assert dossier.status == Status.SUBMITTED
    assert dossier.owner == people.citizen
    assert dossier.channel == 2 and dossier.received_at is None and dossier.due_at is None
    assert dossier.current_step is None and dossier.assignee is None
    assert dossier.delivery == "online"  # level 4: electronic result by default
    assert kinds(dossier) == ["submitted"]


def test_it_receives_an_online_dossier(people):
    dossier = online_dossier(people, BIRTH, at(9, 8))
    result = actions.receive(dossier, actor=people.receptionist, at=T0)
    dossier = result.dossier
    assert dossier.status == Status.RECEIVED and dossier.received_at == T0
    assert dossier.due_at == at(9, 17, 0)
    assert dossier.assignee == people.receptionist and dossier.version == 2
    assert result.event.kind == "received" and result.event.from_status == 1 and result.event.version == 2
    assert fresh(dossier).due_at == at(9, 17, 0)


def test_it_refuses_online_submission_of_a_procedure_below_level_3(people):
    with pytest.raises(InvalidInput) as info:
        online_dossier(people, COMPLAINT)
    assert info.value.code == "online_submission_not_offered"


def test_only_the_receiving_counter_creates_counter_dossiers(people):
    for actor in (people.citizen, people.officer, people.other_receptionist):
        with pytest.raises(PermissionDenied):
            counter_dossier(people, BIRTH, actor=actor)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "applicant.name"),
        ({"id_number": "09609000123"}, "applicant.id_number"),
        ({"id_number": "09609000123x"}, "applicant.id_number"),
        ({"phone": "12345"}, "applicant.phone"),
        ({"email": "not-an-address"}, "applicant.email"),
        ({"kind": "alien"}, "applicant.kind"),
    ],
)
def test_it_validates_the_applicant_naming_the_field(people, overrides, field):
    with pytest.raises(InvalidInput) as info:
        actions.create_dossier(actor=people.citizen, version=version_of(BIRTH), channel=2,
                               applicant=applicant(**overrides), at=T0)
    assert info.value.field == field
    assert field in info.value.message


def test_it_accepts_an_organisation_with_a_tax_code(people):
    result = actions.create_dossier(
        actor=people.citizen, version=version_of(BIRTH), channel=2,
        applicant=applicant(kind="organisation", id_number="0312345678-001", name="Công ty TNHH An Bình"), at=T0,
        form_data=valid_answers(version_of(BIRTH)),
    )
    assert result.dossier.applicant_id_number == "0312345678-001"


def test_it_refuses_a_case_of_another_procedure(people):
    other_case = version_of(MARRIAGE).cases.first()
    with pytest.raises(InvalidInput) as info:
        actions.create_dossier(actor=people.citizen, version=version_of(BIRTH), case=other_case, channel=2,
                               applicant=applicant(), at=T0)
    assert info.value.field == "case"


# --- the e-form answers (form_data): one rule for every door ------------------------------------


def test_an_online_dossier_needs_valid_answers_to_the_e_form(people):
    version = version_of(BIRTH)  # no e-form of its own: the generic application
    with pytest.raises(InvalidInput) as info:
        actions.create_dossier(actor=people.citizen, version=version, channel=2, applicant=applicant(), at=T0)
    assert info.value.field == "form_data.applicant_name"
    assert "«Họ, chữ đệm, tên người đề nghị»" in info.value.message and "form_data.applicant_name" in info.value.message
    # Every problem is listed; the API returns them as `fields`.
    assert {f["field"] for f in info.value.extra["fields"]} == {
        "form_data.applicant_name", "form_data.applicant_id_number", "form_data.applicant_address",
        "form_data.applicant_phone", "form_data.request"}
    with pytest.raises(InvalidInput) as info:
        actions.create_dossier(actor=people.citizen, version=version, channel=2, applicant=applicant(), at=T0,
                               form_data=valid_answers(version, applicant_dob="2030-01-01"))
    assert info.value.field == "form_data.applicant_dob"  # "max_value": "today", the day of `at`
    assert not Dossier.objects.exists()


def test_the_counter_may_record_a_paper_form_but_answers_given_are_checked(people):
    version = version_of(BIRTH)
    assert counter_dossier(people, BIRTH).form_data == {}
    with pytest.raises(InvalidInput) as info:
        counter_dossier(people, BIRTH, form_data={"request": "xin"})
    assert info.value.field == "form_data.applicant_name"
    with pytest.raises(InvalidInput) as info:
        counter_dossier(people, BIRTH, form_data=valid_answers(version, extra="?"))
    assert info.value.field == "form_data.extra" and "không có trường «extra»" in info.value.message
    kept = counter_dossier(people, BIRTH, form_data=valid_answers(version, applicant_id_number="096 090 001 234"))
    assert kept.form_data["applicant_id_number"] == "096090001234"  # what is kept is cleaned


def _nested(depth: int) -> dict:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return {"request": value}


@pytest.mark.parametrize("form_data", [[1, 2], "x", _nested(6), _nested(100_000), {"k" * 61: 1}, {1: "x"},
                                       {"request": "x" * 300_000}, {f"k{i}": 0 for i in range(30_000)}])
def test_it_bounds_untrusted_answers_before_reading_them(people, form_data):
    with pytest.raises(InvalidInput) as info:
        actions.create_dossier(actor=people.citizen, version=version_of(BIRTH), channel=2, applicant=applicant(),
                               at=T0, form_data=form_data)
    assert info.value.field == "form_data"


# --- reception decisions ------------------------------------------------------------------------


def test_it_refuses_at_reception_with_a_reason(people):
    dossier = online_dossier(people)
    with pytest.raises(InvalidInput) as info:
        actions.refuse(dossier, actor=people.receptionist, reason=" ", at=T0)
    assert info.value.field == "reason"
    result = actions.refuse(dossier, actor=people.receptionist, reason="Không thuộc thẩm quyền", at=T0)
    assert result.dossier.status == Status.REFUSED and result.dossier.closed_at == T0
    assert result.event.note == "Không thuộc thẩm quyền"
    with pytest.raises(ActionNotAllowed):
        actions.receive(dossier, actor=people.receptionist, at=T0)


def test_it_asks_for_a_supplement_only_once_at_reception(people):
    dossier = online_dossier(people)
    missing = ["Giấy chứng sinh", "Văn bản ủy quyền"]
    result = actions.request_supplement(dossier, actor=people.receptionist, missing=missing, at=T0)
    assert result.dossier.status == Status.SUPPLEMENT_REQUESTED
    assert result.event.data == {"missing": missing, "phase": "reception"}
    assert result.dossier.paused_at is None  # not received yet: no clock to stop
    actions.supply(dossier, actor=people.citizen, at=at(10))
    assert fresh(dossier).status == Status.SUBMITTED
    with pytest.raises(ActionNotAllowed) as info:
        actions.request_supplement(dossier, actor=people.receptionist, missing=["Thêm nữa"], at=at(10, 10))
    assert info.value.code == "supplement_already_requested"
    received = actions.receive(dossier, actor=people.receptionist, at=at(10, 10)).dossier
    assert received.status == Status.RECEIVED and received.due_at == at(10, 17, 0)
    assert kinds(dossier) == ["submitted", "supplement_requested", "supplied", "received"]


def test_a_counter_dossier_can_start_unreceived_to_record_a_supplement_request(people):
    dossier = counter_dossier(people, BIRTH, receive=False)
    assert dossier.status == Status.SUBMITTED and dossier.owner is None
    actions.request_supplement(dossier, actor=people.receptionist, missing=["Tờ khai"], at=T0)
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


# --- processing ---------------------------------------------------------------------------------


def test_it_walks_the_whole_workflow_to_the_returned_result(people):
    dossier = counter_dossier(people, BIRTH, T0)
    # Reception step -> officer pool.
    first = actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 25))
    d = first.dossier
    assert (d.status, d.current_step.name, d.assignee, d.current_role) == (4, "Thẩm tra, xử lý", None, "officer")
    assert first.event.step_punctuality == "on_time"  # within its quarter-hour quota, same day
    assert first.event.from_assignee == people.receptionist and first.event.to_assignee is None
    # Any officer of the pool acts; hands over to a named leader.
    second = actions.handover(d, actor=people.officer2, to_user=people.leader, at=at(9, 10, 30))
    assert second.dossier.assignee == people.leader and second.event.to_assignee == people.leader
    # Only the named leader can act now.
    with pytest.raises(PermissionDenied):
        actions.handover(d, actor=people.officer2, at=at(9, 10, 40))
    actions.handover(d, actor=people.leader, at=at(9, 11, 0))
    d = fresh(d)
    assert d.current_step.name == "Vào sổ, trả kết quả"
    with pytest.raises(ActionNotAllowed) as info:
        actions.handover(d, actor=people.clerk, at=at(9, 13, 30))
    assert info.value.code == "no_next_step"
    with pytest.raises(ActionNotAllowed) as info:
        actions.complete(d, actor=people.clerk, at=at(9, 13, 30))
    assert info.value.code == "result_file_required"
    result_file(d, people.clerk, at(9, 13, 35))
    done = actions.complete(d, actor=people.clerk, at=at(9, 14, 0))
    assert done.dossier.status == Status.COMPLETED and done.dossier.finished_at == at(9, 14, 0)
    assert done.event.data["punctuality"] == "on_time"
    with pytest.raises(InvalidInput) as info:
        actions.return_result(d, actor=people.receptionist, originals_checked=True, applicant_signed=True,
                              fee_collected=8000, at=at(9, 15))
    assert info.value.field == "receipt_number"
    returned = actions.return_result(
        d, actor=people.receptionist, originals_checked=True, applicant_signed=True, fee_collected=8000,
        receipt_number="BL-0001", at=at(9, 15),
    )
    d = returned.dossier
    assert (d.status, d.returned_at, d.originals_checked, d.applicant_signed) == (10, at(9, 15), True, True)
    assert (d.fee_collected, d.receipt_number) == (8000, "BL-0001")
    # The fee given to return_result (deprecated) is recorded by record_fee's code: its own event (#17).
    assert kinds(d) == ["received", "handover", "handover", "handover", "file_added", "completed", "fee_recorded",
                        "result_returned"]
    versions = list(Event.objects.filter(dossier=d).order_by("version").values_list("version", flat=True))
    assert versions == list(range(1, 9)) and fresh(d).version == 8


def test_a_late_step_is_recorded_as_late(people):
    dossier = counter_dossier(people, BIRTH, T0)
    result = actions.handover(dossier, actor=people.receptionist, at=at(9, 13, 30))  # quota ended 09:30
    assert result.event.step_punctuality == "late"


def test_an_inter_agency_handover_moves_the_dossier_to_the_next_agency(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    assert dossier.handling_agency == people.centre
    result = actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    d = result.dossier
    assert d.handling_agency == people.justice and d.current_role == "officer"
    assert (result.event.from_agency, result.event.to_agency) == (people.centre, people.justice)
    # Officers of the service centre's province are nobody here; the justice officers' pool acts.
    with pytest.raises(PermissionDenied):
        actions.handover(d, actor=people.officer, at=at(9, 11))
    actions.handover(d, actor=people.justice_officer, at=at(10, 11))
    assert fresh(d).current_role == "department_head"


def test_it_returns_to_the_previous_step_and_its_last_handler(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))
    actions.handover(dossier, actor=people.officer, at=at(9, 10))
    with pytest.raises(InvalidInput):
        actions.return_to_previous(dossier, actor=people.leader, reason="", at=at(9, 10, 30))
    result = actions.return_to_previous(dossier, actor=people.leader, reason="Thiếu chữ ký", at=at(9, 10, 30))
    d = result.dossier
    assert d.current_step.name == "Thẩm tra, xử lý" and d.assignee == people.officer
    assert result.event.kind == "returned_to_previous" and result.event.note == "Thiếu chữ ký"
    # Back at the first step: nothing before it.
    actions.return_to_previous(d, actor=people.officer, reason="Kiểm tra lại", at=at(9, 10, 40))
    with pytest.raises(ActionNotAllowed) as info:
        actions.return_to_previous(d, actor=people.receptionist, reason="x", at=at(9, 10, 50))
    assert info.value.code == "no_previous_step"


def test_a_pool_member_claims_an_unassigned_dossier(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))
    claimed = actions.claim(dossier, actor=people.officer2, at=at(9, 9, 40)).dossier
    assert claimed.assignee == people.officer2
    with pytest.raises(ActionNotAllowed):
        actions.claim(dossier, actor=people.officer, at=at(9, 9, 41))
    with pytest.raises(PermissionDenied):
        actions.handover(dossier, actor=people.officer, at=at(9, 9, 42))


def test_it_refuses_a_handover_target_without_the_role(people):
    dossier = counter_dossier(people, BIRTH, T0)
    with pytest.raises(InvalidInput) as info:
        actions.handover(dossier, actor=people.receptionist, to_user=people.leader, at=at(9, 9, 30))
    assert info.value.code == "invalid_handover_target" and info.value.field == "to_user"
    with pytest.raises(InvalidInput):
        actions.handover(dossier, actor=people.receptionist, to_user=people.other_officer, at=at(9, 9, 30))
    with pytest.raises(InvalidInput):
        actions.handover(dossier, actor=people.receptionist, to_user="nobody-here", at=at(9, 9, 30))
    assert fresh(dossier).version == 1


def test_a_supplement_during_processing_stops_the_clock(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)  # due Monday 23 March 09:15
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    result = actions.request_supplement(dossier, actor=people.justice_officer, missing=["Bản sao CCCD"],
                                        at=at(10, 9, 15))
    assert result.dossier.status == Status.SUPPLEMENT_REQUESTED and result.dossier.paused_at == at(10, 9, 15)
    assert result.event.data["phase"] == "processing" and result.event.data["count"] == 1
    with pytest.raises(ActionNotAllowed):
        actions.handover(dossier, actor=people.justice_officer, at=at(10, 10))
    supplied = actions.supply(dossier, actor=people.centre_receptionist, at=at(12, 9, 15))
    d = supplied.dossier
    # Two working days (16 working hours) of waiting are not counted.
    assert d.status == Status.PROCESSING and d.paused_at is None
    assert d.paused_total == dt.timedelta(hours=16)
    assert d.due_at == at(25, 9, 15)
    assert d.original_due_at == at(23, 9, 15)
    assert supplied.event.data["paused_seconds"] == 16 * 3600
    assert supplied.event.data["due_at"] == "2026-03-25T09:15:00+07:00"


def test_a_second_supplement_request_makes_the_dossier_late(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    actions.request_supplement(dossier, actor=people.justice_officer, missing=["A"], at=at(10))
    actions.supply(dossier, actor=people.justice_officer, at=at(11))
    assert not fresh(dossier).counts_as_late
    second = actions.request_supplement(dossier, actor=people.justice_officer, missing=["B"], at=at(12))
    assert second.dossier.counts_as_late and second.dossier.supplement_count == 2
    assert second.event.data["counts_as_late"] is True


def test_pause_and_resume_move_the_due_time(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    with pytest.raises(InvalidInput):
        actions.pause(dossier, actor=people.justice_officer, reason="", at=at(10))
    paused = actions.pause(dossier, actor=people.justice_officer, reason="Chờ xác minh", kind="payment", at=at(10))
    assert paused.dossier.status == Status.AWAITING_PAYMENT and paused.event.data["kind"] == "payment"
    # Tuesday 09:15 -> Tuesday 13:15: 3 h 45 min of office time (the lunch break is not counted).
    resumed = actions.resume(dossier, actor=people.centre_receptionist, at=at(10, 13, 0)).dossier
    assert resumed.status == Status.PROCESSING
    assert resumed.paused_total == dt.timedelta(hours=1, minutes=45)
    assert resumed.due_at == at(23, 11, 0)
    with pytest.raises(ActionNotAllowed):
        actions.resume(dossier, actor=people.justice_officer, at=at(10, 14))
    # A plain pause keeps status 4.
    actions.pause(dossier, actor=people.justice_head, reason="Niêm yết công khai", at=at(10, 14))
    assert fresh(dossier).status == Status.PROCESSING and fresh(dossier).paused_at == at(10, 14)


def test_an_extension_needs_a_later_date_before_the_due_time(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    with pytest.raises(InvalidInput) as info:
        actions.extend(dossier, actor=people.justice_leader, new_due_at=at(20), reason="Cần xác minh", at=at(18))
    assert info.value.field == "new_due_at"
    result = actions.extend(dossier, actor=people.justice_leader, new_due_at=at(27, 17, 0), reason="Cần xác minh",
                            at=at(18))
    assert result.dossier.due_at == at(27, 17, 0) and result.dossier.extension_count == 1
    assert result.event.data == {"due_at_before": "2026-03-23T09:15:00+07:00", "due_at": "2026-03-27T17:00:00+07:00"}
    assert result.dossier.original_due_at == at(23, 9, 15)
    with pytest.raises(ActionNotAllowed) as info:
        actions.extend(dossier, actor=people.justice_leader, new_due_at=at(31, 17, 0), reason="x", at=at(28, 8))
    assert info.value.code == "extension_too_late"
    # A clerk of another step is not allowed to extend.
    with pytest.raises(PermissionDenied):
        actions.extend(dossier, actor=people.justice_clerk, new_due_at=at(27, 17, 30), reason="x", at=at(19))


def test_it_stops_processing_with_a_notice(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))
    with pytest.raises(InvalidInput):
        actions.stop(dossier, actor=people.officer, reason="", at=at(9, 10))
    result = actions.stop(dossier, actor=people.leader, reason="Người nộp không đủ điều kiện", at=at(9, 10))
    assert result.dossier.status == Status.STOPPED and result.dossier.closed_at == at(9, 10)
    for action in ("handover", "complete", "withdraw", "receive"):
        with pytest.raises(ActionNotAllowed):
            actions.perform(dossier, action, actor=people.officer, reason="x", at=at(9, 11))


def test_stopping_a_paused_dossier_closes_its_pause(people):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    actions.request_supplement(dossier, actor=people.justice_officer, missing=["A"], at=at(10, 9, 15))
    stopped = actions.stop(dossier, actor=people.justice_leader, reason="Quá hạn bổ sung", at=at(11, 9, 15)).dossier
    assert stopped.paused_at is None and stopped.paused_total == dt.timedelta(hours=8)


def test_the_applicant_or_the_counter_withdraws(people):
    mine = online_dossier(people)
    with pytest.raises(PermissionDenied):
        actions.withdraw(mine, actor=people.citizen2, at=at(9, 10))
    assert actions.withdraw(mine, actor=people.citizen, reason="Nộp nhầm", at=at(9, 10)).dossier.status == 7
    counter = counter_dossier(people, BIRTH, T0)
    with pytest.raises(PermissionDenied):
        actions.withdraw(counter, actor=people.officer, at=at(9, 10))
    assert actions.withdraw(counter, actor=people.receptionist, at=at(9, 10)).dossier.status == Status.WITHDRAWN


# --- permissions and concurrency ------------------------------------------------------------------


def test_staff_of_another_agency_cannot_act(people):
    dossier = online_dossier(people)
    with pytest.raises(PermissionDenied):
        actions.receive(dossier, actor=people.other_receptionist, at=T0)
    with pytest.raises(PermissionDenied):
        actions.receive(dossier, actor=people.citizen2, at=T0)
    received = counter_dossier(people, BIRTH, T0)
    actions.handover(received, actor=people.receptionist, at=at(9, 9, 30))
    with pytest.raises(PermissionDenied):
        actions.handover(received, actor=people.other_officer, at=at(9, 10))
    assert fresh(received).version == 2


def test_a_stale_version_is_refused(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, expected_version=1, at=at(9, 9, 30))
    with pytest.raises(ConcurrentUpdate) as info:
        actions.claim(dossier, actor=people.officer, expected_version=1, at=at(9, 9, 40))
    assert info.value.status == 409 and info.value.extra["current_version"] == 2


def test_events_are_append_only(people):
    dossier = counter_dossier(people, BIRTH, T0)
    event = Event.objects.get(dossier=dossier)
    event.note = "sửa lại"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(dossier=dossier).update(note="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(dossier=dossier).delete()
    assert Event.objects.get(pk=event.pk).note == ""


# --- idempotency --------------------------------------------------------------------------------


def test_the_same_key_creates_one_dossier(people):
    kwargs = {"actor": people.citizen, "version": version_of(BIRTH), "channel": 2, "applicant": applicant(), "at": T0,
              "form_data": valid_answers(version_of(BIRTH))}
    first = actions.create_dossier(idempotency_key="abc-1", **kwargs)
    again = actions.create_dossier(idempotency_key="abc-1", **kwargs)
    assert again.replayed and again.dossier.pk == first.dossier.pk
    assert Dossier.objects.count() == 1 and Event.objects.count() == 1
    # Another user's identical key is theirs alone.
    other = actions.create_dossier(idempotency_key="abc-1", **kwargs | {"actor": people.citizen2})
    assert other.dossier.pk != first.dossier.pk


def test_the_same_key_acts_once(people):
    dossier = counter_dossier(people, BIRTH, T0)
    first = actions.handover(dossier, actor=people.receptionist, idempotency_key="k-1", at=at(9, 9, 30))
    again = actions.handover(dossier, actor=people.receptionist, idempotency_key="k-1", at=at(9, 9, 31))
    assert again.replayed and again.event.pk == first.event.pk
    assert kinds(dossier) == ["received", "handover"]


def test_a_key_reused_for_another_request_is_refused(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, idempotency_key="k-2", at=at(9, 9, 30))
    with pytest.raises(IdempotencyConflict):
        actions.withdraw(dossier, actor=people.receptionist, idempotency_key="k-2", at=at(9, 9, 31))


def test_a_failed_action_does_not_burn_its_key(people):
    dossier = counter_dossier(people, BIRTH, T0)
    with pytest.raises(InvalidInput):
        actions.stop(dossier, actor=people.receptionist, reason="", idempotency_key="k-3", at=at(9, 9, 30))
    result = actions.stop(dossier, actor=people.receptionist, reason="Sai thủ tục", idempotency_key="k-3",
                          at=at(9, 9, 31))
    assert not result.replayed and result.dossier.status == Status.STOPPED


def test_a_case_with_an_absurd_time_is_refused_with_a_message(people):
    from motcua.catalog.models import ProcedureCase

    version = version_of(BIRTH)
    ProcedureCase.objects.filter(version=version).update(time_amount=99999, time_unit="working_days")
    with pytest.raises(ActionNotAllowed) as info:
        counter_dossier(people, BIRTH, T0)
    assert info.value.code == "due_time_unavailable"
    assert not Dossier.objects.exists()
