"""The working calendar from the database, for the rest of the project.

`calendar_for(agency)` builds the engine's `Calendar` value for an agency: its office hours
(its own, or inherited from the parent agency, or the default Mon–Fri 07:00–11:00,
13:00–17:00) and the national days off. A year that has rows in the database uses them
(confirmed or not); a year not generated yet comes straight from the `holidays` package and is
flagged unconfirmed (`ensure_years`).

Calendars are cached in-process. The cache is keyed by a *stamp* of the calendar tables (row
counts and latest `updated_at`), read with one small query per call, so a change made by any
process (or a rolled-back test) is seen at once. Set MOTCUA_WORKTIME_CACHE_SECONDS to check the
stamp less often on busy servers.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import engine
from .engine import TZ, Calendar, Punctuality, Unit
from .holidays_vn import DAYS_OFF_KINDS, SUPPORTED_YEARS, DayKind, generate_year
from .models import CalendarDay, CalendarYear, OfficeHours, OfficePeriod

if TYPE_CHECKING:
    from motcua.agencies.models import Agency

PUNCTUALITY_LABELS = {
    Punctuality.EARLY: _("Trước hạn"),
    Punctuality.ON_TIME: _("Đúng hạn"),
    Punctuality.LATE: _("Quá hạn"),
}
# Agency trees are shallow (ministry > province > department > office); this stops a cycle.
_MAX_AGENCY_DEPTH = 20
# Cached calendars per snapshot (one per office-hours pattern and year set in practice).
_MAX_CALENDARS = 64


@dataclass(frozen=True)
class DueInfo:
    """A due time and whether every calendar year it depends on is confirmed by an admin."""

    due: dt.datetime
    confirmed: bool
    unconfirmed_years: tuple[int, ...] = ()
    start: dt.datetime | None = None  # the receipt time counted from, in Vietnam time


@dataclass(frozen=True)
class _Hours:
    weekly: tuple[tuple[engine.Period, ...], ...]
    daily_hours: Decimal | None


_DEFAULT_HOURS = _Hours(engine.DEFAULT_WEEK, None)


@dataclass
class _Snapshot:
    stamp: tuple
    checked_at: float
    db_years: dict[int, bool]  # year -> confirmed
    days_off: dict[int, frozenset[dt.date]]
    makeup: dict[int, frozenset[dt.date]]
    hours: dict[int, _Hours]  # agency id -> its own hours (agencies that follow others absent)
    calendars: dict[tuple, Calendar] = field(default_factory=dict)


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def clear_cache() -> None:
    """Forget every cached calendar (the next call reloads from the database)."""
    global _snapshot
    with _lock:
        _snapshot = None


def _stamp() -> tuple:
    quote = connection.ops.quote_name
    parts = [
        f"SELECT {i}, COUNT(*), MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)}"  # noqa: S608
        for i, model in enumerate((CalendarYear, CalendarDay, OfficeHours, OfficePeriod))
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted((row[0], row[1], str(row[2])) for row in cursor.fetchall()))


def _load(stamp: tuple) -> _Snapshot:
    db_years = dict(CalendarYear.objects.values_list("year", "confirmed"))
    days_off: dict[int, set[dt.date]] = {year: set() for year in db_years}
    makeup: dict[int, set[dt.date]] = {year: set() for year in db_years}
    rows = CalendarDay.objects.filter(active=True).values_list("date", "kind", "calendar_year__year")
    for day, kind, year in rows:
        (makeup if kind == DayKind.MAKEUP_WORKING_DAY else days_off)[year].add(day)
    periods: dict[int, list[tuple[int, dt.time, dt.time]]] = {}
    for hours_id, weekday, opens, closes in OfficePeriod.objects.values_list(
        "office_hours_id", "weekday", "opens", "closes"
    ):
        periods.setdefault(hours_id, []).append((weekday, opens, closes))
    hours: dict[int, _Hours] = {}
    for hours_id, agency_id, daily in OfficeHours.objects.filter(follow_parent=False).values_list(
        "id", "agency_id", "daily_working_hours"
    ):
        own = periods.get(hours_id)
        if not own:
            continue  # no periods set: treated as following the parent agency
        week: list[list[engine.Period]] = [[] for _ in range(7)]
        for weekday, opens, closes in own:
            if weekday in range(7) and opens < closes:
                week[weekday].append((opens, closes))
        hours[agency_id] = _Hours(tuple(_merged(day) for day in week), daily)
    return _Snapshot(
        stamp=stamp,
        checked_at=time.monotonic(),
        db_years=db_years,
        days_off={y: frozenset(v) for y, v in days_off.items()},
        makeup={y: frozenset(v) for y, v in makeup.items()},
        hours=hours,
    )


def _merged(periods: list[engine.Period]) -> tuple[engine.Period, ...]:
    """Overlapping periods (entered by mistake) merged, so one bad row never breaks a calendar."""
    result: list[engine.Period] = []
    for opens, closes in sorted(periods):
        if result and opens <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], closes))
        else:
            result.append((opens, closes))
    return tuple(result)


def _current() -> _Snapshot:
    global _snapshot
    snapshot = _snapshot
    ttl = float(settings.MOTCUA_WORKTIME_CACHE_SECONDS)
    if snapshot is not None and ttl and time.monotonic() - snapshot.checked_at < ttl:
        return snapshot
    stamp = _stamp()
    if snapshot is not None and snapshot.stamp == stamp:
        snapshot.checked_at = time.monotonic()
        return snapshot
    with _lock:
        if _snapshot is not None and _snapshot.stamp == stamp:
            return _snapshot
        _snapshot = _load(stamp)
        return _snapshot


def _hours_for(snapshot: _Snapshot, agency: Agency | None) -> _Hours:
    """The agency's own hours, or its nearest ancestor's, or the default."""
    if agency is None or not snapshot.hours:
        return _DEFAULT_HOURS
    from motcua.agencies.models import Agency

    current, parent = agency.pk, agency.parent_id
    for _depth in range(_MAX_AGENCY_DEPTH):
        if current in snapshot.hours:
            return snapshot.hours[current]
        if parent is None:
            break
        current = parent
        parent = Agency.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return _DEFAULT_HOURS


def _default_years() -> set[int]:
    this_year = timezone.localdate().year
    return set(range(this_year - 1, this_year + 3))


def _calendar(snapshot: _Snapshot, hours: _Hours, years: Iterable[int]) -> tuple[Calendar, frozenset[int]]:
    # Always load the same broad set of years, so most calls share one Calendar (and its index).
    wanted = frozenset(y for y in {*years, *_default_years(), *snapshot.db_years} if 1 <= y <= 9999)
    key = (hours, wanted)
    calendar = snapshot.calendars.get(key)
    if calendar is None:
        days_off: set[dt.date] = set()
        makeup: set[dt.date] = set()
        for year in wanted:
            if year in snapshot.db_years:
                days_off |= snapshot.days_off[year]
                makeup |= snapshot.makeup[year]
            else:
                for day in generate_year(year):
                    (days_off if day.kind in DAYS_OFF_KINDS else makeup).add(day.date)
        calendar = Calendar(
            weekly=hours.weekly,
            days_off=frozenset(days_off),
            working_days=frozenset(makeup),
            daily_hours=hours.daily_hours,
        )
        if len(snapshot.calendars) >= _MAX_CALENDARS:
            snapshot.calendars.clear()  # odd year sets from far-off requests: start afresh
        snapshot.calendars[key] = calendar
    return calendar, wanted


def calendar_for(agency: Agency | None = None, years: Iterable[int] = ()) -> Calendar:
    """The agency's working calendar (None: the default office hours), covering `years`, the
    years in the database and the years around today."""
    snapshot = _current()
    return _calendar(snapshot, _hours_for(snapshot, agency), years)[0]


def year_status(years: Iterable[int]) -> dict[int, bool]:
    """Year -> confirmed by an admin (False also for years not generated yet)."""
    snapshot = _current()
    return {year: snapshot.db_years.get(year, False) for year in years}


def ensure_years(years: Iterable[int], *, persist: bool = False) -> set[int]:
    """Make sure each year can be used: returns the years not in the database yet.

    By default the missing years are only computed from the `holidays` package (in memory,
    flagged unconfirmed), which is safe in read-only paths such as a web request. With
    ``persist=True`` they are generated into the database (unconfirmed, for an admin to check).
    """
    snapshot = _current()
    missing = {y for y in years if y not in snapshot.db_years}
    for year in sorted(missing):
        if persist and year in SUPPORTED_YEARS:
            generate_calendar_year(year)
        else:
            generate_year(year)  # warm the package cache
    return missing


def _aware(instant: dt.datetime) -> dt.datetime:
    if timezone.is_naive(instant):
        return instant.replace(tzinfo=TZ)
    return instant


def due_for(
    agency: Agency | None,
    start: dt.datetime,
    amount: int | float | Decimal | str,
    unit: Unit | str,
    cutoff: dt.time | None = None,
) -> DueInfo:
    """The due time counted on the agency's calendar; a naive `start` is local time.

    Raises ValueError for bad input (negative amount, unknown unit, amount too large).
    """
    start = _aware(start).astimezone(TZ)
    snapshot = _current()
    hours = _hours_for(snapshot, agency)
    years = {start.year, start.year + 1}
    for _attempt in range(50):
        calendar, covered = _calendar(snapshot, hours, years)
        due = engine.due(calendar, start, amount, unit, cutoff)
        needed = set(range(start.year, due.year + 1))
        if needed <= covered:
            break
        # The count ran into years the calendar did not hold: load them and count again.
        years |= needed | {due.year + 1}
    else:  # pragma: no cover - needs a span of decades with years added one by one
        raise engine.CalendarRangeError("amount too large")
    unconfirmed = tuple(y for y in sorted(needed) if not snapshot.db_years.get(y, False))
    return DueInfo(due=due, confirmed=not unconfirmed, start=start, unconfirmed_years=unconfirmed)


# --- generation and confirmation -----------------------------------------------------------------


@dataclass(frozen=True)
class GenerationResult:
    year: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_manual: int = 0
    skipped_confirmed: bool = False
    unconfirmed: bool = False  # a confirmed year changed, so it needs a new confirmation

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def generate_calendar_year(year: int, *, culture_day: bool = True, refresh_confirmed: bool = False) -> GenerationResult:
    """Generate a year's days from the `holidays` package, idempotently.

    Generated rows follow the package; rows entered or edited by hand (source "manual") are
    never touched. A confirmed year is left alone unless ``refresh_confirmed``; if that
    changes anything, the year needs confirming again.
    """
    if year not in SUPPORTED_YEARS:
        raise ValueError(f"year {year} is outside {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}")
    now = timezone.now()
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
        if calendar_year.confirmed and not refresh_confirmed:
            return GenerationResult(year, skipped_confirmed=True)
        existing = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
        wanted = {day.date: day for day in generate_year(year, culture_day=culture_day)}
        created = updated = deleted = kept = 0
        for day, generated in wanted.items():
            row = existing.get(day)
            if row is None:
                CalendarDay.objects.create(
                    calendar_year=calendar_year,
                    date=day,
                    kind=generated.kind.value,
                    name=generated.name,
                    swapped_with=generated.swapped_with,
                    source=CalendarDay.Source.GENERATED,
                )
                created += 1
            elif row.source == CalendarDay.Source.MANUAL:
                kept += 1
            elif (row.kind, row.name, row.swapped_with, row.active) != (
                generated.kind.value,
                generated.name,
                generated.swapped_with,
                True,
            ):
                row.kind, row.name = generated.kind.value, generated.name
                row.swapped_with, row.active = generated.swapped_with, True
                row.save()
                updated += 1
        for day, row in existing.items():
            if day not in wanted:
                if row.source == CalendarDay.Source.GENERATED:
                    row.delete()
                    deleted += 1
                else:
                    kept += 1
        changed = bool(created or updated or deleted)
        unconfirm = calendar_year.confirmed and changed
        calendar_year.generated_at = now
        if unconfirm:
            calendar_year.confirmed, calendar_year.confirmed_by, calendar_year.confirmed_at = (
                False,
                None,
                None,
            )
        calendar_year.save()
    return GenerationResult(year, created, updated, deleted, kept, False, unconfirm)


def confirm_years(calendar_years: Iterable[CalendarYear], user) -> int:
    """Mark years as reviewed and confirmed by `user`; returns how many changed."""
    now = timezone.now()
    ids = [cy.pk for cy in calendar_years if not cy.confirmed]
    return CalendarYear.objects.filter(pk__in=ids).update(
        confirmed=True, confirmed_by=user, confirmed_at=now, updated_at=now
    )


def unconfirm_years(calendar_years: Iterable[CalendarYear]) -> int:
    now = timezone.now()
    ids = [cy.pk for cy in calendar_years if cy.confirmed]
    return CalendarYear.objects.filter(pk__in=ids).update(
        confirmed=False, confirmed_by=None, confirmed_at=None, updated_at=now
    )
