"""Deadlines for dossiers: the one place that talks to the worktime app (docs/architecture.md §8).

Every due time, pause shift and punctuality of a dossier goes through these functions: the
calendar of an agency comes from `motcua.worktime.services.calendar_for(agency)` and the
arithmetic from the pure `motcua.worktime.engine`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from motcua.worktime import engine
from motcua.worktime.services import calendar_for

if TYPE_CHECKING:
    from motcua.agencies.models import Agency
    from motcua.catalog.models import ProcedureCase

__all__ = ["calendar_for", "case_due", "paused_working_time", "punctuality", "shift", "step_due"]


def case_due(agency: Agency, case: ProcedureCase, start: dt.datetime) -> dt.datetime:
    """The legal due time of a dossier of `case` received by `agency` at `start`."""
    try:
        return engine.due(calendar_for(agency), start, case.time_amount, case.time_unit, case.cutoff_time)
    except ValueError as exc:  # includes CalendarRangeError: a case configured with an absurd time
        from django.utils.translation import gettext as _

        from .errors import ActionNotAllowed

        raise ActionNotAllowed(
            _("Không tính được thời hạn giải quyết của trường hợp «%(case)s» (%(amount)s %(unit)s); "
              "cần kiểm tra cấu hình thủ tục.")
            % {"case": case.name, "amount": case.time_amount, "unit": case.time_unit},
            code="due_time_unavailable",
        ) from exc


def step_due(agency: Agency, start: dt.datetime, quota_hours: Decimal | int) -> dt.datetime:
    """The due time of a workflow step started at `start`, with its quota of working hours."""
    return engine.due(calendar_for(agency), start, quota_hours, "working_hours")


def paused_working_time(agency: Agency, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.timedelta:
    """Working time between a pause and its end (what the due time moves by)."""
    return max(engine.elapsed(calendar_for(agency), paused_at, resumed_at), dt.timedelta(0))


def shift(agency: Agency, due_at: dt.datetime, paused: dt.timedelta) -> dt.datetime:
    """`due_at` moved forward by `paused` working time on the agency's calendar."""
    if paused <= dt.timedelta(0):
        return due_at
    return engine.add_working_time(calendar_for(agency), due_at, paused)


def punctuality(due_at: dt.datetime | None, finished_at: dt.datetime) -> str:
    """"early" / "on_time" / "late" ("" without a due time)."""
    if due_at is None:
        return ""
    return str(engine.punctuality(due_at, finished_at))
