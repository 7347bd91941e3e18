"""The workflow time budget as plain rules: legal time in working hours, quotas, the overrun
message and the timeline preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog import budget
from motcua.worktime import engine


def test_it_converts_the_legal_time_of_each_unit_to_working_hours():
    cal = engine.Calendar()
    assert budget.legal_hours(4, "working_hours", cal) == Decimal("4.00")
    assert budget.legal_hours(3, "working_days", cal) == Decimal("24.00")
    assert budget.legal_hours("1.5", "working_days", cal) == Decimal("12.00")
    # Same day: a receipt at the 15:00 cut-off must be done by 17:00.
    assert budget.legal_hours(1, "same_day", cal) == Decimal("2.00")
    # 30 calendar days: the worst receipt (a Friday at closing) gets 22 working days.
    assert budget.legal_hours(30, "days", cal) == Decimal("176.00")
    assert budget.legal_hours(1, "months", cal) > budget.legal_hours(28, "days", cal) - 1


def test_it_uses_the_agency_working_day_length():
    short = engine.Calendar(daily_hours=Decimal("7.5"))
    assert budget.legal_hours(2, "working_days", short) == Decimal("15.00")
    assert budget.legal_hours(1, "same_day", short) == Decimal("2.00")  # cut-off to closing, not the day's length
    assert budget.quota_in_hours(Decimal(2), "days", Decimal("7.5")) == Decimal("15.00")
    assert budget.quota_in_hours(Decimal("2.5"), "hours", Decimal("7.5")) == Decimal("2.50")


def test_same_day_counts_what_a_receipt_at_the_cut_off_has_left():
    cal = engine.Calendar()
    assert budget.legal_hours(1, "same_day", cal, dt.time(11, 0)) == Decimal("4.00")  # 11:00 -> lunch -> 17:00
    assert budget.legal_hours(0, "same_day", cal, dt.time(16, 30)) == Decimal("0.50")
    # A cut-off before opening: every receipt in office hours starts the next day, a whole day.
    assert budget.legal_hours(1, "same_day", cal, dt.time(6, 0)) == Decimal("8.00")
    # A cut-off at or after closing: a receipt just before closing has nothing left.
    assert budget.legal_hours(1, "same_day", cal, dt.time(18, 0)) == Decimal("0.00")
    # The least over the week: a Saturday open until 11:30 leaves half an hour after an 11:00 cut-off.
    saturday_morning = engine.Calendar(weekly=engine.DEFAULT_WEEK[:5] + (((dt.time(7, 30), dt.time(11, 30)),), ()))
    assert budget.legal_hours(1, "same_day", saturday_morning, dt.time(11, 0)) == Decimal("0.50")


def test_same_day_legal_time_agrees_with_the_engine_for_a_receipt_at_the_cut_off():
    cal = engine.Calendar()
    received = dt.datetime(2026, 12, 7, 15, 0, tzinfo=engine.TZ)  # Monday, at the cut-off
    due = engine.due(cal, received, 1, "same_day")
    assert engine.elapsed_hours(cal, received, due) == budget.legal_hours(1, "same_day", cal)


@pytest.mark.parametrize("unit", ["weeks", ""])
def test_it_refuses_unknown_units(unit):
    with pytest.raises(ValueError):
        budget.legal_hours(1, unit)


def test_it_names_the_overrun():
    b = budget.budget_of(Decimal(24), [Decimal(10), Decimal(16)], Decimal(8))
    assert b.over and b.overrun == Decimal(2) and b.remaining == Decimal(-2)
    assert b.message() == "Tổng định mức 26 giờ vượt thời hạn 24 giờ làm việc 2 giờ."
    ok = budget.budget_of(Decimal(24), [Decimal("7.5")], Decimal(8))
    assert not ok.over and ok.remaining == Decimal("16.5")
    assert "Còn lại 16.5 giờ" in ok.message()
    assert ok.percent_used == 31
    assert budget.budget_of(Decimal(8), [Decimal(8)], Decimal(8)).over is False  # exactly the legal time is fine


def test_it_picks_the_next_working_day_at_nine_for_the_example():
    cal = engine.Calendar(days_off=frozenset({dt.date(2026, 12, 1)}))
    friday = dt.date(2026, 11, 27)
    received = budget.example_receipt(cal, friday)
    assert received == dt.datetime(2026, 11, 30, 9, 0, tzinfo=engine.TZ)  # Monday
    monday = dt.date(2026, 11, 30)
    assert budget.example_receipt(cal, monday).date() == dt.date(2026, 12, 2)  # Tuesday is a day off
    afternoon_only = engine.Calendar(weekly=(((dt.time(13), dt.time(17)),),) * 5 + ((), ()))
    assert budget.example_receipt(afternoon_only, friday).time() == dt.time(13, 0)


def test_it_shows_dates_with_vietnamese_weekdays():
    assert budget.when(dt.datetime(2026, 11, 30, 9, 0, tzinfo=engine.TZ)) == "Thứ Hai, 30/11/2026 09:00"
    assert budget.when(None) == ""


@pytest.mark.django_db
def test_it_checks_a_case_of_the_sample_catalogue(catalog):
    from motcua.catalog.models import Procedure

    version = Procedure.objects.get(code="1.001193").published
    case = version.cases.get()
    b = budget.case_budget(case)
    assert (b.legal, b.used, b.remaining) == (Decimal(2), Decimal(2), Decimal(0))
    assert budget.check_case(case) is None
    steps = list(case.steps.order_by("order"))
    assert "vượt thời hạn 2 giờ làm việc 1 giờ" in budget.check_case(case, [*steps, Decimal(1)])
    line = budget.timeline(case, steps, today=dt.date(2026, 11, 27))
    assert line.received == dt.datetime(2026, 11, 30, 9, 0, tzinfo=engine.TZ)
    assert [r.cumulative for r in line.rows] == [Decimal("0.25"), Decimal("1.25"), Decimal("1.75"), Decimal(2)]
    assert [r.due.time() for r in line.rows] == [dt.time(9, 15), dt.time(10, 15), dt.time(10, 45), dt.time(11, 0)]
    # 2 hours of steps from Monday 09:00 end at 11:00, before the same-day due time (Monday 17:00):
    # the admin's preview shows the shipped workflow in time (it used to show 8 hours, late).
    assert line.steps_due == dt.datetime(2026, 11, 30, 11, 0, tzinfo=engine.TZ)
    assert line.legal_due == dt.datetime(2026, 11, 30, 17, 0, tzinfo=engine.TZ)
    assert not line.late
    # Received at 15:30, after the 15:00 cut-off: counted from Tuesday, due at its close.
    assert line.late_receipt == dt.datetime(2026, 11, 30, 15, 30, tzinfo=engine.TZ)
    assert line.late_receipt_due == dt.datetime(2026, 12, 1, 17, 0, tzinfo=engine.TZ)
