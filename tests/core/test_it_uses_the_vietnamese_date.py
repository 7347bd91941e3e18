""""Today" is the date in Vietnam, whatever the process's time zone: between 00:00 and 07:00 ICT a
process on UTC is still on the previous day, and date.today() follows the process. Django sets the
process's zone to TIME_ZONE when it loads its settings, which hid the difference; the code no
longer depends on that."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
import time_machine

from motcua.eforms.schema import clean_data

# 06:30 on New Year's Day in Vietnam is 23:30 on New Year's Eve in UTC.
NEW_YEAR_MORNING = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _server_on_utc():
    """The process's own time zone (what date.today() follows) set to UTC, as on most servers."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    with time_machine.travel(NEW_YEAR_MORNING, tick=False):
        assert dt.date.today() == dt.date(2026, 12, 31)  # the trap this file is about
        yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_an_agency_that_opens_on_new_years_day_is_open_that_morning():
    from motcua.agencies.models import Agency

    agency = Agency(unit_code="000.00.99.H12", name="UBND xã mới", valid_from=dt.date(2027, 1, 1))
    assert agency.is_active()
    closing = Agency(unit_code="000.00.98.H12", name="UBND xã cũ", valid_to=dt.date(2026, 12, 31))
    assert not closing.is_active()


def test_a_date_no_later_than_today_accepts_new_years_day_that_morning():
    schema = [{"key": "dob", "label": "Ngày sinh", "type": "date", "validation": {"max_value": "today"}}]
    cleaned, errors = clean_data(schema, {"dob": "01/01/2027"})
    assert errors == {} and cleaned["dob"] == "2027-01-01"
    _cleaned, errors = clean_data(schema, {"dob": "02/01/2027"})
    assert "dob" in errors
