"""The frame of every staff page: the rendering with the staff context (the current agency, the
calendar warning, the time the timeliness badges compare with), pagination and query cleaning."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.utils import timezone

from motcua.core.dates import parse_iso_date
from motcua.dossiers.models import Status
from motcua.worktime.services import year_status

PAGE_SIZE = 25
LIST_RELATED = ("procedure_version__procedure", "current_step", "assignee", "handling_agency", "agency")
OPEN = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)


def clean_text(value: str | None, limit: int) -> str:
    value = (value or "")[: limit * 4]
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())[:limit]


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    page = Paginator(queryset, per_page).get_page((request.GET.get("page") or "")[:10])
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def current_time() -> dt.datetime:
    """Now (one place, so tests can move the clock the timeliness badges compare with)."""
    return timezone.now()


def calendar_warning(staff) -> list[int]:
    """Years (this one and the next) whose working calendar an admin has not confirmed yet."""
    if not staff.supervises:
        return []
    year = timezone.localdate().year
    return [y for y, confirmed in sorted(year_status([year, year + 1]).items()) if not confirmed]


def staff_render(request, template: str, context: dict, status: int = 200):
    staff = request.staff
    context = {
        "staff": staff,
        "now": current_time(),
        "unconfirmed_years": calendar_warning(staff),
        "nav": request.resolver_match.url_name if request.resolver_match else "",
        "open_statuses": OPEN,
        **context,
    }
    return render(request, template, context, status=status)


def date_param(value: str | None, default: dt.date) -> dt.date:
    return parse_iso_date((value or "")[:10]) or default
