"""The calendar in Django admin: confirming years, editing days, office hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from motcua.agencies.models import Agency
from motcua.worktime.models import CalendarDay, CalendarYear, OfficeHours, OfficePeriod
from motcua.worktime.services import generate_calendar_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="admin", password="x-motcua-test")
    client.force_login(user)
    client.user = user
    return client


def test_it_registers_every_model():
    for model in (CalendarYear, CalendarDay, OfficeHours, OfficePeriod):
        if model is OfficePeriod:
            continue  # edited inline in office hours
        assert admin.site.is_registered(model)


def test_it_confirms_years_with_an_admin_action(admin_client):
    generate_calendar_year(2026)
    year = CalendarYear.objects.get(year=2026)
    response = admin_client.post(
        reverse("admin:worktime_calendaryear_changelist"),
        {"action": "confirm", "_selected_action": [year.pk]},
        follow=True,
    )
    assert response.status_code == 200
    year.refresh_from_db()
    assert year.confirmed and year.confirmed_by == admin_client.user and year.confirmed_at
    admin_client.post(
        reverse("admin:worktime_calendaryear_changelist"), {"action": "unconfirm", "_selected_action": [year.pk]}
    )
    year.refresh_from_db()
    assert not year.confirmed and year.confirmed_by is None


def test_it_shows_the_admin_pages(admin_client):
    generate_calendar_year(2026)
    year = CalendarYear.objects.get(year=2026)
    for url in (
        reverse("admin:worktime_calendaryear_changelist"),
        reverse("admin:worktime_calendaryear_change", args=[year.pk]),
        reverse("admin:worktime_calendarday_changelist"),
        reverse("admin:worktime_calendarday_add"),
        reverse("admin:worktime_officehours_changelist"),
        reverse("admin:worktime_officehours_add"),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_it_generates_the_days_of_a_year_added_in_admin(admin_client):
    response = admin_client.post(
        reverse("admin:worktime_calendaryear_add"),
        {
            "year": "2027",
            "note": "",
            "days-TOTAL_FORMS": "0",
            "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=dt.date(2027, 5, 3), source="generated").exists()


def test_it_marks_a_day_edited_in_admin_as_manual(admin_client):
    generate_calendar_year(2026)
    day = CalendarDay.objects.get(date=dt.date(2026, 11, 24))
    response = admin_client.post(
        reverse("admin:worktime_calendarday_change", args=[day.pk]),
        {
            "date": "2026-11-24",
            "kind": "holiday",
            "name": day.name,
            "swapped_with": "",
        },
    )  # "active" unticked: keep the row but do not apply it
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.active, day.source) == (False, "manual")
    generate_calendar_year(2026)
    day.refresh_from_db()
    assert day.active is False


def test_it_fills_default_hours_for_new_office_hours(admin_client):
    agency = Agency.objects.create(unit_code="000.01.02.H12", name="UBND xã", kind="commune")
    response = admin_client.post(
        reverse("admin:worktime_officehours_add"),
        {
            "agency": agency.pk,
            "daily_working_hours": "",
            "periods-TOTAL_FORMS": "0",
            "periods-INITIAL_FORMS": "0",
            "periods-MIN_NUM_FORMS": "0",
            "periods-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert OfficePeriod.objects.filter(office_hours__agency=agency).count() == 10
