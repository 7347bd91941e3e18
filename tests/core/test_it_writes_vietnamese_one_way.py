"""Weekdays ("Thứ Hai" … "Chủ nhật") and money ("25.000 đồng") are written one way: the helpers of
core.dates and core.money, the `vietnamese` template filters, and no template that formats them
another way (Django's "l" weekday gives "Thứ 2"; "VND", "VNĐ", "25.000đ" are other spellings)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
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
    assert render("{{ a|dong_plain }}", a=25000) == "25.000"
    when = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    assert render("{{ w|weekday_datetime }}", w=when) == "Thứ Sáu, 27/11/2026 15:00"
    assert render("{{ d|weekday }}|{{ d|weekday_date }}", d=dt.date(2026, 12, 6)) == "Chủ nhật|Chủ nhật, 06/12/2026"
    assert render("{{ d|weekday_datetime }}{{ d|weekday }}", d="2026-12-06") == ""


def test_a_weekday_of_an_instant_is_the_weekday_in_viet_nam():
    # 18:30 UTC on Sunday 6 December is Monday in Viet Nam, as weekday_date and weekday_datetime say.
    sunday_evening_utc = dt.datetime(2026, 12, 6, 18, 30, tzinfo=dt.UTC)
    assert render("{{ w|weekday }}", w=sunday_evening_utc) == "Thứ Hai"
    assert render("{{ w|weekday_date }}", w=sunday_evening_utc) == "Thứ Hai, 07/12/2026"
    assert render("{{ w|weekday }}", w=dt.datetime(2026, 12, 6, 18, 30)) == "Chủ nhật"  # naive: already local


@pytest.mark.parametrize("value", [None, "", 12.7, Decimal("12.7"), "12.7", "abc", True, float("nan"), float("inf")])
def test_money_that_is_not_a_whole_number_is_left_blank(value):
    # Not "0 đồng" for a missing amount, and not "12 đồng" for 12.7: nothing rather than a wrong figure.
    assert render("{{ a|dong }}|{{ a|dong_plain }}", a=value) == "|"


@pytest.mark.parametrize("value", [25000, "25000", Decimal("25000.00"), 25000.0, " 25000 "])
def test_a_whole_amount_in_any_type_is_written_the_one_way(value):
    assert render("{{ a|dong }}|{{ a|dong_plain }}", a=value) == "25.000 đồng|25.000"
    assert render("{{ a|dong }}", a=0) == "0 đồng"


# The filters that write money and weekdays, and the names older copies of them had.
ONE_WAY_FILTERS = {"dong", "dong_plain", "weekday", "weekday_date", "weekday_datetime", "vnd", "vnd_plain"}


def test_only_the_vietnamese_library_writes_money_and_weekdays():
    from django.template import engines

    libraries = engines["django"].engine.template_libraries
    assert ONE_WAY_FILTERS - {"vnd", "vnd_plain"} <= set(libraries["vietnamese"].filters)
    copies = {(name, f) for name, library in libraries.items() if name != "vietnamese"
              for f in library.filters if f in ONE_WAY_FILTERS}
    assert copies == set()


LOAD = re.compile(r"{%\s*load\s+([^%]*?)\s*%}")
USES_FILTER = re.compile(r"\|(" + "|".join(sorted(ONE_WAY_FILTERS, key=len, reverse=True)) + r")\b")


def test_every_template_that_writes_money_or_weekdays_loads_the_library():
    missing = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        if USES_FILTER.search(text):
            loaded = {name for m in LOAD.finditer(text) for name in m.group(1).split()}
            if "vietnamese" not in loaded:
                missing.append(str(path.relative_to(SRC)))
    assert missing == []


def _templates():
    return [*SRC.rglob("templates/**/*.html"), *SRC.rglob("templates/**/*.txt")]


# Other ways of writing a weekday or an amount, as they were found in templates and code.
# Django's "l" and "D" name the weekday; a named format such as "SHORT_DATE_FORMAT" does not.
WEEKDAY_FORMAT = re.compile(r"""\|date:["'](?![A-Z_]+["'])[^"']*[lD][^"']*["']""")
MONEY_VARIANTS = re.compile(r"\b(VND|VNĐ|vnđ)\b|\}\}\s?đ(?!ồ)\b|\d(đ|đ)\b")
# Django's floatformat does not group thousands in Vietnamese ("25000 đồng"): money goes through
# `dong` / `dong_plain`.
MONEY_FLOATFORMAT = re.compile(r"[\w.]*(?:fee|amount|vnd|price|cost|total|paid|due)[\w.]*\|floatformat\b[^\s%}]*",
                               re.IGNORECASE)
# Known exceptions (template path → the exact text allowed there); none today.
ALLOWED: dict[str, set[str]] = {}


def test_no_template_formats_weekdays_or_money_another_way():
    assert _templates(), "the templates were not found"
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(SRC).as_posix()
        for pattern in (WEEKDAY_FORMAT, MONEY_VARIANTS, MONEY_FLOATFORMAT):
            found += [f"{where}: {m.group(0)}" for m in pattern.finditer(text)
                      if m.group(0) not in ALLOWED.get(where, set())]
    assert found == []


def test_the_allowed_exceptions_are_still_there():
    # An entry whose text is gone must be removed, so the list never hides a new case.
    for where, texts in ALLOWED.items():
        text = (SRC / where).read_text(encoding="utf-8")
        assert all(t in text for t in texts), where


def test_the_patterns_catch_what_they_are_for():
    assert WEEKDAY_FORMAT.search('{{ d|date:"H:i l, d/m/Y" }}')
    assert WEEKDAY_FORMAT.search("{{ d|date:'D d/m' }}")
    assert not WEEKDAY_FORMAT.search('{{ d|date:"d/m/Y" }}')
    assert not WEEKDAY_FORMAT.search('{{ d|date:"SHORT_DATE_FORMAT" }}')
    for variant in ("{{ a|vnd }} VND", "25.000 VNĐ", "{{ a }} đ</td>", "25000đ "):
        assert MONEY_VARIANTS.search(variant), variant
    assert not MONEY_VARIANTS.search("{{ a }} đồng")
    for variant in ('fee=dossier.delivery_fee|floatformat:"g"', "{{ line.amount_vnd|floatformat:0 }}",
                    "total=due.total_vnd|floatformat"):
        assert MONEY_FLOATFORMAT.search(variant), variant
    assert not MONEY_FLOATFORMAT.search('q=step.quota_hours|floatformat:"-2"')
    assert not MONEY_FLOATFORMAT.search("{{ c.item.target|floatformat:0 }}")
    assert any(p.suffix == ".txt" for p in _templates()), "the notification templates are read too"
