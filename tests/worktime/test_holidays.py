"""The national days off generated from the `holidays` package, against docs/regulations.md §7."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.worktime.holidays_vn import (
    DAYS_OFF_KINDS,
    DayKind,
    days_off,
    generate_year,
    makeup_days,
)


def d(text: str) -> dt.date:
    day, month, year = (int(x) for x in text.split("/"))
    return dt.date(year, month, day)


def weekday_days_off(year: int) -> set[dt.date]:
    return {day for day in days_off(year) if day.weekday() < 5}


def span(first: str, last: str) -> set[dt.date]:
    start, end = d(first), d(last)
    return {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}


EXPECTED_WEEKDAYS_OFF = {
    2025: {
        d("01/01/2025"),
        *span("27/01/2025", "31/01/2025"),  # Tết 27/01-01/02 (01/02 is a Saturday)
        d("07/04/2025"),  # Giỗ Tổ, Monday
        d("30/04/2025"),
        d("01/05/2025"),
        d("02/05/2025"),  # swapped with Saturday 26/04
        d("01/09/2025"),
        d("02/09/2025"),
    },
    2026: {
        d("01/01/2026"),
        *span("16/02/2026", "20/02/2026"),
        d("27/04/2026"),  # Giỗ Tổ on Sunday 26/04 -> compensatory Monday
        d("30/04/2026"),
        d("01/05/2026"),
        d("31/08/2026"),  # swapped with Saturday 22/08
        d("01/09/2026"),
        d("02/09/2026"),
        d("24/11/2026"),
    },
    2027: {
        d("01/01/2027"),
        d("04/02/2027"),
        d("05/02/2027"),
        *span("08/02/2027", "10/02/2027"),  # Tết 04-10/02 (06-07/02 are the weekend)
        d("16/04/2027"),  # Giỗ Tổ, Friday
        d("30/04/2027"),
        d("03/05/2027"),  # 01/05 is a Saturday -> observed Monday 03/05
        d("02/09/2027"),
        d("03/09/2027"),
        d("24/11/2027"),
    },
}


@pytest.mark.parametrize("year", sorted(EXPECTED_WEEKDAYS_OFF))
def test_it_generates_the_weekday_days_off_of_the_regulations_table(year):
    assert weekday_days_off(year) == EXPECTED_WEEKDAYS_OFF[year]


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2025, {d("26/04/2025")}), (2026, {d("22/08/2026")}), (2027, set()), (2024, {d("04/05/2024")})],
)
def test_it_generates_the_make_up_saturdays(year, expected):
    assert makeup_days(year) == expected
    assert all(day.weekday() == 5 for day in makeup_days(year))


def test_it_classifies_each_kind_of_day():
    days = {day.date: day for year in (2025, 2026, 2027) for day in generate_year(year)}
    assert days[d("29/01/2025")].kind == DayKind.HOLIDAY  # Mùng 1 Tết
    assert days[d("27/01/2025")].kind == DayKind.COMPENSATORY  # Tết day moved off Saturday
    assert days[d("26/04/2026")].kind == DayKind.HOLIDAY  # Giỗ Tổ on a Sunday
    assert days[d("27/04/2026")].kind == DayKind.COMPENSATORY
    assert days[d("03/05/2027")].kind == DayKind.COMPENSATORY
    assert days[d("01/09/2026")].kind == DayKind.HOLIDAY  # 2/9 plus one adjacent day
    swap_off, swap_work = days[d("31/08/2026")], days[d("22/08/2026")]
    assert (swap_off.kind, swap_off.swapped_with) == (DayKind.EXTRA_DAY_OFF, d("22/08/2026"))
    assert (swap_work.kind, swap_work.swapped_with) == (DayKind.MAKEUP_WORKING_DAY, d("31/08/2026"))
    assert days[d("02/05/2025")].swapped_with == d("26/04/2025")
    assert "Giỗ Tổ Hùng Vương" in days[d("07/04/2025")].name
    assert days[d("17/02/2026")].name == "Tết Nguyên Đán"


def test_it_computes_hung_kings_day_from_the_lunar_calendar():
    # 10th day of the 3rd lunar month (docs/regulations.md §7; a PHP repo got 2027 wrong as 15/04).
    expected = {
        2025: "07/04/2025",
        2026: "26/04/2026",
        2027: "16/04/2027",
        2028: "04/04/2028",
        2029: "23/04/2029",
        2030: "12/04/2030",
    }
    for year, date_text in expected.items():
        found = [day.date for day in generate_year(year) if day.name == "Ngày Giỗ Tổ Hùng Vương"]
        assert found == [d(date_text)], year


def test_it_can_leave_out_the_vietnamese_culture_day():
    assert d("24/11/2026") in days_off(2026)
    assert d("24/11/2026") not in days_off(2026, culture_day=False)
    assert d("24/11/2025") not in days_off(2025)  # only from 2026
    # In 2029 24/11 is a Saturday: its compensatory Monday goes with it.
    with_day = days_off(2029)
    without = days_off(2029, culture_day=False)
    assert with_day - without == {d("24/11/2029"), d("26/11/2029")}


def test_it_handles_swaps_that_cross_the_new_year():
    # 02/01/2015 off in exchange for Saturday 27/12/2014.
    assert d("27/12/2014") in makeup_days(2014)
    assert d("02/01/2015") in days_off(2015)
    assert d("27/12/2014") not in makeup_days(2015)


def test_it_returns_nothing_outside_the_supported_years():
    assert generate_year(1900) == ()
    assert generate_year(2150) == ()


def test_it_never_makes_a_day_both_off_and_worked():
    for year in range(2000, 2040):
        kinds = {day.date: day.kind for day in generate_year(year)}
        assert len(kinds) == len(generate_year(year))
        assert all(day.date.year == year for day in generate_year(year))
        assert set(kinds.values()) <= {*DAYS_OFF_KINDS, DayKind.MAKEUP_WORKING_DAY}
