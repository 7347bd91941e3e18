"""The housekeeping job (autodiscovered by the jobs app): the daily removal of what is left behind
(abandoned drafts, expired codes and tokens, unused or orphan files; see cleanup.py). Its name
stays "core.cleanup", the name its periodic runs are stored under."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.jobs.runner import job

from . import cleanup


@job("core.cleanup", every=dt.timedelta(hours=24))
def run_cleanup(payload: dict[str, Any]) -> None:
    cleanup.run_all()
