"""Working time and deadlines: a pure-Python core (no ORM, no HTTP).

A `Calendar` is an immutable value: office hours per weekday, a set of days off (public
holidays, compensatory days, swapped days) and a set of make-up working days (Saturdays
worked to bridge a holiday). Every instant is mapped to a *working position*: the number of
working microseconds since the start of an internal day index. Positions are computed from
per-day prefix sums, and the inverse (position -> instant) is a bisect, so a due time costs a
few microseconds whatever the amount (docs/architecture.md §8).

Rules (docs/architecture.md §8, docs/regulations.md §7):

* ``working_days``: N working days = N x the calendar's daily working hours (8 by default),
  added as working time. Monday 09:15 + 3 working days = Thursday 09:15.
* ``working_hours``: N hours of working time.
* ``days`` / ``months``: calendar time, counted like the Civil Code 2015 (art. 147-148): the day
  of receipt is not counted, the limit ends at the end (closing time) of the last day, and when
  that day is not a working day, at the close of the next working day. A fraction of a day
  counts as a whole day; a fraction of a month as ceil(fraction x 30) days.
* ``same_day``: the close of the receipt's working day.
* Receipt outside office hours starts the count at the next opening (nights, weekends and
  holidays: the next working day's opening; the lunch break: the afternoon opening).
  Receipt after the cut-off time (``same_day`` cases: 15:00 unless set otherwise) starts the
  count at the next working day's opening.
* A due time that falls exactly at a closing time stays there (not the next opening).

All datetimes are aware; results are in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from motcua.core.errors import DomainError

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR

# Same-day procedures: received after 15:00, due at the close of the next working day.
DEFAULT_SAME_DAY_CUTOFF = dt.time(15, 0)
# The limit ends at most this many days after the start; beyond it the input is nonsense.
MAX_SPAN_DAYS = 200 * 366
# Days of fraction-of-a-month (no legal rule; 30 is the usual convention).
DAYS_PER_MONTH_FRACTION = 30

Period = tuple[dt.time, dt.time]

MORNING: Period = (dt.time(7, 0), dt.time(11, 0))
AFTERNOON: Period = (dt.time(13, 0), dt.time(17, 0))
DEFAULT_DAY: tuple[Period, ...] = (MORNING, AFTERNOON)
# Monday..Sunday (date.weekday() order).
DEFAULT_WEEK: tuple[tuple[Period, ...], ...] = (DEFAULT_DAY,) * 5 + ((), ())
SATURDAY_MORNING_WEEK: tuple[tuple[Period, ...], ...] = (DEFAULT_DAY,) * 5 + ((MORNING,), ())


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    DAYS = "days"
    MONTHS = "months"
    SAME_DAY = "same_day"


UNITS: frozenset[str] = frozenset(u.value for u in Unit)


class Punctuality(StrEnum):
    """QĐ 766 punctuality: trước hạn / đúng hạn / quá hạn."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class CalendarRangeError(DomainError, ValueError):
    """The computation would run past the supported span (amount too large or date too far)."""


def _time_us(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US_PER_SECOND + t.microsecond


def _normalise_periods(periods: Iterable[Sequence[dt.time]], where: str) -> tuple[Period, ...]:
    result: list[Period] = []
    for item in periods:
        opens, closes = item
        if not isinstance(opens, dt.time) or not isinstance(closes, dt.time):
            raise TypeError(f"{where}: periods are (datetime.time, datetime.time) pairs")
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError(f"{where}: office hours are local wall-clock times, without tzinfo")
        if not opens < closes:
            raise ValueError(f"{where}: a period must open before it closes ({opens}-{closes})")
        result.append((opens, closes))
    result.sort()
    for (_, prev_close), (next_open, _) in zip(result, result[1:], strict=False):
        if next_open < prev_close:
            raise ValueError(f"{where}: periods overlap")
    return tuple(result)


def _periods_us(periods: tuple[Period, ...]) -> tuple[tuple[int, int], ...]:
    return tuple((_time_us(o), _time_us(c)) for o, c in periods)


def _to_decimal(amount: object) -> Decimal:
    """Any of int / float / Decimal / numeric str as a finite, non-negative Decimal."""
    if isinstance(amount, bool):
        raise TypeError("amount must be a number, not a bool")
    try:
        value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"amount is not a number: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"amount must be finite: {amount!r}")
    if value < 0:
        raise ValueError(f"amount must not be negative: {amount!r}")
    return value


def _scaled(amount: object, unit_us: int) -> int:
    """amount x unit_us as whole microseconds; fast path for ints (the common case)."""
    if type(amount) is int:
        if amount < 0:
            raise ValueError(f"amount must not be negative: {amount!r}")
        return amount * unit_us
    value = _to_decimal(amount)
    return int((value * unit_us).to_integral_value(ROUND_HALF_UP))


def _duration_us(duration: dt.timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * US_PER_SECOND + duration.microseconds


class _Index:
    """Per-day working periods and prefix sums over a window of consecutive days."""

    __slots__ = ("base", "cum", "n", "periods")

    def __init__(self, base: int, periods: list[tuple[tuple[int, int], ...]]):
        self.base = base  # proleptic ordinal of day 0
        self.n = len(periods)
        self.periods = periods
        cum = [0] * (self.n + 1)
        acc = 0
        for i, day in enumerate(periods):
            for o, c in day:
                acc += c - o
            cum[i + 1] = acc
        self.cum = cum


@dataclass(frozen=True, repr=False)
class Calendar:
    """An agency's working calendar: weekly office hours plus dated exceptions.

    ``weekly``: seven tuples (Monday..Sunday) of (opens, closes) local times.
    ``days_off``: dates with no office hours (holidays, compensatory days, swapped days).
    ``working_days``: make-up working days; they get ``makeup_periods`` (default: the
    longest weekday's hours) even on a Saturday or Sunday.
    ``daily_hours``: the length of one working day for the ``working_days`` unit; by default
    the most common daily total of the week (8 hours for the default week).
    """

    weekly: tuple[tuple[Period, ...], ...] = DEFAULT_WEEK
    days_off: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()
    daily_hours: Decimal | None = None
    makeup_periods: tuple[Period, ...] | None = None
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weekly = self.weekly
        if isinstance(weekly, Mapping):
            weekly = tuple(weekly.get(i, ()) for i in range(7))
        weekly = tuple(weekly)
        if len(weekly) != 7:
            raise ValueError("weekly must give the periods of 7 weekdays, Monday first")
        week = tuple(_normalise_periods(day, f"weekday {i}") for i, day in enumerate(weekly))
        totals = [sum(c - o for o, c in _periods_us(day)) for day in week]
        if not any(totals):
            raise ValueError("a calendar needs office hours on at least one weekday")
        days_off = frozenset(self.days_off)
        working_days = frozenset(self.working_days)
        both = days_off & working_days
        if both:
            raise ValueError(f"dates both off and make-up working days: {sorted(both)}")
        makeup = self.makeup_periods
        if makeup is None:
            makeup = week[max(range(7), key=lambda i: (totals[i], -i))]
        makeup = _normalise_periods(makeup, "make-up day")
        if self.daily_hours is None:
            counts = Counter(t for t in totals if t)
            # The most common daily total; ties go to the longer day.
            daily_us = max(counts, key=lambda t: (counts[t], t))
            daily = Decimal(daily_us) / US_PER_HOUR
        else:
            daily = _to_decimal(self.daily_hours)
            if daily <= 0 or daily > 24:
                raise ValueError("daily_hours must be within (0, 24]")
        set_ = object.__setattr__
        set_(self, "weekly", week)
        set_(self, "days_off", days_off)
        set_(self, "working_days", working_days)
        set_(self, "makeup_periods", makeup)
        set_(self, "daily_hours", daily)
        set_(self, "_week_us", tuple(_periods_us(day) for day in week))
        set_(self, "_makeup_us", _periods_us(makeup))
        set_(self, "_daily_us", int((daily * US_PER_HOUR).to_integral_value(ROUND_HALF_UP)))

    def __repr__(self) -> str:
        week_us = self._week_us  # type: ignore[attr-defined]
        hours = sum(c - o for day in week_us for o, c in day) / US_PER_HOUR
        return (
            f"Calendar({hours:g} h/week, daily_hours={self.daily_hours}, "
            f"{len(self.days_off)} days off, {len(self.working_days)} make-up days)"
        )

    # --- construction helpers ---------------------------------------------------------------

    def replace(self, **changes: Any) -> Calendar:
        return dataclasses.replace(self, **changes)

    def periods_on(self, day: dt.date) -> tuple[Period, ...]:
        """Office hours on a date, exceptions applied."""
        if day in self.days_off:
            return ()
        if day in self.working_days:
            return self.makeup_periods  # type: ignore[return-value]
        return self.weekly[day.weekday()]

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.periods_on(day))

    @property
    def daily_us(self) -> int:
        return self._daily_us  # type: ignore[attr-defined]

    # --- the day index ------------------------------------------------------------------------

    def _day_periods_us(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        day = dt.date.fromordinal(ordinal)
        if day in self.days_off:
            return ()
        if day in self.working_days:
            return self._makeup_us  # type: ignore[attr-defined]
        return self._week_us[(ordinal - 1) % 7]  # type: ignore[attr-defined]

    def _index_covering(self, lo: int, hi: int) -> _Index:
        """An index whose window holds ordinals lo..hi inclusive (grown if needed)."""
        index = self._index
        if index is not None and index.base <= lo and hi < index.base + index.n:
            return index
        with self._lock:
            index = self._index
            if index is not None and index.base <= lo and hi < index.base + index.n:
                return index
            min_ord, max_ord = dt.date.min.toordinal() + 1, dt.date.max.toordinal() - 1
            if lo < min_ord or hi > max_ord:
                raise CalendarRangeError("date out of the supported range")
            if index is None:
                # Start with whole years around the first request, so most calls never grow it.
                first = dt.date.fromordinal(lo).year - 1
                last = dt.date.fromordinal(hi).year + 2
                new_lo = dt.date(max(first, 1), 1, 1).toordinal()
                new_hi = dt.date(min(last, 9999), 12, 31).toordinal()
            else:
                # Grow by at least the current size, so repeated growth stays linear overall.
                size = index.n
                new_lo = min(lo, index.base - (size if lo < index.base else 0))
                old_hi = index.base + index.n - 1
                new_hi = max(hi, old_hi + (size if hi > old_hi else 0))
            new_lo, new_hi = max(new_lo, min_ord), min(new_hi, max_ord)
            if new_hi - new_lo > 4 * MAX_SPAN_DAYS:
                raise CalendarRangeError("calendar window too large")
            if index is None:
                periods = [self._day_periods_us(o) for o in range(new_lo, new_hi + 1)]
            else:
                old_hi = index.base + index.n - 1
                periods = (
                    [self._day_periods_us(o) for o in range(new_lo, index.base)]
                    + index.periods
                    + [self._day_periods_us(o) for o in range(old_hi + 1, new_hi + 1)]
                )
            index = _Index(new_lo, periods)
            object.__setattr__(self, "_index", index)
            return index

    def _ensure_position(self, index: _Index, target: int, strict: bool, limit: int) -> tuple[_Index, int]:
        """Grow the window forward until position `target` lies inside it (strictly: with
        working time left after it). Returns the index and `target` rebased onto it; raises
        CalendarRangeError past the ordinal `limit`."""
        while (index.cum[-1] <= target) if strict else (index.cum[-1] < target):
            last = index.base + index.n - 1
            if last >= limit:
                raise CalendarRangeError("amount too large")
            new = self._index_covering(index.base, min(last + max(index.n, 366), limit))
            if new.base != index.base:
                # Another thread grew the window backward: shift onto the new origin.
                target += new.cum[index.base - new.base]
            index = new
        return index, target


# --- instants <-> working positions ------------------------------------------------------------


def _local(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("datetimes must be aware (Asia/Ho_Chi_Minh or any other zone)")
    return instant.astimezone(TZ)


def _split(local: dt.datetime) -> tuple[int, int]:
    return local.toordinal(), ((local.hour * 60 + local.minute) * 60 + local.second) * US_PER_SECOND + local.microsecond


def _position(index: _Index, ordinal: int, us: int) -> int:
    """Working microseconds from the window's start up to the instant (ordinal, us)."""
    i = ordinal - index.base
    acc = index.cum[i]
    for o, c in index.periods[i]:
        if us >= c:
            acc += c - o
        else:
            if us > o:
                acc += us - o
            break
    return acc


def _instant(index: _Index, i: int, us: int) -> dt.datetime:
    day = dt.date.fromordinal(index.base + i)
    seconds, micro = divmod(us, US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=TZ)


def _instant_ending_at(index: _Index, target: int) -> dt.datetime:
    """The earliest instant whose position is `target` (> window start): a period's end wins
    over the next opening, so a due time on a closing time stays there."""
    cum = index.cum
    i = bisect_left(cum, target) - 1  # cum[i] < target <= cum[i+1]
    rem = target - cum[i]
    for o, c in index.periods[i]:
        length = c - o
        if rem <= length:
            return _instant(index, i, o + rem)
        rem -= length
    raise AssertionError("position beyond its day")  # pragma: no cover


def _instant_starting_at(index: _Index, target: int) -> tuple[int, dt.datetime]:
    """The first working instant at `target` (an opening rather than the previous close),
    with its day's index."""
    cum = index.cum
    i = bisect_right(cum, target) - 1  # cum[i] <= target < cum[i+1]
    rem = target - cum[i]
    for o, c in index.periods[i]:
        length = c - o
        if rem < length:
            return i, _instant(index, i, o + rem)
        rem -= length
    raise AssertionError("position beyond its day")  # pragma: no cover


def _close_of(index: _Index, i: int) -> dt.datetime:
    return _instant(index, i, index.periods[i][-1][1])


def _first_working_day_from(calendar: Calendar, index: _Index, i: int, limit: int) -> tuple[_Index, int]:
    """Index of the first working day at or after day i (growing the window if needed)."""
    index, target = calendar._ensure_position(index, index.cum[i], True, limit)
    return index, bisect_right(index.cum, target) - 1


def _start_position(
    calendar: Calendar, start: dt.datetime, cutoff: dt.time | None, days_ahead: int
) -> tuple[_Index, int, int]:
    """The index, the working position where the count starts, and the ordinal past which
    no computation from this start may go."""
    ordinal, us = _split(_local(start))
    limit = min(ordinal + MAX_SPAN_DAYS, dt.date.max.toordinal() - 1)
    index = calendar._index_covering(ordinal, ordinal + days_ahead)
    if cutoff is not None and us > _time_us(cutoff):
        # After the cut-off: the count starts at the next working day's opening, which has the
        # same position as the close of the receipt day.
        return index, index.cum[ordinal - index.base + 1], limit
    return index, _position(index, ordinal, us), limit


# --- public functions ---------------------------------------------------------------------------


def add_working_time(calendar: Calendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """`start` plus `duration` of working time. A zero duration returns `start` unchanged."""
    amount = _duration_us(duration)
    if amount < 0:
        raise ValueError("duration must not be negative")
    if amount == 0:
        return start
    index, position, limit = _start_position(calendar, start, None, 0)
    index, target = calendar._ensure_position(index, position + amount, False, limit)
    return _instant_ending_at(index, target)


def due(
    calendar: Calendar,
    start: dt.datetime,
    amount: int | float | Decimal | str,
    unit: Unit | str,
    cutoff: dt.time | None = None,
) -> dt.datetime:
    """The due time of a duration counted from `start` (the receipt time).

    ``cutoff``: receipt after this local time starts the count at the next working day's
    opening; ``same_day`` uses 15:00 when it is None. Raises ValueError for a negative or
    non-numeric amount, an unknown unit or a naive `start`.
    """
    if unit == "working_days":
        return _due_working(calendar, start, _scaled(amount, calendar._daily_us), cutoff)  # type: ignore[attr-defined]
    if unit == "working_hours":
        return _due_working(calendar, start, _scaled(amount, US_PER_HOUR), cutoff)
    if unit == "days":
        value = _to_decimal(amount)
        return _due_calendar(calendar, start, 0, math.ceil(value), cutoff)
    if unit == "months":
        value = _to_decimal(amount)
        months = int(value)
        extra_days = math.ceil((value - months) * DAYS_PER_MONTH_FRACTION)
        return _due_calendar(calendar, start, months, extra_days, cutoff)
    if unit == "same_day":
        _to_decimal(amount)  # the amount itself does not matter, but must be sane
        return _due_calendar(calendar, start, 0, 0, DEFAULT_SAME_DAY_CUTOFF if cutoff is None else cutoff)
    raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(UNITS)}")


def _due_working(calendar: Calendar, start: dt.datetime, amount: int, cutoff: dt.time | None) -> dt.datetime:
    index, position, limit = _start_position(calendar, start, cutoff, 0)
    if amount == 0:
        index, position = calendar._ensure_position(index, position, True, limit)
        return _instant_starting_at(index, position)[1]
    if amount > MAX_SPAN_DAYS * US_PER_DAY:
        raise CalendarRangeError("amount too large")
    index, target = calendar._ensure_position(index, position + amount, False, limit)
    return _instant_ending_at(index, target)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    if year > 9999:
        raise CalendarRangeError("amount too large")
    # No such day in the last month: the limit ends on its last day (Civil Code art. 148).
    days_in_month = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, days_in_month))


def _due_calendar(
    calendar: Calendar, start: dt.datetime, months: int, days: int, cutoff: dt.time | None
) -> dt.datetime:
    if months * 31 + days > MAX_SPAN_DAYS:
        raise CalendarRangeError("amount too large")
    index, position, limit = _start_position(calendar, start, cutoff, 7)
    index, position = calendar._ensure_position(index, position, True, limit)
    first_day, _ = _instant_starting_at(index, position)
    day = dt.date.fromordinal(index.base + first_day)
    if months:
        day = _add_months(day, months)
    ordinal = day.toordinal() + days
    if ordinal > limit:
        raise CalendarRangeError("amount too large")
    index = calendar._index_covering(index.base, ordinal)
    index, last_day = _first_working_day_from(calendar, index, ordinal - index.base, limit)
    return _close_of(index, last_day)


def elapsed(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time between two instants (negative when `end` is before `start`)."""
    s_ord, s_us = _split(_local(start))
    e_ord, e_us = _split(_local(end))
    index = calendar._index_covering(min(s_ord, e_ord), max(s_ord, e_ord))
    return dt.timedelta(microseconds=_position(index, e_ord, e_us) - _position(index, s_ord, s_us))


def elapsed_hours(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> Decimal:
    """Working hours between two instants, as a Decimal (exact to the microsecond)."""
    return Decimal(_duration_us(elapsed(calendar, start, end))) / US_PER_HOUR


def next_opening(calendar: Calendar, instant: dt.datetime) -> dt.datetime:
    """`instant` itself when inside office hours, else the next opening."""
    index, position, limit = _start_position(calendar, instant, None, 0)
    index, position = calendar._ensure_position(index, position, True, limit)
    return _instant_starting_at(index, position)[1]


def is_working_time(calendar: Calendar, instant: dt.datetime) -> bool:
    """Inside office hours: opening time included, closing time excluded."""
    ordinal, us = _split(_local(instant))
    return any(o <= us < c for o, c in calendar._day_periods_us(ordinal))


def shift_for_pause(
    calendar: Calendar, due_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
) -> dt.datetime:
    """The due time after a pause (supplement request): the clock stops from `paused_at` to
    `resumed_at`, so the due time moves forward by the working time elapsed in between."""
    if resumed_at < paused_at:
        raise ValueError("resumed_at is before paused_at")
    return add_working_time(calendar, due_at, elapsed(calendar, paused_at, resumed_at))


def extend(
    calendar: Calendar,
    due_at: dt.datetime,
    *,
    new_due: dt.datetime | None = None,
    extra: dt.timedelta | None = None,
    amount: int | float | Decimal | str | None = None,
    unit: Unit | str = Unit.WORKING_DAYS,
) -> dt.datetime:
    """The due time after an approved extension (form 04): exactly one of an explicit
    `new_due`, `extra` working time, or `amount` of `unit` counted from the current due time.
    An extension never moves the due time earlier."""
    given = sum(x is not None for x in (new_due, extra, amount))
    if given != 1:
        raise ValueError("give exactly one of new_due, extra or amount")
    if new_due is not None:
        result = new_due
    elif extra is not None:
        result = add_working_time(calendar, due_at, extra)
    else:
        if unit in (Unit.WORKING_DAYS, Unit.WORKING_HOURS):
            unit_us = calendar.daily_us if unit == Unit.WORKING_DAYS else US_PER_HOUR
            result = add_working_time(calendar, due_at, dt.timedelta(microseconds=_scaled(amount, unit_us)))
        else:
            result = due(calendar, due_at, amount, unit)  # type: ignore[arg-type]
    _local(result)
    if result < due_at:
        raise ValueError("an extension cannot move the due time earlier")
    return result


def punctuality(due_at: dt.datetime, finished_at: dt.datetime) -> Punctuality:
    """Early / on time / late (trước hạn / đúng hạn / quá hạn).

    * late: finished after the due time;
    * early: finished on a day (local date) before the due time's day;
    * on time: finished on the due day, at or before the due time.
    """
    due_local, finished_local = _local(due_at), _local(finished_at)
    if finished_local > due_local:
        return Punctuality.LATE
    if finished_local.date() < due_local.date():
        return Punctuality.EARLY
    return Punctuality.ON_TIME
