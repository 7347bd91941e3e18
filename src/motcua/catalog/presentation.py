"""How catalogue values are shown to citizens: money, processing time."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.core.money import vnd

from .models import ProcedureCase, TimeUnit


def fee_display(amount_vnd: int) -> str:
    return _("Miễn phí") if not amount_vnd else vnd(amount_vnd)


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def time_display(case: ProcedureCase) -> str:
    """'10 ngày làm việc', 'Trong ngày', '4 giờ làm việc', '30 ngày', '2 tháng'."""
    amount = Decimal(case.time_amount)
    n = int(amount) if amount == amount.to_integral_value() else 2
    num = _number(amount)
    unit = case.time_unit
    if unit == TimeUnit.SAME_DAY:
        return _("Trong ngày")
    if unit == TimeUnit.WORKING_DAYS:
        return ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", n) % {"n": num}
    if unit == TimeUnit.WORKING_HOURS:
        return ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", n) % {"n": num}
    if unit == TimeUnit.DAYS:
        return ngettext("%(n)s ngày", "%(n)s ngày", n) % {"n": num}
    return ngettext("%(n)s tháng", "%(n)s tháng", n) % {"n": num}
