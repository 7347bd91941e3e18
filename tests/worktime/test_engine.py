"""The pure engine: inputs, elapsed time, pauses, extensions, punctuality (no database)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from motcua.worktime.engine import (
    DEFAULT_WEEK,
    TZ,
    Calendar,
    CalendarRangeError,
    Punctuality,
    Unit,
    add_working_time,
    due,
    elapsed,
    elapsed_hours,
    extend,
    is_working_time,
    next_opening,
    punctuality,
    shift_for_pause,
)

from .helpers import VN, at

PLAIN = Calendar()
H = dt.timedelta(hours=1)


@pytest.mark.parametrize("amount", [-1, -0.5, Decimal("-0.01"), "-3"])
@pytest.mark.parametrize("unit", list(Unit))
def test_it_refuses_negative_amounts(amount, unit):
    with pytest.raises(ValueError, match="negative"):
        due(PLAIN, at("2026-03-02 09:00"), amount, unit)


@pytest.mark.parametrize("amount", ["abc", float("nan"), Decimal("Infinity"), None, True])
def test_it_refuses_amounts_that_are_not_numbers(amount):
    with pytest.raises((ValueError, TypeError)):
        due(PLAIN, at("2026-03-02 09:00"), amount, "working_days")


def test_it_refuses_an_unknown_unit():
    with pytest.raises(ValueError, match="unknown unit"):
        due(PLAIN, at("2026-03-02 09:00"), 1, "fortnights")


def test_it_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        due(PLAIN, dt.datetime(2026, 3, 2, 9), 1, "working_days")
    with pytest.raises(ValueError, match="aware"):
        punctuality(at("2026-03-02 09:00"), dt.datetime(2026, 3, 2, 9))


def test_it_refuses_absurd_amounts_instead_of_hanging():
    with pytest.raises(CalendarRangeError):
        due(PLAIN, at("2026-03-02 09:00"), 10**9, "working_days")
    with pytest.raises(CalendarRangeError):
        due(PLAIN, at("2026-03-02 09:00"), 10**6, "months")
    with pytest.raises(CalendarRangeError):
        due(PLAIN, at("9999-12-30 09:00"), 5, "days")


def test_it_accepts_int_float_decimal_and_numeric_strings_alike():
    start = at("2026-03-02 09:15")
    results = {due(PLAIN, start, a, "working_days") for a in (2, 2.0, Decimal("2.00"), "2")}
    assert results == {at("2026-03-04 09:15")}


def test_it_rounds_fractions_to_the_microsecond():
    # 1/3 working hour = 20 minutes.
    assert due(PLAIN, at("2026-03-02 09:00"), Decimal(1) / 3, "working_hours") == at("2026-03-02 09:20")


def test_it_validates_the_calendar():
    with pytest.raises(ValueError, match="overlap"):
        Calendar(weekly=[[(dt.time(7), dt.time(12)), (dt.time(11), dt.time(17))]] + [[]] * 6)
    with pytest.raises(ValueError, match="open before"):
        Calendar(weekly=[[(dt.time(17), dt.time(7))]] + [[]] * 6)
    with pytest.raises(ValueError, match="at least one weekday"):
        Calendar(weekly=[[]] * 7)
    with pytest.raises(ValueError, match="both off and make-up"):
        Calendar(days_off={dt.date(2026, 3, 7)}, working_days={dt.date(2026, 3, 7)})
    with pytest.raises(ValueError, match="7 weekdays"):
        Calendar(weekly=[[]] * 5)


def test_it_derives_the_daily_hours_from_the_week():
    assert PLAIN.daily_hours == 8
    saturday = Calendar(weekly=DEFAULT_WEEK[:5] + (((dt.time(7), dt.time(11)),), ()))
    assert saturday.daily_hours == 8
    short = Calendar(daily_hours=Decimal("7.5"))
    assert due(short, at("2026-03-02 07:00"), 1, "working_days") == at("2026-03-02 16:30")


def test_it_accepts_a_mapping_of_weekdays():
    calendar = Calendar(weekly={0: [(dt.time(8), dt.time(12))]})
    assert due(calendar, at("2026-03-02 08:00"), 5, "working_hours") == at("2026-03-09 09:00")


def test_it_gives_make_up_days_the_full_weekday_hours():
    calendar = Calendar(working_days={dt.date(2026, 3, 7)})
    assert calendar.is_working_day(dt.date(2026, 3, 7))
    assert due(calendar, at("2026-03-06 13:00"), 1, "working_days") == at("2026-03-07 11:00")


def test_it_counts_elapsed_working_time():
    start, end = at("2026-03-02 09:15"), at("2026-03-05 09:15")
    assert elapsed(PLAIN, start, end) == 24 * H
    assert elapsed(PLAIN, end, start) == -24 * H
    assert elapsed_hours(PLAIN, at("2026-03-02 10:30"), at("2026-03-02 13:45")) == Decimal("1.25")
    # Nights, weekends and holidays do not count.
    assert elapsed(VN, at("2026-02-13 17:00"), at("2026-02-23 07:00")) == dt.timedelta(0)
    assert elapsed(VN, at("2026-02-13 16:00"), at("2026-02-23 08:00")) == 2 * H


def test_it_tells_working_time_and_the_next_opening():
    assert is_working_time(PLAIN, at("2026-03-02 07:00"))
    assert not is_working_time(PLAIN, at("2026-03-02 11:00"))
    assert not is_working_time(VN, at("2026-04-27 09:00"))  # Giỗ Tổ compensatory day
    assert next_opening(PLAIN, at("2026-03-02 11:00")) == at("2026-03-02 13:00")
    assert next_opening(PLAIN, at("2026-03-02 09:00")) == at("2026-03-02 09:00")
    assert next_opening(VN, at("2026-02-13 17:00")) == at("2026-02-23 07:00")


def test_it_moves_the_due_time_by_a_pause():
    due_at = at("2026-03-05 09:15")
    # Paused Mon 15:00 to Tue 09:00: 2 + 2 working hours.
    moved = shift_for_pause(PLAIN, due_at, at("2026-03-02 15:00"), at("2026-03-03 09:00"))
    assert moved == at("2026-03-05 15:15")
    # A pause over a weekend or a night costs nothing.
    assert shift_for_pause(PLAIN, due_at, at("2026-03-06 17:00"), at("2026-03-09 07:00")) == due_at
    with pytest.raises(ValueError):
        shift_for_pause(PLAIN, due_at, at("2026-03-03 09:00"), at("2026-03-02 15:00"))


def test_it_extends_a_due_time():
    due_at = at("2026-03-05 09:15")
    assert extend(PLAIN, due_at, new_due=at("2026-03-10 17:00")) == at("2026-03-10 17:00")
    assert extend(PLAIN, due_at, extra=8 * H) == at("2026-03-06 09:15")
    assert extend(PLAIN, due_at, amount=2, unit="working_days") == at("2026-03-09 09:15")
    assert extend(PLAIN, due_at, amount=Decimal("1.5"), unit="working_hours") == at("2026-03-05 10:45")
    assert extend(PLAIN, due_at, amount=3, unit="days") == at("2026-03-09 17:00")
    with pytest.raises(ValueError, match="earlier"):
        extend(PLAIN, due_at, new_due=at("2026-03-04 17:00"))
    with pytest.raises(ValueError, match="exactly one"):
        extend(PLAIN, due_at)
    with pytest.raises(ValueError, match="exactly one"):
        extend(PLAIN, due_at, extra=H, amount=1)


def test_it_adds_working_time_and_leaves_a_zero_duration_alone():
    closing = at("2026-03-05 17:00")
    assert add_working_time(PLAIN, closing, dt.timedelta(0)) == closing
    assert add_working_time(PLAIN, closing, H) == at("2026-03-06 08:00")
    with pytest.raises(ValueError):
        add_working_time(PLAIN, closing, -H)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        ("2026-03-04 16:00", Punctuality.EARLY),  # an earlier day
        ("2026-03-05 07:30", Punctuality.ON_TIME),  # the due day, before the due time
        ("2026-03-05 09:15", Punctuality.ON_TIME),  # exactly at the due time
        ("2026-03-05 09:16", Punctuality.LATE),
        ("2026-03-09 08:00", Punctuality.LATE),
    ],
)
def test_it_rates_punctuality(finished, expected):
    assert punctuality(at("2026-03-05 09:15"), at(finished)) == expected


def test_it_rates_punctuality_in_vietnam_time_whatever_the_zone():
    due_at = at("2026-03-05 09:15")
    # 2026-03-04 23:30 UTC is 06:30 on the due day in Hà Nội: on time, not early.
    finished = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)
    assert punctuality(due_at, finished) == Punctuality.ON_TIME


def test_it_grows_its_day_index_in_both_directions():
    calendar = Calendar(days_off={dt.date(2010, 1, 1), dt.date(2060, 1, 1)})
    assert due(calendar, at("2030-03-04 09:00"), 1, "working_days") == at("2030-03-05 09:00")
    assert due(calendar, at("2059-12-31 09:00"), 1, "working_days") == at("2060-01-02 09:00")
    assert due(calendar, at("2009-12-31 09:00"), 1, "working_days") == at("2010-01-04 09:00")
    assert due(calendar, at("2030-03-04 09:00"), 1, "working_days") == at("2030-03-05 09:00")


def test_it_is_safe_to_share_a_calendar_between_threads():
    calendar = Calendar(days_off={dt.date(2026, 4, 30)})
    starts = [at(f"{year}-03-02 09:15") for year in range(1990, 2060)]
    expected = [due(Calendar(days_off={dt.date(2026, 4, 30)}), s, 3, "working_days") for s in starts]
    results: dict[int, list] = {}

    def work(n: int) -> None:
        order = starts if n % 2 else list(reversed(starts))
        results[n] = sorted(due(calendar, s, 3, "working_days") for s in order)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r == sorted(expected) for r in results.values())


def test_it_returns_aware_times_in_the_vietnam_zone():
    result = due(VN, at("2026-04-24 09:15"), 1, "working_days")
    assert result.tzinfo is TZ
    assert result.utcoffset() == dt.timedelta(hours=7)
