"""Money and weekdays in templates, written one way everywhere: "25.000 đồng", "Thứ Hai, 30/11/2026".

    {% load vietnamese %}
    {{ amount|dong }}          -> 25.000 đồng ("" for a value that is not a whole number)
    {{ amount|dong_plain }}    -> 25.000 (the sentence around it says "đồng")
    {{ instant|weekday_datetime }} -> Thứ Năm, 27/11/2026 15:00
    {{ day|weekday_date }}     -> Thứ Hai, 30/11/2026
    {{ day|weekday }}          -> Thứ Hai

This is the only template library that writes them (tests/core/test_it_writes_vietnamese_one_way.py).
An aware datetime is named in Viet Nam time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template

from motcua.core import dates, money

register = template.Library()


def _whole(value) -> int | None:
    """A whole number of đồng, or None: blank, text that is not a number, a fraction (12.7 is not
    silently written as 12), NaN, infinity or a boolean."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount != amount.to_integral_value():
        return None
    return int(amount)


@register.filter
def dong(value) -> str:
    amount = _whole(value)
    return "" if amount is None else money.vnd(amount)


@register.filter
def dong_plain(value) -> str:
    amount = _whole(value)
    return "" if amount is None else money.vnd(amount, unit="")


@register.filter
def weekday(value) -> str:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dates.TZ)
    if isinstance(value, dt.datetime):
        value = value.date()
    return dates.weekday_name(value) if isinstance(value, dt.date) else ""


@register.filter
def weekday_datetime(value) -> str:
    return dates.weekday_datetime(value) if isinstance(value, dt.datetime) else ""


@register.filter
def weekday_date(value) -> str:
    return dates.weekday_date(value) if isinstance(value, dt.date) else ""
