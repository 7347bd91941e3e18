"""Which ledger (sổ theo dõi hồ sơ, form 07) a staff member sees: one agency's book for a period,
the same choice for the ledger page, its print and its spreadsheet exports."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from motcua.agencies.models import Agency

from .pages import date_param

MAX_LEDGER_DAYS = 366  # a year at most in one page or print


def ledger_period(request) -> tuple[dt.date, dt.date]:
    """The period of the ledger page and its print (the same clamping for both)."""
    today = timezone.localdate()
    start = date_param(request.GET.get("from"), today.replace(day=1))
    end = date_param(request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    return max(start, end - dt.timedelta(days=MAX_LEDGER_DAYS - 1)), end


def ledger_agencies(staff) -> QuerySet[Agency]:
    """The books a user may open: their agencies' (and those they supervise); any for a superuser."""
    if getattr(staff.user, "is_superuser", False):
        return Agency.objects.all()
    return Agency.objects.filter(pk__in={a.agency_id for a in staff.agencies} | staff.extra_scope_ids())


def ledger_agency(request) -> Agency | None:
    """The agency whose book the page shows and form 07 prints: `?agency=` when it is one of the
    user's, else the current agency (the switcher's) or their first; None for a superuser who
    has not chosen."""
    staff = request.staff
    raw = request.GET.get("agency", "")
    wanted = int(raw) if raw.isdigit() and len(raw) <= 12 else None  # an id, never a database overflow
    allowed = ledger_agencies(staff).select_related("parent")
    chosen = allowed.filter(pk=wanted).first() if wanted else None
    if chosen is None and staff.agency_ids:
        chosen = allowed.filter(pk=staff.agency_ids[0]).first()
    return chosen
