import datetime as dt

from motcua.core.dates import TZ, iso, parse_iso_date, parse_iso_datetime


def test_it_writes_instants_in_viet_nam_time():
    assert iso(dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)) == "2026-03-09T17:00:00+07:00"
    assert iso(None) is None


def test_it_reads_iso_dates_and_times_and_gives_none_for_anything_else():
    assert parse_iso_date("2026-03-09") == dt.date(2026, 3, 9)
    assert parse_iso_date("2026-02-30") is None
    assert parse_iso_date("") is None and parse_iso_date(None) is None
    assert parse_iso_datetime("2026-03-09T17:00:00+07:00") == dt.datetime(2026, 3, 9, 17, tzinfo=TZ)
    assert parse_iso_datetime("hôm qua") is None
