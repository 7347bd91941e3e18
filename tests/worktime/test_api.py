"""GET /api/v1/worktime/due (docs/architecture.md §9)."""

from __future__ import annotations

import pytest

from motcua.agencies.models import Agency
from motcua.worktime.models import CalendarYear
from motcua.worktime.services import confirm_years, generate_calendar_year

pytestmark = pytest.mark.django_db

URL = "/api/v1/worktime/due"
CODE = "000.00.01.H12"


@pytest.fixture
def centre():
    return Agency.objects.create(unit_code=CODE, name="Trung tâm Phục vụ hành chính công", kind="service_centre")


def get(client, **params):
    return client.get(URL, {"agency": CODE, "unit": "working_days", **params})


def test_it_answers_the_due_time_in_iso_8601_with_the_vietnam_offset(client, centre):
    response = get(client, start="2026-04-24T09:15:00+07:00", amount="1")
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-04-28T09:15:00+07:00"  # Giỗ Tổ on Sunday -> Monday off
    assert body["calendar_confirmed"] is False
    assert body["unconfirmed_years"] == [2026]
    assert body["agency"] == CODE
    assert body["start"] == "2026-04-24T09:15:00+07:00"
    assert (body["amount"], body["unit"], body["cutoff"]) == ("1", "working_days", None)


@pytest.mark.parametrize(
    ("params", "due"),
    [
        ({"start": "2026-03-02T09:15", "amount": "3"}, "2026-03-05T09:15:00+07:00"),
        ({"start": "2026-03-02T02:15:00Z", "amount": "3"}, "2026-03-05T09:15:00+07:00"),
        ({"start": "2026-03-02T15:30:00+07:00", "amount": "3", "cutoff": "15:00"}, "2026-03-05T17:00:00+07:00"),
        ({"start": "2026-03-02T15:30:00+07:00", "amount": "0", "unit": "same_day"}, "2026-03-03T17:00:00+07:00"),
        ({"start": "2026-03-02T09:15:00+07:00", "amount": "0.5"}, "2026-03-02T15:15:00+07:00"),
        ({"start": "2026-03-02T09:15:00+07:00", "amount": "2", "unit": "working_hours"}, "2026-03-02T13:15:00+07:00"),
        ({"start": "2026-08-16T10:00:00+07:00", "amount": "15", "unit": "days"}, "2026-09-03T17:00:00+07:00"),
        ({"start": "2026-07-31T10:00:00+07:00", "amount": "1", "unit": "months"}, "2026-09-03T17:00:00+07:00"),
    ],
)
def test_it_computes_every_unit(client, centre, params, due):
    response = get(client, **params)
    assert response.status_code == 200, response.json()
    assert response.json()["due"] == due


def test_it_reads_an_unencoded_plus_sign_in_the_offset(client, centre):
    response = client.get(f"{URL}?agency={CODE}&start=2026-03-02T09:15:00+07:00&amount=3&unit=working_days")
    assert response.status_code == 200
    assert response.json()["due"] == "2026-03-05T09:15:00+07:00"


def test_it_says_when_the_calendar_is_confirmed(client, centre, django_user_model):
    generate_calendar_year(2026)
    admin = django_user_model.objects.create_user(username="quantri", password="x-motcua-test")
    confirm_years(CalendarYear.objects.filter(year=2026), admin)
    body = get(client, start="2026-04-24T09:15:00+07:00", amount="1").json()
    assert (body["calendar_confirmed"], body["unconfirmed_years"]) == (True, [])
    body = get(client, start="2026-12-30T09:15:00+07:00", amount="5").json()
    assert body["due"] == "2027-01-07T09:15:00+07:00"
    assert (body["calendar_confirmed"], body["unconfirmed_years"]) == (False, [2027])


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"agency": "999.99.99.H99", "start": "2026-03-02T09:15", "amount": "1"}, "agency"),
        ({"start": "02/03/2026 09:15", "amount": "1"}, "start"),
        ({"start": "2026-13-02T09:15", "amount": "1"}, "start"),
        ({"start": "2026-03-02T09:15", "amount": "-1"}, "amount"),
        ({"start": "2026-03-02T09:15", "amount": "ba"}, "amount"),
        ({"start": "2026-03-02T09:15", "amount": "NaN"}, "amount"),
        ({"start": "2026-03-02T09:15", "amount": "1e9"}, "amount"),
        ({"start": "2026-03-02T09:15", "amount": "1", "unit": "weeks"}, "unit"),
        ({"start": "2026-03-02T09:15", "amount": "1", "cutoff": "25:00"}, "cutoff"),
        ({"start": "2026-03-02T09:15", "amount": "1", "cutoff": "3pm"}, "cutoff"),
        ({"start": "9999-12-31T09:15", "amount": "5", "unit": "days"}, "amount"),
    ],
)
def test_it_refuses_bad_input_with_a_vietnamese_json_error(client, centre, params, parameter):
    response = get(client, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == parameter
    assert parameter in error["message"]
    assert "Tham số" in error["message"]


def test_it_refuses_a_missing_parameter(client, centre):
    response = client.get(URL, {"agency": CODE, "unit": "working_days", "amount": "1"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert "start" in response.json()["error"]["message"]


def test_it_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/worktime/due" in schema["paths"]
