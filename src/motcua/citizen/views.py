"""The signed-in citizen's own dossiers (/ho-so-cua-toi/): list, dossier page, files and papers,
supplying missing documents, withdrawing.

Scope: every view looks the dossier up among `Dossier.owner == request.user` only, so another
citizen's dossier (or a file or paper of it) answers 404 exactly like an unknown code, and staff
accounts see here only what they submitted themselves (the back office is their place for
everything else). The writes go through `dossiers.actions` (which checks again), with the
dossier version the page showed, so a page left open while the counter acted is refused with a
clear message instead of acting on a state the citizen never saw.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.catalog.models import Component
from motcua.dossiers import actions, paperwork
from motcua.dossiers.errors import ConcurrentUpdate, DossierError, FileRefused
from motcua.dossiers.files import download_response, max_upload_bytes
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierFile, FileKind, Status
from motcua.dossiers.queries import RESULT_RELEASED, allowed_actions, visible_files
from motcua.feedback.forms import RatingForm, clean_code
from motcua.feedback.models import Rating

from . import integrations, supplement, timeline
from .forms import SupplyNoteForm, WithdrawForm

PAGE_SIZE = 20
# The official papers an applicant receives (01 receipt, 02 supplement request, 03 refusal,
# 04 apology and extension, 05 stop notice); 06 and 07 are the agency's own records.
PAPERS = {
    "01": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "05": gettext_lazy("Thông báo dừng giải quyết hồ sơ"),
}
RESULT_STATUSES = RESULT_RELEASED  # one rule with the wallet (dossiers.queries.owner_files)
OPEN = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
ENDED = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)
CONCURRENT = gettext_lazy("Hồ sơ vừa được cơ quan cập nhật. Vui lòng xem lại tình trạng mới rồi thao tác lại.")


def _own(request, code: str) -> Dossier:
    """The signed-in user's dossier with this code, or 404 (never another's)."""
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "agency", "handling_agency", "current_step")
        .filter(owner=request.user, code=clean_code(code)).first()
    )
    if dossier is None:
        raise Http404("no such dossier")
    return dossier


@require_safe
@login_required
@never_cache
def dossier_list(request):
    rated = Rating.objects.filter(dossier=OuterRef("pk"))
    queryset = (
        Dossier.objects.filter(owner=request.user)
        .select_related("procedure_version", "agency")
        .annotate(rated=Exists(rated))
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page((request.GET.get("page") or "")[:20])
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    fee_states = integrations.fee_states(page.object_list)
    for dossier in page.object_list:
        dossier.fee_state = fee_states.get(dossier.pk)
    return render(request, "citizen/list.html", {
        "page": page, "page_query": "", "drafts_url": integrations.drafts_url(),
    })


def _context(request, dossier: Dossier, **extra) -> dict:
    """Everything the dossier page shows."""
    now_allowed = allowed_actions(request.user, dossier)
    components = list(dossier.procedure_version.components.all())
    names = {c.pk: c.name for c in components}
    submitted = list(
        DossierFile.objects.filter(dossier=dossier, kind__in=(FileKind.COMPONENT, FileKind.SUPPLEMENT))
        .order_by("uploaded_at", "id")
    )
    for f in submitted:
        f.component_name = names.get(f.component_id, "")
    request_ = supplement.current_request(dossier) if dossier.status == Status.SUPPLEMENT_REQUESTED else None
    can_supply = Action.SUPPLY in now_allowed and request_ is not None
    rating = Rating.objects.filter(dossier=dossier).first()
    fees = integrations.fees(dossier) if dossier.status not in ENDED else integrations.Fees([], 0)
    back = reverse("citizen:dossier", args=[dossier.code])
    context = {
        "dossier": dossier,
        "entries": timeline.entries(timeline.dossier_events(dossier)),
        "papers": [(n, PAPERS[n]) for n in paperwork.forms_for(dossier, request.user) if n in PAPERS],
        "submitted_files": submitted,
        "results": integrations.result_files(dossier) if dossier.status in RESULT_STATUSES else [],
        "verify_url": integrations.verify_url(),
        "supplement": request_,
        "rows": supplement.rows_for(request_, components) if can_supply else [],
        "components": components,
        "can_supply": can_supply,
        "supply_form": SupplyNoteForm(initial={"version": dossier.version}),
        "can_withdraw": Action.WITHDRAW in now_allowed,
        "fees": fees,
        "fee_records": integrations.paid_and_refunds(dossier),
        "awaiting_payment": dossier.status == Status.AWAITING_PAYMENT,
        "fee_state": integrations.fee_state(dossier),
        "payment_url": integrations.payment_link(dossier, request.user, back) if fees.due_vnd else None,
        "rating": rating,
        "rating_form": RatingForm() if dossier.status == Status.RETURNED and rating is None else None,
        "next": back,
        "general_errors": [],
        "max_upload_mb": f"{max_upload_bytes() / 1024 / 1024:g}",
        "open_statuses": OPEN,
        "returned_status": Status.RETURNED,
    }
    context.update(extra)
    return context


@require_safe
@login_required
@never_cache
def dossier_detail(request, code: str):
    dossier = _own(request, code)
    return render(request, "citizen/dossier.html", _context(request, dossier))


@require_safe
@login_required
def dossier_file(request, code: str, file_id: int):
    """A file of the citizen's own dossier: what they submitted, or a result once there is one."""
    dossier = _own(request, code)
    file = visible_files(request.user, dossier).filter(pk=file_id).first()  # the rule of every door
    if file is None:
        raise Http404("no such file")
    if file.kind == FileKind.RESULT:
        offered = {r.file.pk for r in integrations.result_files(dossier)} if dossier.status in RESULT_STATUSES else ()
        if file.pk not in offered:
            raise Http404("no result yet")
    if not default_storage.exists(file.storage_key):
        raise Http404("missing file")
    response = download_response(file)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if file.kind == FileKind.RESULT and request.method == "GET":
        # The owner's first download of the result goes into the dossier's history (an event).
        actions.record_result_download(dossier, actor=request.user, file=file)
    return response


@require_safe
@login_required
def paper(request, code: str, number: str):
    """One of the official papers of the citizen's dossier, as a PDF."""
    dossier = _own(request, code)
    if number not in PAPERS or number not in paperwork.forms_for(dossier, request.user):
        raise Http404("no such paper")
    try:
        pdf = paperwork.render(dossier, number)
    except paperwork.FormNotAvailable as exc:
        raise Http404("no such paper") from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mau-{number}-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- supplement -----------------------------------------------------------------------------------


@require_POST
@login_required
def supply(request, code: str):
    dossier = _own(request, code)
    back = redirect("citizen:dossier", code=dossier.code)
    if Action.SUPPLY not in allowed_actions(request.user, dossier):
        messages.error(request, _("Hồ sơ hiện không ở trạng thái chờ bổ sung."))
        return back
    form = SupplyNoteForm(request.POST)
    form.is_valid()
    if "version" in form.errors or form.cleaned_data.get("version") != dossier.version:
        messages.error(request, CONCURRENT)  # a page older than the dossier (or a tampered one)
        return back
    components = list(Component.objects.filter(version_id=dossier.procedure_version_id))
    request_ = supplement.current_request(dossier)
    rows = supplement.rows_for(request_, components)
    general = supplement.read_rows(rows, request.POST, request.FILES, components)
    if not form.is_valid() or general or any(row.errors for row in rows):
        context = _context(request, dossier, rows=rows, supply_form=form, general_errors=general)
        return render(request, "citizen/dossier.html", context, status=400)

    version = dossier.version
    stored = 0
    try:
        for row in rows:
            component = supplement.component_of(row, components)
            for upload in row.files:
                result = actions.add_file(dossier, actor=request.user, upload=upload, name=upload.name,
                                          component=component, expected_version=version)
                version = result.dossier.version
                stored += 1
        actions.supply(dossier, actor=request.user, note=form.cleaned_data["note"], expected_version=version)
    except FileRefused as exc:  # checked above; only a race with a changed limit gets here
        messages.error(request, exc.message)
        return back
    except ConcurrentUpdate:
        messages.error(request, CONCURRENT)
        return back
    except DossierError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, _("Đã nộp bổ sung %(n)d tệp cho hồ sơ %(code)s. Hồ sơ được chuyển lại cho cơ quan "
                                "giải quyết.") % {"n": stored, "code": dossier.code})
    return back


# --- withdraw -------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@never_cache
def withdraw(request, code: str):
    dossier = _own(request, code)
    if Action.WITHDRAW not in allowed_actions(request.user, dossier):
        messages.error(request, _("Hồ sơ này không thể rút ở trạng thái «%(status)s».")
                       % {"status": dossier.get_status_display()})
        return redirect("citizen:dossier", code=dossier.code)
    form = WithdrawForm(initial={"version": dossier.version})
    status = 200
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                actions.withdraw(dossier, actor=request.user, reason=form.cleaned_data["reason"],
                                 expected_version=form.cleaned_data["version"])
            except ConcurrentUpdate:
                messages.error(request, CONCURRENT)
                return redirect("citizen:dossier", code=dossier.code)
            except DossierError as exc:
                messages.error(request, exc.message)
                return redirect("citizen:dossier", code=dossier.code)
            messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
            return redirect("citizen:dossier", code=dossier.code)
        status = 400
    return render(request, "citizen/withdraw.html", {"dossier": dossier, "form": form}, status=status)
