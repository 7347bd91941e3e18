"""The sync outbox end to end: written with the change, sent by the worker to a fake portal that
validates, retried with back-off, kept in order, never lost, never blocking the counter."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import actions
from motcua.dossiers.errors import ConcurrentUpdate
from motcua.dossiers.models import Dossier
from motcua.jobs.models import Job
from motcua.sync import client, services
from motcua.sync.models import SyncMessage
from tests.dossiers.conftest import BIRTH, T0, at, counter_dossier, fresh

from .fake_portal import validate

SENT, PENDING, FAILED = SyncMessage.State.SENT, SyncMessage.State.PENDING, SyncMessage.State.FAILED


def messages(dossier) -> list[SyncMessage]:
    return list(SyncMessage.objects.filter(dossier=dossier).order_by("version"))


def received_then_processing(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 40))  # status 2 -> 4
    return fresh(dossier)


def test_it_writes_one_message_and_its_job_with_a_reception(people, portal):
    dossier = counter_dossier(people, BIRTH, T0)
    [message] = messages(dossier)
    assert (message.state, message.version, message.service) == (PENDING, 1, "DongBoHoSoMC")
    assert message.idempotency_key == f"{dossier.code}:1"
    assert validate(message.payload) == []
    assert Job.objects.filter(kind=services.SEND_JOB, payload__message=message.pk).count() == 1
    assert portal.requests == []  # nothing is sent inside the action


def test_a_rolled_back_action_leaves_no_message(people, portal):
    dossier = counter_dossier(people, BIRTH, T0)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 40))
        assert SyncMessage.objects.filter(dossier=dossier).count() == 2  # written in the action's transaction
        raise RuntimeError("the caller's transaction fails after the action")
    with pytest.raises(ConcurrentUpdate):
        actions.handover(dossier, actor=people.receptionist, expected_version=7, at=at(9, 9, 41))
    assert [m.version for m in messages(dossier)] == [1]
    assert Job.objects.filter(kind=services.SEND_JOB).count() == 1


def test_only_status_changes_extensions_and_handovers_are_reported(people, portal):
    dossier = received_then_processing(people)
    actions.handover(dossier, actor=people.officer, at=at(9, 10))  # 4 -> 4, next step: progress
    assert [(m.version, m.service) for m in messages(dossier)] == [
        (1, "DongBoHoSoMC"), (2, "DongBoHoSoMC"), (3, "CapNhatTienDoHoSoMC"),
    ]


def test_nothing_is_written_while_sync_is_off(people, settings):
    settings.MOTCUA_SYNC_URL = ""
    received_then_processing(people)
    assert SyncMessage.objects.count() == 0
    assert not Job.objects.filter(kind=services.SEND_JOB).exists()


def test_the_worker_sends_valid_payloads_with_auth_and_idempotency_key(people, portal, clock):
    dossier = received_then_processing(people)
    assert clock.drain().get("done", 0) >= 2
    assert [m.state for m in messages(dossier)] == [SENT, SENT]
    assert portal.rejected == []
    assert portal.order == [f"{dossier.code}:1", f"{dossier.code}:2"]
    assert portal.dossiers[dossier.code]["TrangThaiHoSo"] == 4
    first = portal.requests[0]
    assert first.headers["Authorization"] == "Bearer lgsp-test-token"
    assert first.headers["Idempotency-Key"] == f"{dossier.code}:1"
    message = messages(dossier)[0]
    assert message.attempts == 1 and message.sent_at is not None and '"error_code": 0' in message.response


def test_failures_retry_with_back_off_until_the_portal_recovers(people, portal, clock):
    portal.fail("500", times=2)
    dossier = counter_dossier(people, BIRTH, T0)
    [message] = messages(dossier)
    [job] = Job.objects.filter(kind=services.SEND_JOB)

    clock.run()
    message.refresh_from_db()
    job.refresh_from_db()
    assert (message.state, message.attempts) == (PENDING, 1) and "HTTP 500" in message.last_error
    # First back-off 30 s: neither due now nor a second early.
    assert dt.timedelta(seconds=25) < message.next_attempt_at - timezone.now() <= dt.timedelta(seconds=30)
    assert job.state == Job.State.PENDING and abs(job.run_after - message.next_attempt_at) < dt.timedelta(seconds=1)
    assert clock.run(dt.timedelta(seconds=5)) == {}

    clock.run(dt.timedelta(seconds=30))
    message.refresh_from_db()
    assert message.attempts == 2
    assert dt.timedelta(seconds=55) < message.next_attempt_at - timezone.now() <= dt.timedelta(seconds=60)

    clock.run(dt.timedelta(seconds=61))
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (SENT, 3, "")
    assert len(portal.requests) == 3 and list(portal.received) == [message.idempotency_key]


@pytest.mark.parametrize("mode", ["500", "garbage", "timeout", "drop"])
def test_an_unusable_answer_is_a_failure_and_nothing_is_lost(people, portal, clock, mode):
    portal.fail(mode, times=1)
    dossier = counter_dossier(people, BIRTH, T0)
    clock.run()
    [message] = messages(dossier)
    assert (message.state, message.attempts) == (PENDING, 1) and message.last_error
    assert clock.drain().get("done") == 1
    message.refresh_from_db()
    assert message.state == SENT and list(portal.received) == [message.idempotency_key]


def test_a_payload_the_portal_refuses_is_a_failure_with_its_reason(people, portal, clock):
    dossier = counter_dossier(people, BIRTH, T0)
    [message] = messages(dossier)
    broken = message.payload
    broken["data"][0]["NgayTiepNhan"] = "2026-03-09 09:15:00"
    SyncMessage.objects.filter(pk=message.pk).update(payload=broken)
    clock.run()
    message.refresh_from_db()
    assert message.state == PENDING and "HTTP 400" in message.last_error and "yyyyMMddHHmmss" in message.last_error
    assert portal.received == {}


def test_after_the_last_attempt_it_is_failed_and_an_admin_resends_it(people, portal, clock, admin_client):
    portal.fail("500")
    dossier = counter_dossier(people, BIRTH, T0)
    clock.drain()
    [message] = messages(dossier)
    assert (message.state, message.attempts, message.next_attempt_at) == (FAILED, 4, None)
    assert Job.objects.get(kind=services.SEND_JOB).state == Job.State.DONE  # the message decides, not the job
    url = reverse("admin:sync_syncmessage_changelist")
    page = admin_client.get(url, {"state__exact": "failed"})
    assert page.status_code == 200 and message.idempotency_key in page.content.decode()
    detail = admin_client.get(reverse("admin:sync_syncmessage_change", args=[message.pk]))
    assert detail.status_code == 200 and "&quot;MaHoSo&quot;" in detail.content.decode()

    portal.recover()
    response = admin_client.post(
        url, {"action": "resend", "_selected_action": [message.pk]}, follow=True
    )
    assert response.status_code == 200 and "1 tin" in response.content.decode()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (PENDING, 0)
    clock.drain()
    message.refresh_from_db()
    assert message.state == SENT and list(portal.received) == [message.idempotency_key]
    assert services.retry([message.pk]) == 0  # a sent message is not re-queued


def test_messages_of_a_dossier_are_sent_in_order(people, portal, clock):
    portal.fail("500", times=1)
    dossier = received_then_processing(people)
    first, second = messages(dossier)
    clock.run()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.attempts) == (PENDING, 1)
    assert (second.state, second.attempts) == (PENDING, 0) and first.idempotency_key in second.last_error
    assert portal.received == {}
    clock.drain()
    assert portal.order == [first.idempotency_key, second.idempotency_key]
    assert portal.dossiers[dossier.code]["TrangThaiHoSo"] == 4


def test_sending_twice_changes_nothing_at_the_receiver(people, portal, clock):
    dossier = counter_dossier(people, BIRTH, T0)
    clock.drain()
    [message] = messages(dossier)
    before = (dict(portal.received), dict(portal.dossiers), list(portal.order))
    # A worker that died after the portal answered sends it again: acknowledged, ignored.
    answer = client.post(message.payload, message.idempotency_key)
    assert "trùng" in answer.body
    SyncMessage.objects.filter(pk=message.pk).update(state=PENDING)
    assert services.send(message.pk) == SENT
    assert (dict(portal.received), dict(portal.dossiers), list(portal.order)) == before
    assert len(portal.requests) == 3
    # And a sent message is never sent again by its job.
    assert services.send(message.pk) == SENT and len(portal.requests) == 3


def test_the_counter_never_waits_for_a_portal_that_is_down(people, portal, clock):
    portal.down()
    start = time.monotonic()
    dossier = received_then_processing(people)
    actions.handover(dossier, actor=people.officer, at=at(9, 10))
    assert time.monotonic() - start < 5  # no network in the action (a timeout alone would be 1 s per call)
    assert fresh(dossier).status == 4
    clock.run()
    states = [(m.state, m.attempts) for m in messages(dossier)]
    assert states == [(PENDING, 1), (PENDING, 0), (PENDING, 0)]
    assert "Không kết nối" in messages(dossier)[0].last_error
    portal.up()  # the same port again
    clock.drain()
    assert [m.state for m in messages(dossier)] == [SENT, SENT, SENT]
    assert portal.order == [m.idempotency_key for m in messages(dossier)]


def test_a_missing_or_already_sent_message_is_harmless(people, portal):
    assert services.send(987654) == "missing"
    dossier = counter_dossier(people, BIRTH, T0)
    Dossier.objects.filter(pk=dossier.pk)  # no change
    [message] = messages(dossier)
    assert services.send(message.pk) == SENT
    assert services.send(message.pk) == SENT and len(portal.requests) == 1


def test_the_worker_command_sends_what_is_due(people, portal):
    import io

    from django.core.management import call_command

    dossier = counter_dossier(people, BIRTH, T0)
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "done: " in out.getvalue()
    assert [m.state for m in messages(dossier)] == [SENT]


def test_an_extension_reports_the_new_due_date(people, portal):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.extend(dossier, actor=people.leader, new_due_at=at(10, 17, 0), reason="Cần xác minh", at=at(9, 9, 30))
    extension = messages(dossier)[-1]
    assert (extension.version, extension.service) == (2, "DongBoHoSoMC")
    record = extension.payload["data"][0]
    assert record["NgayHenTra"] == "20260310170000" and record["GhiChu"] == "Cần xác minh"
    assert validate(extension.payload) == []


def test_writing_a_message_costs_the_same_queries_however_many_files(people, portal):
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.dossiers.conftest import PDF

    def handover_queries(files: int) -> int:
        dossier = counter_dossier(people, BIRTH, T0)
        component = dossier.procedure_version.components.order_by("order", "id").first()
        for i in range(files):
            actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name=f"{i}.pdf",
                             component=component, at=at(9, 9, 20))
        with CaptureQueriesContext(connection) as sync_on:
            actions.handover(fresh(dossier), actor=people.receptionist, at=at(9, 9, 40))
        return len(sync_on)

    assert handover_queries(1) == handover_queries(4)


def test_a_message_waiting_behind_a_failed_one_goes_as_soon_as_that_one_is_resent(people, portal, clock):
    portal.fail("500")
    dossier = received_then_processing(people)
    clock.drain()
    first, second = messages(dossier)
    assert (first.state, second.state, second.attempts) == (FAILED, PENDING, 0)
    assert second.next_attempt_at - timezone.now() > dt.timedelta(minutes=50)  # waits, without hammering
    assert portal.received == {}
    portal.recover()
    services.retry([first.pk])
    clock.now = timezone.now()  # back to real time: the second's own retry is an hour away
    clock.run()  # the first goes, and wakes the second
    assert portal.order == [first.idempotency_key]
    clock.run()
    assert portal.order == [first.idempotency_key, second.idempotency_key]


def test_messages_written_before_sync_was_switched_off_are_held_not_failed(people, portal, clock, settings):
    dossier = counter_dossier(people, BIRTH, T0)
    settings.MOTCUA_SYNC_URL = ""
    clock.run()
    [message] = messages(dossier)
    assert (message.state, message.attempts) == (PENDING, 0) and "đang tắt" in message.last_error
    assert portal.requests == []
    settings.MOTCUA_SYNC_URL = portal.url
    clock.drain()
    message.refresh_from_db()
    assert message.state == SENT
