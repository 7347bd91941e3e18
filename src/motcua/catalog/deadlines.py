"""The due time of a procedure case: its legal time, unit and cut-off counted on the receiving
agency's working calendar (motcua.worktime, which knows nothing of the catalogue)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.worktime.services import DueInfo, due_for

from .models import ProcedureCase


def due_for_case(case: ProcedureCase, start: dt.datetime | None = None) -> DueInfo:
    """The due time of a procedure case received at `start` (default: now), counted on the
    receiving agency's calendar with the case's legal time, unit and cut-off."""
    start = timezone.now() if start is None else start
    agency = case.version.receiving_agency
    return due_for(agency, start, case.time_amount, case.time_unit, case.cutoff_time)
