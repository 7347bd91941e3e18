"""Deadlines for dossiers: the one place that talks to the worktime app (docs/architecture.md §8).

Every due time, pause shift and punctuality of a dossier goes through these functions, which
import `motcua.worktime` lazily: the calendar of an agency comes from
`motcua.worktime.services.calendar_for(agency)` and the arithmetic from the pure
`motcua.worktime.engine`. If the services module is missing (an install without the calendar
tables), the engine's default calendar is used: office hours Mon-Fri 07:00-11:00, 13:00-17:00
and the national days off generated from the `holidays` package.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from motcua.agencies.models import Agency
    from motcua.catalog.models import ProcedureCase


def _engine():
    from motcua.worktime import engine

    return engine


@lru_cache(maxsize=1)
def _fallback_calendar() -> Any:
    engine = _engine()
    days_off: set[dt.date] = set()
    makeup: set[dt.date] = set()
    try:
        from motcua.worktime.holidays_vn import days_off as year_days_off
        from motcua.worktime.holidays_vn import makeup_days

        this_year = timezone.localdate().year
        for year in range(this_year - 2, this_year + 4):
            days_off |= year_days_off(year)
            makeup |= makeup_days(year)
    except ImportError:  # pragma: no cover - holidays_vn ships with worktime
        pass
    return engine.Calendar(days_off=frozenset(days_off), working_days=frozenset(makeup))


def calendar_for(agency: Agency | None) -> Any:
    """The working calendar of `agency` (an engine.Calendar value)."""
    try:
        from motcua.worktime.services import calendar_for as service_calendar_for
    except ImportError:
        return _fallback_calendar()
    return service_calendar_for(agency)


def case_due(agency: Agency, case: ProcedureCase, start: dt.datetime) -> dt.datetime:
    """The legal due time of a dossier of `case` received by `agency` at `start`."""
    try:
        return _engine().due(calendar_for(agency), start, case.time_amount, case.time_unit, case.cutoff_time)
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
    return _engine().due(calendar_for(agency), start, quota_hours, "working_hours")


def paused_working_time(agency: Agency, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.timedelta:
    """Working time between a pause and its end (what the due time moves by)."""
    return max(_engine().elapsed(calendar_for(agency), paused_at, resumed_at), dt.timedelta(0))


def shift(agency: Agency, due_at: dt.datetime, paused: dt.timedelta) -> dt.datetime:
    """`due_at` moved forward by `paused` working time on the agency's calendar."""
    if paused <= dt.timedelta(0):
        return due_at
    return _engine().add_working_time(calendar_for(agency), due_at, paused)


def punctuality(due_at: dt.datetime | None, finished_at: dt.datetime) -> str:
    """"early" / "on_time" / "late" ("" without a due time)."""
    if due_at is None:
        return ""
    return str(_engine().punctuality(due_at, finished_at))
