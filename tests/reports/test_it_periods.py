"""Reporting periods: presets, typed dates, and the periods refused with a message."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.reports.periods import Period, PeriodError, parse

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(("params", "start", "end"), [
    ({}, dt.date(2026, 11, 1), TODAY),
    ({"ky": "thang"}, dt.date(2026, 11, 1), TODAY),
    ({"ky": "thang-truoc"}, dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    ({"ky": "quy"}, dt.date(2026, 10, 1), TODAY),
    ({"ky": "nam"}, dt.date(2026, 1, 1), TODAY),
    ({"tu": "2026-03-01", "den": "2026-03-31"}, dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ({"tu": "01/03/2026", "den": "31/03/2026"}, dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ({"tu": "2026-03-01"}, dt.date(2026, 3, 1), TODAY),  # no end: up to today
    ({"tu": "2026-03-01", "den": "2026-03-31", "ky": "nam"}, dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
])
def test_it_reads_presets_and_dates(params, start, end):
    period = parse(params, TODAY)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"tu": "2026-03-31", "den": "2026-03-01"}, "den", "đứng trước ngày bắt đầu"),
    ({"tu": "2020-01-01", "den": "2026-01-01"}, "den", "dài quá 5 năm"),
    ({"tu": "1999-12-31", "den": "2000-01-10"}, "tu", "từ 01/01/2000"),
    ({"tu": "2026-11-01", "den": "2026-12-01"}, "den", "không được sau hôm nay"),
    ({"tu": "2026-02-30", "den": "2026-03-01"}, "tu", "không đúng định dạng"),
    ({"tu": "hôm qua"}, "tu", "không đúng định dạng"),
    ({"den": "2026-03-01"}, "tu", "Cần nhập ngày bắt đầu"),
    ({"ky": "tuan"}, "ky", "Kỳ báo cáo không hợp lệ"),
    ({"tu": "2026-03-01\x00", "den": "2026-03-02"}, "tu", "không đúng định dạng"),
])
def test_it_refuses_bad_periods_with_a_message(params, field, words):
    with pytest.raises(PeriodError) as info:
        parse(params, TODAY)
    assert info.value.field == field
    assert words in info.value.message


def test_a_period_covers_whole_local_days():
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert period.since.isoformat() == "2026-03-01T00:00:00+07:00"
    assert period.until.isoformat() == "2026-04-01T00:00:00+07:00"
    assert period.days == 31
    now = dt.datetime(2026, 3, 15, tzinfo=dt.UTC)
    assert period.reference(now) == now  # a period that has not ended is judged now
    assert parse({"tu": "2021-11-28", "den": "2026-11-27"}, TODAY).days > 1800  # just under 5 years is fine
