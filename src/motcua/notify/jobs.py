"""The notify background jobs (autodiscovered by the jobs app): `notify.send`, and the hourly
check that sends the staff's daily warnings once a day (`notify.daily_warnings`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.jobs.runner import job

from . import warnings
from .services import SEND_JOB, deliver


@job(SEND_JOB)
def send_message(payload: dict[str, Any]) -> None:
    deliver(int(payload["message"]))


@job(warnings.WARNING_JOB, every=dt.timedelta(hours=1))
def daily_warnings(payload: dict[str, Any]) -> None:
    warnings.run(payload)
