import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.jobs import runner
from motcua.jobs.models import Job

CALLS: list[dict] = []


@pytest.fixture(autouse=True)
def handlers():
    CALLS.clear()

    @runner.job("test.ok")
    def ok(payload):
        CALLS.append(payload)

    @runner.job("test.flaky")
    def flaky(payload):
        CALLS.append(payload)
        if len(CALLS) < 3:
            raise ConnectionError("gateway down")

    @runner.job("test.broken")
    def broken(payload):
        raise ValueError("always")

    yield
    for kind in ("test.ok", "test.flaky", "test.broken"):
        runner.HANDLERS.pop(kind, None)
        runner.PERIODIC.pop(kind, None)


def test_it_runs_a_job_enqueued_in_a_transaction(db):
    with transaction.atomic():
        runner.enqueue("test.ok", {"n": 1})
    assert runner.run_pending() == {"done": 1}
    assert CALLS == [{"n": 1}]
    assert Job.objects.get().state == "done"


def test_it_refuses_an_unknown_kind(db):
    with pytest.raises(runner.UnknownJob):
        runner.enqueue("test.nope")


def test_it_creates_a_deduplicated_job_once(db):
    assert runner.enqueue("test.ok", dedupe_key="x") is not None
    assert runner.enqueue("test.ok", dedupe_key="x") is None
    assert Job.objects.count() == 1


def test_it_retries_with_backoff_then_succeeds(db):
    runner.enqueue("test.flaky")
    now = timezone.now()
    assert runner.run_pending(now=now) == {"pending": 1}
    job = Job.objects.get()
    assert job.run_after > now and "gateway down" in job.last_error
    assert runner.run_pending(now=now) == {}  # not due yet
    assert runner.run_pending(now=job.run_after + dt.timedelta(seconds=1)) == {"pending": 1}
    later = Job.objects.get().run_after + dt.timedelta(seconds=1)
    assert runner.run_pending(now=later) == {"done": 1}
    assert Job.objects.get().attempts == 3


def test_it_gives_up_visibly_and_can_be_retried(db):
    runner.enqueue("test.broken", max_attempts=2)
    runner.run_pending()
    runner.run_pending(now=timezone.now() + dt.timedelta(hours=1))
    job = Job.objects.get()
    assert job.state == "failed" and "always" in job.last_error
    assert runner.retry([job.pk]) == 1
    assert Job.objects.get().state == "pending"


def test_it_runs_again_a_job_whose_worker_died(db):
    runner.enqueue("test.ok", {"n": 7})
    claimed = runner.claim(now=timezone.now())
    assert len(claimed) == 1  # ... and this worker is killed here, before running it
    assert runner.claim(now=timezone.now()) == []  # the lease still holds
    later = timezone.now() + runner.LEASE + dt.timedelta(seconds=1)
    assert runner.run_pending(now=later) == {"done": 1}
    assert CALLS == [{"n": 7}]
    assert Job.objects.get().attempts == 2


def test_it_schedules_a_periodic_job_once_per_period(db, monkeypatch):
    monkeypatch.setattr(runner, "PERIODIC", {})  # only this test's periodic job
    runner.job("test.ok", every=dt.timedelta(minutes=10))(runner.HANDLERS["test.ok"])
    now = timezone.now()
    assert runner.schedule_periodic(now) == 1
    assert runner.schedule_periodic(now + dt.timedelta(minutes=5)) == 0
    assert runner.schedule_periodic(now + dt.timedelta(minutes=11)) == 1


def test_it_runs_inline_after_commit(db, settings, django_capture_on_commit_callbacks):
    settings.MOTCUA_JOBS_MODE = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        runner.enqueue("test.ok", {"n": 2})
    assert CALLS == [{"n": 2}]
    assert Job.objects.get().state == "done"
