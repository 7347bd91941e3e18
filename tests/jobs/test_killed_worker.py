"""A worker process really killed in the middle of a job: nothing half done, the job runs again."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from motcua.jobs import runner
from motcua.jobs.models import Job, PeriodicRun
from tests import clock, workers

from . import killable  # noqa: F401 (registers test.two_writes here too)

ROOT = Path(__file__).resolve().parents[2]

WORKER = clock.CHILD_PROLOGUE + """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
django.setup()
import tests.jobs.killable
from motcua.jobs.runner import run_pending
run_pending()
"""


@pytest.mark.django_db(transaction=True)
def test_it_leaves_nothing_half_done_when_the_worker_is_killed(tmp_path):
    runner.enqueue("test.two_writes", {"marker": str(tmp_path / "killed"), "name": "kill-test"})
    connection.close()  # SQLite: let the worker process open the file on its own
    # The worker runs at the test's clock: it leases the job until its "now" + LEASE.
    env = dict(os.environ, DATABASE_URL=workers.database_url(), PYTHONPATH=str(ROOT), **clock.child_env())
    env.pop("MOTCUA_REDIS_URL", None)
    proc = subprocess.run([sys.executable, "-c", WORKER], env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]

    # The first write was rolled back with the dead process; the job waits out its lease.
    assert not PeriodicRun.objects.filter(name__startswith="kill-test").exists()
    job = Job.objects.get(kind="test.two_writes")
    assert job.state == Job.State.RUNNING and job.attempts == 1
    assert runner.run_pending(now=timezone.now()) == {}  # the lease still holds

    later = timezone.now() + runner.LEASE + dt.timedelta(seconds=1)
    assert runner.run_pending(now=later) == {"done": 1}
    assert sorted(PeriodicRun.objects.filter(name__startswith="kill-test").values_list("name", flat=True)) == [
        "kill-test-a", "kill-test-b",
    ]
    assert Job.objects.get(pk=job.pk).attempts == 2
