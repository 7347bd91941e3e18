"""Sending through the job runner: idempotency, retries with back-off, visible failures, re-sending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.jobs import runner
from motcua.jobs.models import Job
from motcua.notify import services
from motcua.notify.models import Message
from tests.dossiers.conftest import BIRTH, T0, counter_dossier

from .conftest import drain


def sms_of(dossier) -> Message:
    return Message.objects.get(dossier=dossier, channel="sms")


def test_it_sends_a_message_once_however_often_its_job_runs(people, mailoutbox, sms_outbox):
    dossier = counter_dossier(people, BIRTH, T0)
    sms = sms_of(dossier)
    assert services.deliver(sms.pk) == "sent"
    assert services.deliver(sms.pk) == "sent"  # a second run finds it sent
    # A duplicate job (a retry button pressed twice, a worker that died after sending) sends nothing more.
    runner.enqueue(services.SEND_JOB, {"message": sms.pk})
    drain()
    assert len(sms_outbox) == 1 and len(mailoutbox) == 1
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, sms.provider_id) == ("sent", 1, "locmem-1")
    assert sms.sent_at is not None and sms.body == sms_outbox[0].text


def test_the_same_event_never_makes_the_same_message_twice(people):
    dossier = counter_dossier(people, BIRTH, T0)
    email = Message.objects.get(dossier=dossier, channel="email")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(channel="email", recipient="x@example.vn", template="received", event=email.event)


def test_a_message_being_sent_elsewhere_is_not_sent_again(people, sms_outbox):
    dossier = counter_dossier(people, BIRTH, T0)
    sms = sms_of(dossier)
    Message.objects.filter(pk=sms.pk).update(claimed_until=timezone.now() + dt.timedelta(minutes=1))
    with pytest.raises(runner.RetryLater):
        services.deliver(sms.pk)
    assert sms_outbox == []
    # Through the runner the job simply waits, without using up an attempt.
    [job] = Job.objects.filter(payload__message=sms.pk)
    assert runner.run_job(job.pk) == "pending"
    job.refresh_from_db()
    assert job.attempts == 0 and job.run_after > timezone.now()


def test_it_retries_after_a_gateway_failure_then_succeeds(people, gateway, mailoutbox):
    gateway.answer(503, {"error": "bận"}, times=2)
    gateway.answer(200, {"id": "VT-778899"})
    dossier = counter_dossier(people, BIRTH, T0)
    sms = sms_of(dossier)
    [job] = Job.objects.filter(payload__message=sms.pk)

    now = timezone.now()
    runner.run_pending(now=now)
    sms.refresh_from_db()
    job.refresh_from_db()
    assert (sms.state, sms.attempts) == ("queued", 1) and "HTTP 503" in sms.last_error
    assert job.state == "pending" and job.run_after > now and "HTTP 503" in job.last_error  # back-off
    assert runner.run_pending(now=now) == {}  # not due yet
    drain()
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, sms.provider_id) == ("sent", 3, "VT-778899")
    assert len(gateway.requests) == 3
    assert gateway.requests[0].body == gateway.requests[2].body  # the same text each time
    assert len(mailoutbox) == 1  # the e-mail went out at once, whatever the gateway did


def test_a_message_fails_visibly_after_its_last_attempt(people, gateway, settings):
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 3
    gateway.answer(500, {"error": "down"}, times=10)
    dossier = counter_dossier(people, BIRTH, T0)
    drain()
    sms = sms_of(dossier)
    assert (sms.state, sms.attempts) == ("failed", 3)
    assert "TemporaryFailure: Cổng SMS trả lời HTTP 500" in sms.last_error
    assert len(gateway.requests) == 3
    assert Job.objects.get(payload__message=sms.pk).state == "done"  # the job did its work: decide
    assert services.failed_count() == 1
    assert services.failed_count(people.commune) == 1 and services.failed_count([people.commune.pk]) == 1
    assert services.failed_count(people.centre) == 0
    assert list(services.failed_messages()) == [sms]


def test_a_rejected_message_fails_at_once(people, gateway):
    gateway.answer(400, {"error": "invalid number"})
    dossier = counter_dossier(people, BIRTH, T0)
    drain()
    sms = sms_of(dossier)
    assert (sms.state, sms.attempts) == ("failed", 1) and "PermanentFailure" in sms.last_error


def test_resend_queues_a_failed_message_again(people, gateway, settings):
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 1
    gateway.answer(500, times=1)
    dossier = counter_dossier(people, BIRTH, T0)
    drain()
    sms = sms_of(dossier)
    assert sms.state == "failed"
    assert services.resend([sms]) == 1
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, sms.resends) == ("queued", 0, 1)
    drain()
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == ("sent", 1)
    assert services.failed_count() == 0


def test_it_sends_at_once_after_commit_in_inline_mode(people, settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.MOTCUA_JOBS_MODE = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = counter_dossier(people, BIRTH, T0)
    assert sms_of(dossier).state == "sent" and len(sms_outbox) == 1


def test_an_unknown_template_fails_the_message_without_retrying(people):
    message = services.send("email", "an@example.vn", "received", {"code": "X"})
    Message.objects.filter(pk=message.pk).update(template="no_such_template")
    assert services.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert "TemplateDoesNotExist" in message.last_error and message.attempts == 1


def test_the_file_backend_writes_one_file_per_sms(people, settings, tmp_path):
    settings.MOTCUA_SMS_BACKEND = "file"
    dossier = counter_dossier(people, BIRTH, T0)
    drain()
    [written] = (tmp_path / "sms").iterdir()
    text = written.read_text(encoding="utf-8")
    assert text.startswith("To: 0912345678\nReference: motcua-")
    assert f"HS {dossier.code} da tiep nhan" in text
    assert sms_of(dossier).provider_id == written.name


def test_a_message_left_by_a_dead_worker_is_sent_once_its_claim_expires(people, sms_outbox):
    dossier = counter_dossier(people, BIRTH, T0)
    sms = sms_of(dossier)
    # A worker claimed it and died before sending: the claim has run out.
    Message.objects.filter(pk=sms.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1), attempts=1)
    assert services.deliver(sms.pk) == "sent"
    sms.refresh_from_db()
    assert (sms.attempts, len(sms_outbox)) == (2, 1)
