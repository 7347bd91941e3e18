"""The reports' background jobs (autodiscovered by the jobs app): keep the summary of ended
dossiers up to date between reads, and rebuild it once a day (which also repairs any row written
behind the action layer's back)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.jobs.runner import job

from . import summary


@job("reports.refresh_summary", every=dt.timedelta(minutes=5))
def refresh_summary(payload: dict[str, Any]) -> None:
    summary.refresh()


@job("reports.rebuild_summary", every=dt.timedelta(hours=24))
def rebuild_summary(payload: dict[str, Any]) -> None:
    summary.rebuild()
