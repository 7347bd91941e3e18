"""Small display helpers for the portal templates: fees, processing times, service levels (money and
weekdays are written by core's `vietnamese` library)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.catalog.fees import Rule, fee_words
from motcua.catalog.presentation import fee_display, time_display

register = template.Library()


@register.filter
def fee(amount_vnd) -> str:
    """75000 -> '75.000 đồng'; 0 -> 'Miễn phí'."""
    return fee_display(int(amount_vnd or 0))


@register.filter
def fee_rule(fee_obj) -> str:
    """How a fee's amount is reckoned, in words ('' for one flat amount per dossier)."""
    return "" if Rule.of(fee_obj).flat else fee_words(fee_obj)


@register.filter
def case_time(case) -> str:
    """A case's legal processing time in words: '10 ngày làm việc', 'Trong ngày'."""
    return time_display(case)


@register.filter
def case_times(cases) -> str:
    """The distinct processing times of a procedure's cases, joined: '3 ngày làm việc'."""
    seen: list[str] = []
    for case in cases:
        text = time_display(case)
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def _number(value) -> str:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


@register.filter
def working_hours(value) -> str:
    """A workflow step's quota: '4 giờ làm việc'."""
    try:
        n = int(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        n = 0
    return ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", n) % {"n": _number(value)}


@register.filter
def http_url(value) -> str:
    """The URL if it is a web address (http or https), else '' (no javascript: links)."""
    text = str(value or "").strip()
    return text if urlsplit(text).scheme.lower() in {"http", "https"} else ""


@register.filter
def hhmm(value) -> str:
    return value.strftime("%H:%M") if isinstance(value, dt.time) else ""


@register.filter
def level_short(level) -> str:
    return _("Mức độ %(n)s") % {"n": level}


@register.filter
def level_description(level) -> str:
    descriptions = {
        1: _("Cung cấp đầy đủ thông tin về thủ tục."),
        2: _("Thông tin và tải biểu mẫu, tờ khai để điền sẵn."),
        3: _("Nộp hồ sơ trực tuyến; nộp phí và nhận kết quả tại nơi tiếp nhận."),
        4: _("Nộp hồ sơ, thanh toán trực tuyến; nhận kết quả điện tử hoặc qua bưu chính."),
    }
    try:
        return descriptions.get(int(level), "")
    except (TypeError, ValueError):
        return ""


@register.filter
def subjects(version) -> str:
    """Who a procedure is for: 'Công dân', 'Tổ chức, doanh nghiệp' or both."""
    parts = []
    if version.for_citizens:
        parts.append(_("Công dân"))
    if version.for_businesses:
        parts.append(_("Tổ chức, doanh nghiệp"))
    return ", ".join(parts)
