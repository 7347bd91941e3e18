"""The audit's background job (autodiscovered by the jobs app): a signed checkpoint of the audit
logs every MOTCUA_AUDIT_CHECKPOINT_MINUTES, written outside the database (motcua.audit.checkpoints);
the first one anchors the rows sealed before the audit key existed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from motcua.jobs.runner import job

from . import checkpoints


@job("audit.checkpoint", every=dt.timedelta(minutes=max(1, settings.MOTCUA_AUDIT_CHECKPOINT_MINUTES)))
def checkpoint(payload: dict[str, Any]) -> None:
    checkpoints.write()
