"""Calendars and helpers shared by the worktime tests (no database)."""

from __future__ import annotations

import datetime as dt

from motcua.worktime.engine import SATURDAY_MORNING_WEEK, TZ, Calendar
from motcua.worktime.holidays_vn import DAYS_OFF_KINDS, DayKind, generate_year

YEARS = range(2023, 2031)


def vn_calendar(weekly=None, years=YEARS) -> Calendar:
    """The national calendar from the `holidays` package, as the service builds it."""
    days = [d for year in years for d in generate_year(year)]
    kwargs = {"weekly": weekly} if weekly is not None else {}
    return Calendar(
        days_off=frozenset(d.date for d in days if d.kind in DAYS_OFF_KINDS),
        working_days=frozenset(d.date for d in days if d.kind == DayKind.MAKEUP_WORKING_DAY),
        **kwargs,
    )


VN = vn_calendar()
VN_SATURDAY = vn_calendar(SATURDAY_MORNING_WEEK)


def at(text: str) -> dt.datetime:
    """'2026-04-24 09:15' in Asia/Ho_Chi_Minh."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)
