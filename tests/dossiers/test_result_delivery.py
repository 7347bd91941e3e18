"""How the result reaches the applicant (#17): an electronic result closes the dossier by itself,
a postal one when the post has delivered it, and a paper copy of an electronic result changes
nothing but the history. Domain tests: they run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from motcua.audit.verify import verify
from motcua.dossiers import actions
from motcua.dossiers.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from motcua.dossiers.models import Event, FileKind, Status
from motcua.jobs.models import Job
from motcua.notify.models import Message
from motcua.sync.models import SyncMessage
from tests.answers import valid_answers

from .conftest import BIRTH, T0, applicant, at, counter_dossier, fresh, online_dossier, result_file, version_of


@pytest.fixture
def sync_on(settings):
    # Messages are written with their events; nothing is sent in these tests (no worker runs).
    settings.MOTCUA_SYNC_URL = "http://127.0.0.1:9/lgsp"


def walk_to_last_step(people, d):
    if d.status == Status.SUBMITTED:
        actions.receive(d, actor=people.receptionist, at=at(9, 9, 30))
    actions.handover(d, actor=people.receptionist, at=at(9, 9, 45))
    actions.handover(d, actor=people.officer, at=at(9, 10, 30))
    actions.handover(d, actor=people.leader, at=at(9, 11, 0))
    result_file(d, people.clerk, at(9, 13, 35))


def kinds(d) -> list[str]:
    return list(Event.objects.filter(dossier=d).order_by("version").values_list("kind", flat=True))


def test_an_electronic_result_is_returned_by_the_system_at_completion(people, sync_on):
    d = online_dossier(people, BIRTH, T0)
    assert d.delivery == "online"
    walk_to_last_step(people, d)
    result = actions.complete(d, actor=people.clerk, at=at(9, 14))

    d = fresh(d)
    assert (d.status, d.finished_at, d.returned_at) == (Status.RETURNED, at(9, 14), at(9, 14))
    assert result.dossier.status == Status.RETURNED and result.event.kind == "completed"
    assert kinds(d)[-2:] == ["completed", "result_delivered"]
    delivered = Event.objects.get(dossier=d, kind="result_delivered")
    assert delivered.actor is None and delivered == result.extra["followed_by"]
    assert (delivered.from_status, delivered.to_status, delivered.version) == (9, 10, d.version)
    results = list(d.files.filter(kind=FileKind.RESULT).values_list("pk", flat=True))
    assert delivered.data["delivery"] == "online" and delivered.data["result_files"] == results
    # Synced like any return: the completion (9) and the return (10), each with its sending job.
    synced = list(SyncMessage.objects.filter(dossier=d).order_by("version").values_list("event__kind", "version"))
    assert synced[-2:] == [("completed", d.version - 1), ("result_delivered", d.version)]
    last = SyncMessage.objects.get(event=delivered)
    assert last.payload["data"][0]["TrangThaiHoSo"] == 10
    assert Job.objects.filter(kind="sync.send", payload__message=last.pk).exists()
    # One message (e-mail and SMS) saying where to download, instead of "ready" then "returned".
    told = Message.objects.filter(dossier=d, event__version__gte=d.version - 1)
    assert sorted(told.values_list("template", "channel")) == [("result_delivered", "email"),
                                                                ("result_delivered", "sms")]
    assert all(m.event_id == delivered.pk for m in told)
    assert told.first().context["procedure"] == d.procedure_version.name
    assert told.first().context["download_url"].endswith(f"/ho-so-cua-toi/{d.code}/")
    assert Job.objects.filter(kind="notify.send", payload__message__in=[m.pk for m in told]).count() == 2
    assert list(verify(d.code)) == []  # the hash chain holds across both events


def test_the_return_is_in_the_completions_transaction(people, sync_on):
    d = online_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    before = (Event.objects.count(), SyncMessage.objects.count(), Message.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.complete(d, actor=people.clerk, at=at(9, 14))
        assert fresh(d).status == Status.RETURNED
        raise RuntimeError("the request failed after the action")
    assert fresh(d).status == Status.PROCESSING
    assert (Event.objects.count(), SyncMessage.objects.count(), Message.objects.count()) == before


def test_a_counter_result_still_waits_at_the_counter(people):
    d = counter_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    assert fresh(d).status == Status.COMPLETED and "result_delivered" not in kinds(d)
    assert Message.objects.filter(dossier=d, template="result_ready").count() == 2


def test_the_system_delivers_only_an_electronic_result(people):
    d = counter_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    with pytest.raises(ActionNotAllowed) as info:  # (and no user may: lifecycle tests)
        actions.perform(d, "deliver_result", actor=people.receptionist, at=at(9, 15))
    assert info.value.code == "not_online_delivery"


def test_the_counter_hands_over_a_paper_copy_without_changing_the_status(people):
    d = online_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    with pytest.raises(PermissionDenied):
        actions.hand_over_paper_copy(d, actor=people.citizen, at=at(10, 9))
    copy = actions.hand_over_paper_copy(d, actor=people.receptionist, note="Bản giấy có dấu", at=at(10, 9))
    d = fresh(d)
    assert (d.status, d.returned_at) == (Status.RETURNED, at(9, 14))
    assert (copy.event.kind, copy.event.from_status, copy.event.to_status) == ("paper_copy_handed_over", 10, 10)
    assert copy.event.actor == people.receptionist and copy.event.note == "Bản giấy có dấu"
    # Nothing new for the portal or the applicant: the status is what it was.
    assert not SyncMessage.objects.filter(event=copy.event).exists()
    assert not Message.objects.filter(event=copy.event).exists()


def test_a_paper_copy_is_only_for_an_electronic_result(people):
    d = counter_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    actions.return_result(d, actor=people.receptionist, originals_checked=True, applicant_signed=True,
                          at=at(9, 15))
    with pytest.raises(ActionNotAllowed) as info:
        actions.hand_over_paper_copy(d, actor=people.receptionist, at=at(10, 9))
    assert info.value.code == "invalid_status"


def postal_dossier(people):
    version = version_of(BIRTH)
    return actions.create_dossier(
        actor=people.citizen, version=version, channel=2, applicant=applicant(), at=T0,
        form_data=valid_answers(version), delivery="post", delivery_address="12 Lý Thường Kiệt, Cà Mau",
    ).dossier


def test_a_postal_result_is_handed_to_the_post_then_delivered(people, sync_on):
    d = postal_dossier(people)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    assert fresh(d).status == Status.COMPLETED
    with pytest.raises(ActionNotAllowed) as info:
        actions.confirm_delivery(d, actor=people.receptionist, at=at(9, 15))
    assert info.value.code == "not_posted"
    with pytest.raises(InvalidInput) as info:
        actions.post_result(d, actor=people.receptionist, postal_number="  ", at=at(9, 15))
    assert info.value.field == "postal_number"
    with pytest.raises(InvalidInput) as info:
        actions.post_result(d, actor=people.receptionist, postal_number="EB1", posted_on=dt.date(2026, 3, 10),
                            at=at(9, 15))
    assert info.value.field == "posted_on"

    posted = actions.post_result(d, actor=people.receptionist, postal_number=" EB123456789VN ", at=at(9, 15))
    assert fresh(d).status == Status.COMPLETED and fresh(d).returned_at is None
    assert posted.event.kind == "result_posted" and posted.event.actor == people.receptionist
    assert posted.event.data == {"postal_number": "EB123456789VN", "posted_on": "2026-03-09",
                                 "address": "12 Lý Thường Kiệt, Cà Mau"}
    with pytest.raises(ActionNotAllowed) as info:
        actions.post_result(d, actor=people.receptionist, postal_number="EB2", at=at(9, 16))
    assert info.value.code == "already_posted"

    delivered = actions.confirm_delivery(d, actor=people.receptionist, note="Bưu điện báo đã phát", at=at(10, 10))
    d = fresh(d)
    assert (d.status, d.returned_at) == (Status.RETURNED, at(10, 10))
    assert (delivered.event.kind, delivered.event.from_status, delivered.event.to_status) == ("post_delivered", 9, 10)
    assert delivered.event.data == {"delivery": "post", "postal_number": "EB123456789VN"}
    assert kinds(d)[-3:] == ["completed", "result_posted", "post_delivered"]
    assert SyncMessage.objects.get(event=delivered.event).payload["data"][0]["TrangThaiHoSo"] == 10
    assert not SyncMessage.objects.filter(event=posted.event).exists()  # no status change


def test_only_a_postal_result_goes_to_the_post(people):
    d = counter_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    with pytest.raises(ActionNotAllowed) as info:
        actions.post_result(d, actor=people.receptionist, postal_number="EB1", at=at(9, 15))
    assert info.value.code == "not_postal_delivery"


def test_the_owners_first_download_is_recorded_once(people):
    d = online_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    file = fresh(d).files.get(kind=FileKind.RESULT)
    assert actions.record_result_download(fresh(d), actor=people.receptionist, file=file) is None
    first = actions.record_result_download(fresh(d), actor=people.citizen, file=file, at=at(9, 20))
    assert first.kind == "result_downloaded" and first.actor == people.citizen
    assert (first.from_status, first.to_status, first.data["file_id"]) == (10, 10, file.pk)
    assert actions.record_result_download(fresh(d), actor=people.citizen, file=file, at=at(9, 21)) is None
    assert kinds(d).count("result_downloaded") == 1


def test_the_rating_is_an_event_of_the_dossier(people):
    from motcua.feedback import services

    d = online_dossier(people, BIRTH, T0)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    answers = {"c1": 2, "c2": 2, "c3": 1, "c4": 2, "c5": 1, "c6": 2, "c7": 2, "c8": 2, "c9": 1}
    rating = services.record_rating(d, people.citizen, answers, at=at(9, 16))  # at once: no counter step
    event = Event.objects.get(dossier=d, kind="rated")
    assert event.actor == people.citizen and event.version == fresh(d).version
    assert event.data == {"rating_id": rating.pk, "score": 12, "unsatisfied": False, "on_behalf": False}
    assert (event.from_status, event.to_status) == (10, 10)
    # A refused rating writes no event.
    with pytest.raises(ActionNotAllowed):
        services.record_rating(d, people.citizen, answers)
    assert kinds(d).count("rated") == 1


def test_an_electronic_result_without_a_citizen_account_waits_at_the_counter(people):
    # Received at the counter with "online" chosen but no account: nobody could download it.
    d = counter_dossier(people, BIRTH, T0, delivery="online")
    assert d.owner_id is None and d.delivery == "online"
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    assert fresh(d).status == Status.COMPLETED and "result_delivered" not in kinds(d)
    assert Message.objects.filter(dossier=d, template="result_ready").count() == 2
    actions.return_result(d, actor=people.receptionist, originals_checked=True, applicant_signed=True, at=at(9, 15))
    assert fresh(d).status == Status.RETURNED
    # Its notice speaks of the counter, not of a download (found by review).
    ready = Message.objects.filter(dossier=d, template="result_ready")
    assert not any("tai ve" in m.body.lower() or "tải về" in m.body.lower() for m in ready)
    # The result was paper already: no "paper copy of the electronic result" after it.
    with pytest.raises(ActionNotAllowed):
        actions.hand_over_paper_copy(d, actor=people.receptionist, at=at(10, 9))


def test_form_06_names_the_post_as_the_giver_of_a_posted_result(people):
    from motcua.dossiers import paperwork

    d = postal_dossier(people)
    walk_to_last_step(people, d)
    actions.complete(d, actor=people.clerk, at=at(9, 14))
    actions.post_result(d, actor=people.receptionist, postal_number="EB123456789VN", at=at(9, 15))
    actions.confirm_delivery(d, actor=people.receptionist, at=at(10, 10))
    rows = paperwork.handover_rows(fresh(d).events.order_by("version"), fresh(d))
    posted, delivered = rows[-2], rows[-1]
    assert posted.to_agency == "Bưu chính công ích" and "EB123456789VN" in posted.received_by
    assert (delivered.from_agency, delivered.given_by, delivered.received_by) == (
        "Bưu chính công ích", "Bưu chính công ích", "Người nộp hồ sơ")
