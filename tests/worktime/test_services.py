"""Calendars from the database: generation, manual edits, office hours, cache, cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.agencies.models import Agency
from motcua.catalog.deadlines import due_for_case
from motcua.worktime import services
from motcua.worktime.models import CalendarDay, CalendarYear, OfficeHours, OfficePeriod
from motcua.worktime.services import (
    calendar_for,
    confirm_years,
    due_for,
    ensure_years,
    generate_calendar_year,
    year_status,
)

from .helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre():
    return Agency.objects.create(unit_code="000.00.01.H12", name="Trung tâm PVHCC", kind="service_centre")


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="quantri", password="x-motcua-test")


def run(*args) -> str:
    out = StringIO()
    call_command("generate_calendar", *args, stdout=out)
    return out.getvalue()


def test_it_generates_a_year_idempotently():
    out = run("2026")
    assert "2026: thêm 15" in out
    year = CalendarYear.objects.get(year=2026)
    assert not year.confirmed and year.generated_at
    assert year.days.count() == 15
    day = CalendarDay.objects.get(date=dt.date(2026, 8, 22))
    assert (day.kind, day.source, day.swapped_with) == ("makeup_working_day", "generated", dt.date(2026, 8, 31))
    assert "2026: thêm 0, cập nhật 0, xóa 0" in run("2026")
    assert CalendarDay.objects.count() == 15


def test_it_keeps_manual_edits_when_regenerating():
    run("2026")
    culture = CalendarDay.objects.get(date=dt.date(2026, 11, 24))
    culture.active, culture.source = False, CalendarDay.Source.MANUAL
    culture.save()
    CalendarDay.objects.create(date=dt.date(2026, 2, 23), kind="extra_day_off", name="Nghỉ thêm của tỉnh")
    out = run("2026")
    assert "giữ 1 dòng sửa tay" in out or "giữ 2 dòng sửa tay" in out
    culture.refresh_from_db()
    assert culture.active is False
    assert CalendarDay.objects.filter(date=dt.date(2026, 2, 23)).exists()
    # The manual day off counts; the disabled culture day does not.
    calendar = calendar_for(None, [2026])
    assert not calendar.is_working_day(dt.date(2026, 2, 23))
    assert calendar.is_working_day(dt.date(2026, 11, 24))


def test_it_can_generate_without_the_culture_day_and_drop_it_later():
    run("2027", "--without-culture-day")
    assert not CalendarDay.objects.filter(date=dt.date(2027, 11, 24)).exists()
    run("2027")
    assert CalendarDay.objects.filter(date=dt.date(2027, 11, 24)).exists()
    result = generate_calendar_year(2027, culture_day=False)
    assert result.deleted == 1


def test_it_skips_confirmed_years_unless_asked(user):
    run("2025")
    confirm_years(CalendarYear.objects.filter(year=2025), user)
    CalendarDay.objects.filter(date=dt.date(2025, 9, 2)).delete()
    assert "đã xác nhận, bỏ qua" in run("2025")
    out = run("2025", "--refresh-confirmed")
    assert "thêm 1" in out and "cần xác nhận lại" in out
    assert CalendarYear.objects.get(year=2025).confirmed is False


def test_it_refuses_years_outside_the_package_range():
    with pytest.raises(CommandError):
        run("1800")


def test_it_flags_unconfirmed_and_missing_years(centre, user):
    start = at("2026-04-24 09:15")
    info = due_for(centre, start, 1, "working_days")
    assert info.due == at("2026-04-28 09:15")  # from the package: no rows yet
    assert (info.confirmed, info.unconfirmed_years) == (False, (2026,))
    run("2026")
    assert due_for(centre, start, 1, "working_days").confirmed is False
    confirm_years(CalendarYear.objects.filter(year=2026), user)
    year = CalendarYear.objects.get(year=2026)
    assert (year.confirmed, year.confirmed_by, year.confirmed_at is not None) == (True, user, True)
    info = due_for(centre, start, 1, "working_days")
    assert (info.confirmed, info.unconfirmed_years) == (True, ())
    # A count that runs into 2027 depends on 2027 too.
    info = due_for(centre, at("2026-12-30 09:00"), 5, "working_days")
    assert info.due == at("2027-01-07 09:00")
    assert (info.confirmed, info.unconfirmed_years) == (False, (2027,))


def test_it_sees_calendar_changes_at_once(centre):
    run("2026")
    start = at("2026-03-02 09:15")
    assert due_for(centre, start, 1, "working_days").due == at("2026-03-03 09:15")
    day = CalendarDay.objects.create(date=dt.date(2026, 3, 3), kind="extra_day_off", name="Bão")
    assert due_for(centre, start, 1, "working_days").due == at("2026-03-04 09:15")
    day.active = False
    day.save()
    assert due_for(centre, start, 1, "working_days").due == at("2026-03-03 09:15")
    day.delete()
    assert due_for(centre, start, 1, "working_days").due == at("2026-03-03 09:15")


def test_it_uses_an_emptied_year_from_the_database_not_from_the_package(centre):
    run("2026")
    CalendarDay.objects.filter(date__year=2026).delete()
    assert due_for(centre, at("2026-04-24 09:15"), 1, "working_days").due == at("2026-04-27 09:15")


def test_it_ensures_years_lazily_or_for_good():
    run("2026")
    assert ensure_years([2026, 2027]) == {2027}
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert year_status([2026, 2027]) == {2026: False, 2027: False}
    assert ensure_years([2027], persist=True) == {2027}
    assert CalendarDay.objects.filter(date=dt.date(2027, 5, 3), kind="compensatory").exists()
    assert ensure_years([2027]) == set()


def make_hours(agency, periods, **kwargs) -> OfficeHours:
    hours = OfficeHours.objects.create(agency=agency, **kwargs)
    for weekday, opens, closes in periods:
        OfficePeriod.objects.create(office_hours=hours, weekday=weekday, opens=opens, closes=closes)
    return hours


SATURDAY_MORNING = [
    *[(w, dt.time(7), dt.time(11)) for w in range(6)],
    *[(w, dt.time(13), dt.time(17)) for w in range(5)],
]


def test_it_follows_office_hours_down_the_agency_tree(centre):
    province = Agency.objects.create(unit_code="000.00.00.H12", name="UBND tỉnh", kind="province")
    centre.parent = province
    centre.save()
    commune = Agency.objects.create(unit_code="000.01.02.H12", name="UBND xã", kind="commune", parent=centre)
    start = at("2026-03-06 13:00")  # Friday afternoon
    assert due_for(commune, start, 1, "working_days").due == at("2026-03-09 11:00")
    make_hours(province, SATURDAY_MORNING)
    assert due_for(commune, start, 1, "working_days").due == at("2026-03-07 11:00")
    assert due_for(centre, start, 1, "working_days").due == at("2026-03-07 11:00")
    # The commune sets its own hours; then chooses to follow its parent again.
    own = make_hours(commune, [(w, dt.time(8), dt.time(16)) for w in range(5)])
    assert due_for(commune, start, 1, "working_days").due == at("2026-03-09 13:00")
    assert calendar_for(commune).daily_hours == 8
    own.follow_parent = True
    own.save()
    assert due_for(commune, start, 1, "working_days").due == at("2026-03-07 11:00")
    # Unrelated agencies keep the default.
    other = Agency.objects.create(unit_code="000.00.09.H12", name="Sở khác", kind="department")
    assert due_for(other, start, 1, "working_days").due == at("2026-03-09 11:00")


def test_it_uses_the_agencys_daily_hours_for_working_days(centre):
    make_hours(centre, [(w, dt.time(7), dt.time(17)) for w in range(5)], daily_working_hours=Decimal(8))
    assert due_for(centre, at("2026-03-02 07:00"), 1, "working_days").due == at("2026-03-02 15:00")


def test_it_survives_overlapping_periods_entered_by_mistake(centre):
    make_hours(centre, [(0, dt.time(7), dt.time(12)), (0, dt.time(11), dt.time(17))])
    assert due_for(centre, at("2026-03-02 07:00"), 10, "working_hours").due == at("2026-03-02 17:00")


def test_it_shares_calendars_between_calls(centre):
    assert calendar_for(centre) is calendar_for(centre)
    services.clear_cache()
    assert calendar_for(centre) == calendar_for(None)


def test_it_interprets_naive_times_as_vietnam_time(centre):
    info = due_for(centre, dt.datetime(2026, 3, 2, 9, 15), 3, "working_days")
    assert info.due == at("2026-03-05 09:15")
    assert info.start == at("2026-03-02 09:15")


def make_case(centre, amount, unit, cutoff=None):
    from motcua.catalog.models import Procedure, ProcedureCase, ProcedureVersion, Sector

    sector = Sector.objects.create(code="HT", name="Hộ tịch")
    procedure = Procedure.objects.create(code="2.000635")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        name="Cấp bản sao trích lục hộ tịch",
        sector=sector,
        agency=centre,
        receiving_agency=centre,
    )
    return ProcedureCase.objects.create(
        version=version, name="Chung", time_amount=amount, time_unit=unit, cutoff_time=cutoff
    )


@pytest.mark.parametrize(
    ("amount", "unit", "cutoff", "start", "expected"),
    [
        (Decimal("3"), "working_days", None, "2026-04-29 09:15", "2026-05-06 09:15"),
        (Decimal("3"), "working_days", dt.time(15), "2026-04-29 15:30", "2026-05-06 17:00"),
        (Decimal("0"), "same_day", None, "2026-04-29 15:30", "2026-05-04 17:00"),
        (Decimal("0"), "same_day", dt.time(16), "2026-04-29 15:30", "2026-04-29 17:00"),
        (Decimal("0.5"), "working_days", None, "2026-03-02 09:15", "2026-03-02 15:15"),
        (Decimal("15"), "days", None, "2026-08-16 10:00", "2026-09-03 17:00"),
        (Decimal("1"), "months", None, "2026-07-31 10:00", "2026-09-03 17:00"),
    ],
)
def test_it_computes_the_due_time_of_a_procedure_case(centre, amount, unit, cutoff, start, expected):
    case = make_case(centre, amount, unit, cutoff)
    info = due_for_case(case, at(start))
    assert info.due == at(expected)
    assert info.confirmed is False


def test_it_counts_a_case_from_now_by_default(centre):
    case = make_case(centre, Decimal("1"), "working_hours")
    info = due_for_case(case)
    assert info.due > info.start
    assert info.due.utcoffset() == dt.timedelta(hours=7)


def test_it_keeps_the_year_of_a_day_in_step_with_its_date():
    day = CalendarDay.objects.create(date=dt.date(2028, 6, 1), kind="extra_day_off", name="Nghỉ")
    assert day.calendar_year.year == 2028
    day.date = dt.date(2029, 6, 1)
    day.save()
    assert day.calendar_year.year == 2029
    assert CalendarDay.objects.get(pk=day.pk).calendar_year.year == 2029
