"""Money and weekdays in templates, written one way everywhere: "25.000 đồng", "Thứ Hai, 30/11/2026".

    {% load vietnamese %}
    {{ amount|dong }}          -> 25.000 đồng ("" for a value that is not a whole number)
    {{ instant|weekday_datetime }} -> Thứ Năm, 27/11/2026 15:00
    {{ day|weekday_date }}     -> Thứ Hai, 30/11/2026
    {{ day|weekday }}          -> Thứ Hai
"""

from __future__ import annotations

import datetime as dt

from django import template

from motcua.core import dates, money

register = template.Library()


@register.filter
def dong(value) -> str:
    try:
        return money.vnd(int(value or 0))
    except (TypeError, ValueError):
        return ""


@register.filter
def weekday(value) -> str:
    return dates.weekday_name(value) if isinstance(value, dt.date) else ""


@register.filter
def weekday_datetime(value) -> str:
    return dates.weekday_datetime(value) if isinstance(value, dt.datetime) else ""


@register.filter
def weekday_date(value) -> str:
    return dates.weekday_date(value) if isinstance(value, dt.date) else ""
