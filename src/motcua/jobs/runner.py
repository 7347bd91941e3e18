"""Enqueue, claim and run background jobs (see models.py for the guarantees).

    from motcua.jobs.runner import job, enqueue

    @job("notify.send")
    def send(payload): ...

    enqueue("notify.send", {"message": 42})   # inside the transaction of the change

`python -m motcua worker` runs them; `serve` starts one worker beside the web server in the
embedded set-up. With MOTCUA_JOBS_MODE=inline a job runs in the same process right after
the transaction commits (handy for a laptop demo without the worker).

Handlers make external calls first (with idempotency keys, so a repeat changes nothing at the
receiver) and then write to the database in one transaction: a worker killed mid-job leaves
nothing half done, and the job runs again when its lease expires (tests/jobs/test_killed_worker.py
kills a real worker process). The runner does not wrap handlers in one transaction: on SQLite that
would hold the write lock during the external call and stall the counter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import wakeup
from .models import Job, PeriodicRun

log = logging.getLogger("motcua.jobs")

Handler = Callable[[dict[str, Any]], Any]
HANDLERS: dict[str, Handler] = {}


@dataclasses.dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    kind: str


PERIODIC: dict[str, Periodic] = {}
LEASE = dt.timedelta(minutes=5)


class UnknownJob(Exception):
    pass


class RetryLater(Exception):  # noqa: N818 (it is a request, not an error)
    """Raise from a handler to try again after `delay` without counting it as a failure."""

    def __init__(self, delay: dt.timedelta, reason: str = ""):
        super().__init__(reason)
        self.delay = delay


def job(kind: str, *, every: dt.timedelta | None = None) -> Callable[[Handler], Handler]:
    """Register a handler; with `every`, the worker also runs it once per period."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        if every is not None:
            PERIODIC[kind] = Periodic(name=kind, every=every, kind=kind)
        return func

    return register


def _mode() -> str:
    return settings.MOTCUA_JOBS_MODE


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_after: dt.datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 8,
) -> Job | None:
    """Add a job in the current transaction; with a dedupe key already used, nothing (None)."""
    if kind not in HANDLERS:
        raise UnknownJob(kind)
    fields = {
        "kind": kind, "payload": payload or {}, "run_after": run_after or timezone.now(),
        "max_attempts": max_attempts, "dedupe_key": dedupe_key,
    }
    if dedupe_key:
        try:
            with transaction.atomic():
                new = Job.objects.create(**fields)
        except IntegrityError:
            return None
    else:
        new = Job.objects.create(**fields)
    if _mode() == "inline":
        transaction.on_commit(lambda: run_job(new.pk))
    else:
        transaction.on_commit(wakeup.notify)
    return new


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at 6 hours."""
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), dt.timedelta(hours=6))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(limit: int = 10, *, now: dt.datetime | None = None, lease: dt.timedelta = LEASE) -> list[int]:
    """Take up to `limit` due jobs for this process; expired leases (a dead worker) count as due."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(state__in=[Job.State.PENDING, Job.State.RUNNING], run_after__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .order_by("run_after", "id")
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            Job.objects.filter(id__in=ids).update(
                state=Job.State.RUNNING, locked_until=now + lease, locked_by=_worker_name()[:100],
                attempts=F("attempts") + 1,
            )
    return ids


def run_job(job_id: int) -> str:
    """Run one claimed (or, inline, freshly committed) job; returns its new state."""
    current = Job.objects.filter(pk=job_id).first()
    if current is None or current.state in (Job.State.DONE, Job.State.FAILED):
        return current.state if current else "missing"
    if current.state == Job.State.PENDING:  # inline mode: count the attempt here
        Job.objects.filter(pk=job_id).update(attempts=F("attempts") + 1, state=Job.State.RUNNING)
        current.refresh_from_db()
    handler = HANDLERS.get(current.kind)
    now = timezone.now()
    try:
        if handler is None:
            raise UnknownJob(current.kind)
        handler(current.payload)
    except RetryLater as retry:
        Job.objects.filter(pk=job_id).update(
            state=Job.State.PENDING, run_after=now + retry.delay, locked_until=None, last_error=str(retry)[:2000],
            attempts=F("attempts") - 1,
        )
        return Job.State.PENDING
    except Exception as exc:
        log.warning("job %s #%s failed (attempt %s): %s", current.kind, job_id, current.attempts, exc)
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        if current.attempts >= current.max_attempts:
            Job.objects.filter(pk=job_id).update(
                state=Job.State.FAILED, locked_until=None, last_error=error, finished_at=now
            )
            return Job.State.FAILED
        Job.objects.filter(pk=job_id).update(
            state=Job.State.PENDING, locked_until=None, last_error=error, run_after=now + backoff(current.attempts)
        )
        return Job.State.PENDING
    Job.objects.filter(pk=job_id).update(state=Job.State.DONE, locked_until=None, finished_at=timezone.now())
    return Job.State.DONE


def schedule_periodic(now: dt.datetime | None = None) -> int:
    """Enqueue each periodic job whose period has passed; several workers enqueue it once."""
    now = now or timezone.now()
    made = 0
    for periodic in PERIODIC.values():
        PeriodicRun.objects.get_or_create(
            name=periodic.name, defaults={"last_run": now - periodic.every - dt.timedelta(seconds=1)}
        )
        taken = PeriodicRun.objects.filter(name=periodic.name, last_run__lte=now - periodic.every).update(last_run=now)
        if taken:
            enqueue(periodic.kind, {"scheduled_at": now.isoformat()})
            made += 1
    return made


def run_pending(limit: int = 100, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Claim and run what is due now (used by the worker loop and by tests)."""
    counts: dict[str, int] = {}
    for job_id in claim(limit, now=now):
        state = run_job(job_id)
        counts[state] = counts.get(state, 0) + 1
    return counts


def retry(job_ids: list[int]) -> int:
    """Put failed jobs back in the queue (the admins' "retry" button)."""
    return Job.objects.filter(pk__in=job_ids, state=Job.State.FAILED).update(
        state=Job.State.PENDING, run_after=timezone.now(), attempts=0, finished_at=None, locked_until=None
    )


def work_forever(poll_seconds: float = 1.0, batch: int = 20, stop: Callable[[], bool] = lambda: False) -> None:
    log.info("worker %s started", _worker_name())
    while not stop():
        try:
            schedule_periodic()
            counts = run_pending(batch)
        except Exception:  # a database restart must not kill the worker
            log.exception("worker loop error")
            counts = {}
            time.sleep(5)
        if not counts:
            wakeup.wait(poll_seconds)
