"""A job whose worker process is killed (SIGKILL) in the middle of it, the first time only.

The handler writes its two rows in one transaction, the pattern every handler follows (external
calls first, with idempotency keys; then the database writes together): a worker killed between
the writes leaves neither, and the job runs again once its lease expires."""

import os
import signal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from motcua.jobs.models import PeriodicRun
from motcua.jobs.runner import job


@job("test.two_writes")
def two_writes(payload):
    marker = Path(payload["marker"])
    with transaction.atomic():
        PeriodicRun.objects.create(name=f"{payload['name']}-a", last_run=timezone.now())
        if not marker.exists():
            marker.write_text("killed once")
            os.kill(os.getpid(), signal.SIGKILL)  # the worker dies here, mid-job
        PeriodicRun.objects.create(name=f"{payload['name']}-b", last_run=timezone.now())
