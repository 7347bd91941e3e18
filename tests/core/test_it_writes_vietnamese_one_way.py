"""Weekdays ("Thứ Hai" … "Chủ nhật") and money ("25.000 đồng") are written one way: the helpers of
core.dates and core.money, the `vietnamese` template filters, and no template that formats them
another way (Django's "l" weekday gives "Thứ 2"; "VND", "VNĐ", "25.000đ" are other spellings)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from motcua.core import dates, money
from motcua.worktime.models import OfficePeriod

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
# Monday 30 November 2026 to Sunday 6 December 2026.
WEEK = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def test_each_day_of_a_week_has_its_vietnamese_name():
    assert [dates.weekday_name(dt.date(2026, 11, 30) + dt.timedelta(days=i)) for i in range(7)] == WEEK


def test_an_instant_is_named_in_viet_nam_time():
    # 18:30 UTC on Sunday 6 December is 01:30 on Monday 7 December in Viet Nam.
    assert dates.weekday_datetime(dt.datetime(2026, 12, 6, 18, 30, tzinfo=dt.UTC)) == "Thứ Hai, 07/12/2026 01:30"
    assert dates.weekday_datetime(None) == ""
    assert dates.weekday_date(dt.date(2026, 12, 6)) == "Chủ nhật, 06/12/2026"


def test_english_pages_get_english_weekdays():
    with translation.override("en"):
        assert dates.weekday_name(dt.date(2026, 12, 6)) == "Sunday"
        assert dates.weekday_name(dt.date(2026, 11, 30)) == "Monday"


def test_office_hours_use_the_same_weekday_names():
    assert [str(label) for _value, label in OfficePeriod.Weekday.choices] == WEEK


@given(st.integers(min_value=0, max_value=10**13))
def test_money_is_grouped_with_dots_and_written_in_dong(amount):
    text = money.vnd(amount)
    number, unit = text.split(" ")
    assert unit == "đồng"
    assert int(number.replace(".", "")) == amount
    assert all(len(group) == 3 for group in number.split(".")[1:])


def render(source: str, **context) -> str:
    return Template("{% load vietnamese %}" + source).render(Context(context))


def test_the_template_filters():
    assert render("{{ a|dong }}", a=25000) == "25.000 đồng"
    assert render("{{ a|dong }}", a="không phải số") == ""
    when = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    assert render("{{ w|weekday_datetime }}", w=when) == "Thứ Sáu, 27/11/2026 15:00"
    assert render("{{ d|weekday }}|{{ d|weekday_date }}", d=dt.date(2026, 12, 6)) == "Chủ nhật|Chủ nhật, 06/12/2026"
    assert render("{{ d|weekday_datetime }}{{ d|weekday }}", d="2026-12-06") == ""


def _templates():
    return list(SRC.rglob("templates/**/*.html"))


# Other ways of writing a weekday or an amount, as they were found in templates and code.
# Django's "l" and "D" name the weekday; a named format such as "SHORT_DATE_FORMAT" does not.
WEEKDAY_FORMAT = re.compile(r"""\|date:["'](?![A-Z_]+["'])[^"']*[lD][^"']*["']""")
MONEY_VARIANTS = re.compile(r"\b(VND|VNĐ|vnđ)\b|\}\}\s?đ(?!ồ)\b|\d(đ|đ)\b")


def test_no_template_formats_weekdays_or_money_another_way():
    assert _templates(), "the templates were not found"
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (WEEKDAY_FORMAT, MONEY_VARIANTS):
            found += [f"{path.relative_to(SRC)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def test_the_patterns_catch_what_they_are_for():
    assert WEEKDAY_FORMAT.search('{{ d|date:"H:i l, d/m/Y" }}')
    assert WEEKDAY_FORMAT.search("{{ d|date:'D d/m' }}")
    assert not WEEKDAY_FORMAT.search('{{ d|date:"d/m/Y" }}')
    assert not WEEKDAY_FORMAT.search('{{ d|date:"SHORT_DATE_FORMAT" }}')
    for variant in ("{{ a|vnd }} VND", "25.000 VNĐ", "{{ a }} đ</td>", "25000đ "):
        assert MONEY_VARIANTS.search(variant), variant
    assert not MONEY_VARIANTS.search("{{ a }} đồng")
