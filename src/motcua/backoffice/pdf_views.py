"""The official forms of a dossier (01–07, 07 being the ledger of the day it was received) and the
ledger of any period as PDFs for the counter's printer."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from motcua.agencies.models import Agency
from motcua.audit import log_access
from motcua.dossiers import paperwork
from motcua.staff.access import dossier_or_404, staff_required
from motcua.staff.pages import date_param

MAX_LEDGER_DAYS = 366


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required
def form_pdf(request, code: str, number: str):
    dossier = dossier_or_404(request, code)
    layout = "80mm" if request.GET.get("layout") == "80mm" else "a4"
    try:
        if number not in paperwork.forms_for(dossier, request.user):  # the API's rule too
            raise paperwork.FormNotAvailable(number)
        content = paperwork.render(dossier, number, layout=layout)
    except paperwork.FormNotAvailable:
        raise Http404("this dossier has no such form") from None
    log_access(request, dossier, "download")
    return _pdf(content, f"{dossier.code}-mau-{number}.pdf")


@require_safe
@staff_required
def ledger_pdf(request):
    staff = request.staff
    today = timezone.localdate()
    start = date_param(request.GET.get("from"), today.replace(day=1))
    end = date_param(request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    # One book per agency; a year at most in one print.
    start = max(start, end - dt.timedelta(days=MAX_LEDGER_DAYS - 1))
    raw = request.GET.get("agency", "")
    wanted = int(raw) if raw.isdigit() and len(raw) <= 12 else None  # an id, never a database overflow
    agencies = Agency.objects.select_related("parent")
    if getattr(staff.user, "is_superuser", False):
        # Any agency's book, named by ?agency=; else one of their own agencies, if they have one.
        agency = agencies.filter(pk__in=[wanted] if wanted else staff.agency_ids[:1]).first()
    else:
        allowed = set(staff.agency_ids) | staff.extra_scope_ids()
        agency = agencies.filter(pk=wanted if wanted in allowed else staff.agency_ids[0]).first()
    if agency is None:
        raise Http404("no agency chosen for the ledger")
    content = paperwork.ledger(agency, start, end)
    return _pdf(content, f"so-theo-doi-{agency.unit_code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
