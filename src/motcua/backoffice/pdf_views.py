"""The official forms of a dossier (01–07, 07 being the ledger of the day it was received) and the
ledger of any period as PDFs for the counter's printer."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from motcua.audit import log_access
from motcua.dossiers import paperwork
from motcua.staff.access import dossier_or_404, staff_required
from motcua.staff.ledger import ledger_agency, ledger_period


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
    """Form 07 of the agency and period the ledger page shows (the same choice, `views.ledger_agency`)."""
    start, end = ledger_period(request)
    agency = ledger_agency(request)
    if agency is None:
        raise Http404("no agency chosen for the ledger")
    content = paperwork.ledger(agency, start, end)
    return _pdf(content, f"so-theo-doi-{agency.unit_code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
