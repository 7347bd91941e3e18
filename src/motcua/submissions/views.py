"""The submission wizard's pages (thin: the rules are in services.py and motcua.eforms).

Every draft page looks the draft up by its id AND its owner: another citizen's draft, or a file
of it, is a 404, the same as one that does not exist. Pages work without JavaScript: the page to
fill posts everything at once (its last field ``_fill=page`` marks a whole page; anything else
saves nothing). ``static/submissions/js/wizard.js`` shows the parts one at a time, saves each
part as it is left, and uploads one file per request with progress bars and retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from functools import wraps
from urllib.parse import unquote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.audit.throttle import throttled
from motcua.catalog import fees as fee_rules
from motcua.catalog.models import Procedure
from motcua.dossiers import actions
from motcua.dossiers.errors import DossierError, FileRefused
from motcua.dossiers.files import clean_name, download_response, max_upload_bytes
from motcua.dossiers.models import Delivery, Dossier, FileKind
from motcua.dossiers.queries import owner_files
from motcua.eforms import rendering
from motcua.eforms.addresses import address_book
from motcua.eforms.schema import initial_values, profile_from_user, summary, verified_keys, with_prefill
from motcua.eforms.services import eform_for
from motcua.payments import awaiting
from motcua.payments import services as payments
from motcua.payments.models import When
from motcua.signing import preview as signing_preview

from . import files as draft_files
from . import services
from .access import block_reason, can_submit_online
from .models import Draft, DraftFile, Step

logger = logging.getLogger(__name__)

STEP_URLS = {Step.CASE: "submissions:case", Step.FORM: "submissions:form", Step.FILES: "submissions:files",
             Step.REVIEW: "submissions:review"}
# The screens of the wizard: the page to fill (case and fees, the e-form in sections, documents,
# delivery), then the review. CASE and FILES are parts of the first page (old drafts may name them).
STEP_TITLES = {Step.FORM: gettext_lazy("Điền hồ sơ"), Step.REVIEW: gettext_lazy("Xem lại, nộp")}


# --- access ---------------------------------------------------------------------------------------


def _login_url(request) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"


def citizen_required(view):
    """Signed in (else to the sign-in page and back), and allowed to submit online (else 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        if not can_submit_online(request.user):
            return _not_allowed(request)
        try:
            return view(request, *args, **kwargs)
        except services.DraftGone as exc:
            return _draft_gone(request, exc)
        except Http404:  # a draft deleted before this request looked it up
            if _wants_json(request):
                return _draft_gone(request, services.DraftGone())
            raise

    return wrapper


def _draft_gone(request, exc: services.DraftGone):
    """A draft deleted by a submit or a removal in another window meanwhile: 404, said in words
    to the page's script (which otherwise takes an unreadable answer for a lost connection and
    sends the part again and again)."""
    if _wants_json(request):
        return JsonResponse({"error": exc.message}, status=404)
    raise Http404("no such draft")


def _not_allowed(request, procedure=None):
    reason, link = block_reason(request.user)
    return render(request, "submissions/not_allowed.html",
                  {"procedure": procedure, "reason": reason, "fix_url": link}, status=403)


def _draft(request, draft_id) -> Draft:
    return get_object_or_404(
        Draft.objects.select_related("version__procedure", "version__receiving_agency", "case"),
        pk=draft_id, owner=request.user,
    )


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or \
        "application/json" in request.headers.get("Accept", "")


def _step_context(draft: Draft, current: str) -> dict:
    """The step header of a draft's pages."""
    steps = list(STEP_TITLES)
    return {
        "draft": draft,
        "version": draft.version,
        "procedure": draft.version.procedure,
        "current_step": current,
        "step_number": steps.index(current) + 1 if current in steps else 1,
        "step_count": len(steps),
        "steps": [{"key": s, "title": title, "url": reverse(STEP_URLS[s], args=[draft.pk]) if draft else "",
                   "current": s == current} for s, title in STEP_TITLES.items()],
    }


ANCHORS = {Step.CASE: "#phan-le-phi", Step.FILES: "#phan-giay-to"}


def _go(draft: Draft, step: str):
    """To a step; the case and the documents are parts of the page to fill (its anchors)."""
    if step in ANCHORS:
        return redirect(reverse("submissions:form", args=[draft.pk]) + ANCHORS[step])
    return redirect(STEP_URLS[step], draft.pk)


# --- start ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache  # the page to fill shows the citizen's profile, prefilled
@throttled("draft")
def start(request, code: str):
    procedure = get_object_or_404(
        Procedure.objects.select_related("published__receiving_agency", "published__agency"),
        code=code[:50], published__isnull=False,
    )
    version = procedure.published
    if not services.offers_online(version):
        return render(request, "submissions/not_online.html", {"procedure": procedure, "version": version})
    if not request.user.is_authenticated:
        return redirect(_login_url(request))
    if not can_submit_online(request.user):
        return _not_allowed(request, procedure)
    drafts = [d for d in services.drafts_of(request.user) if d.version.procedure_id == procedure.pk]
    if request.method == "POST":
        # The draft is made by the first save of the page to fill (a section left, a file
        # picked, the whole form sent), or by "Tạo hồ sơ mới" beside drafts to resume: never
        # by a GET a crawler could follow. The page's token makes a repeated first save (a
        # double click, a retry after a lost answer) find the draft it made.
        post = _posted(request)
        filling = post is not None and "_fill" in post
        if post is None or (filling and not post_kind(post)):
            return _refused(request, None, version)
        try:
            draft = services.start_draft(request.user, version, token=post.get("_token"))
        except services.DraftProblem as exc:
            if _wants_json(request):
                return JsonResponse({"error": exc.message}, status=400)
            messages.error(request, exc.message)
            return redirect("submissions:drafts")
        try:
            if filling:
                return _fill_post(request, draft)
        except services.DraftGone as exc:  # the draft a repeated token found was submitted meanwhile
            return _draft_gone(request, exc)
        return _go(draft, Step.FORM)
    at_limit = services.at_draft_limit(request.user)
    if not drafts and at_limit:  # said before any typing: no save could make the draft
        return render(request, "submissions/draft_limit.html", {
            "procedure": procedure, "version": version, "limit": services.MAX_DRAFTS_PER_USER})
    if not drafts:  # nothing to resume: the page to fill at once (the intro is its first lines)
        return _fill_page(request, None, version)
    return render(request, "submissions/start.html", {
        "procedure": procedure, "version": version, "drafts": drafts,
        "cases": services.cases_of(version), "components": services.components_of(version),
        "fees": services.fee_views(version), "fee_needs": services.fee_needs(version),
        "auto_component": services.eform_for(version).component, "client_token": uuid.uuid4(),
        "at_limit": at_limit, "limit": services.MAX_DRAFTS_PER_USER,
    })


@require_safe
@citizen_required
def draft_list(request):
    days = services.draft_retention_days()
    drafts = list(services.drafts_of(request.user))
    for d in drafts:  # the daily housekeeping removes a draft not saved for this long
        d.removal_day = timezone.localdate(d.updated_at + dt.timedelta(days=days))
    return render(request, "submissions/drafts.html", {"drafts": drafts, "retention_days": days})


@require_safe
@citizen_required
def resume(request, draft_id):
    draft = _draft(request, draft_id)
    step = draft.step if draft.step in STEP_TITLES else Step.FORM
    return _go(draft, step)


@require_POST
@citizen_required
def delete_draft(request, draft_id):
    draft = _draft(request, draft_id)
    name = draft.version.name
    services.delete_draft(draft)
    messages.success(request, _("Đã xóa hồ sơ nháp «%(name)s».") % {"name": name})
    return redirect("submissions:drafts")


# --- step 1: the case ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@never_cache
def case_step(request, draft_id):
    """Old address of the first step: the case and the fee inputs are the first section of the
    page to fill now (a GET goes there); a POST from an old page saves the case, nothing else."""
    draft = _draft(request, draft_id)
    if request.method == "POST":
        post = _posted(request)
        if post is None or "case" not in post:
            return _refused(request, draft)
        try:  # the case only (and the fee inputs when that old page sent them): never the answers
            services.save_case(draft, post.get("case"),
                               services.fee_inputs_from(post) if post.get("_has_case") else draft.fee_inputs)
        except services.DraftProblem as exc:
            messages.error(request, exc.message)
    return _go(draft, Step.CASE)


# --- the page to fill: case and fees, the e-form in sections, documents, delivery ------------------


def _case_context(version, draft: Draft | None, inputs: dict | None = None) -> dict:
    needs = services.fee_needs(version)
    accepted = dict((draft.fee_inputs if draft else {}) or {})  # amounts of what was accepted
    inputs = dict(inputs if inputs is not None else accepted)  # shown as typed
    return {
        "cases": services.cases_of(version), "needs": needs, "inputs": inputs,
        "fees": services.fee_views(version, accepted), "kind_choices": fee_rules.kind_choices(needs),
        "asks_case": services.asks_case_step(version), "case_id": draft.case_id if draft else None,
    }


def _fill_page(request, draft: Draft | None, version=None, *, data: dict | None = None,
               errors: dict | None = None, case_errors: dict | None = None, file_errors: dict | None = None,
               inputs: dict | None = None, status: int = 200):
    """The one page to fill: its sections are shown one at a time by the page's script (the
    headers of all of them stay in view), or all at once without it."""
    version = draft.version if draft is not None else version
    spec = eform_for(version) if draft is None else services.spec_for(draft)
    profile = profile_from_user(request.user)
    if data is None:
        data = with_prefill(spec.schema, draft.form_data, profile) if draft and draft.form_data \
            else with_prefill(spec.schema, initial_values(spec.schema, profile), profile)
    errors = errors or {}
    case_errors = case_errors or {}
    form_sections = rendering.field_views(spec.schema, data, errors, profile=profile,
                                          verified=verified_keys(spec.schema, data, profile))
    case = _case_context(version, draft, inputs)
    slots = _slots(draft, file_errors, version=version)
    uploads = [s for s in slots if not s["auto"]]
    sections = []
    if case["asks_case"]:
        sections.append({"id": "phan-le-phi", "title": _("Trường hợp và lệ phí") if len(case["cases"]) > 1
                         else _("Lệ phí"), "kind": "case", "invalid": bool(case_errors)})
    for index, section in enumerate(form_sections):
        sections.append({"id": f"phan-{index + 1}", "title": section.title or spec.title, "kind": "form",
                         "section": section, "invalid": any(f.error or f.row_errors for f in section.fields)})
    sections.append({"id": "phan-giay-to", "title": _("Giấy tờ và cách nhận kết quả") if uploads
                     else _("Cách nhận kết quả"), "kind": "files",
                     "invalid": bool(file_errors) or "delivery_address" in case_errors})
    for number, section in enumerate(sections, start=1):
        section["number"] = number
    error_list = [("case-error" if k == "case" else "delivery-address" if k == "delivery_address" else f"fee-{k}", v)
                  for k, v in case_errors.items()]
    error_list += rendering.error_list(spec.schema, errors)
    for slot in slots:
        error_list += [(slot["input"], e) for e in slot["errors"]]
    delivery = services.delivery_of(draft) if draft else services.delivery_options(version)[0][0]
    address = draft.delivery_address if draft and draft.delivery_address else \
        (getattr(request.user, "address", "") or "")
    if request.method == "POST" and "delivery" in request.POST:
        delivery = request.POST.get("delivery", delivery)
        address = services.clean_address(request.POST.get("delivery_address"))
    return render(request, "submissions/step_form.html", {
        **(_step_context(draft, Step.FORM) if draft else _new_context(version)),
        "spec": spec, "sections": sections, "section_count": len(sections), "error_list": error_list,
        "case_error": case_errors.get("case", ""), "errors": case_errors, **case,
        "slots": slots, "has_uploads": bool(uploads),
        "max_mb": draft_files.mb(max_upload_bytes()), "max_bytes": max_upload_bytes(),
        "upload_url": reverse("submissions:upload", args=[draft.pk]) if draft else "",
        "action": reverse("submissions:form", args=[draft.pk]) if draft
        else reverse("submissions:start", args=[version.procedure.code]),
        "delivery_options": services.delivery_options(version), "delivery": delivery,
        "delivery_address": address, "address_error": case_errors.get("delivery_address", ""),
        "postal_fee": settings.MOTCUA_POSTAL_FEE_VND,
        "saved_at": draft.updated_at if draft else None,
        "client_token": uuid.uuid4(),
    }, status=status)


def _new_context(version) -> dict:
    """The step header of the page to fill before its draft exists (made by the first save)."""
    steps = list(STEP_TITLES)
    return {
        "draft": None, "version": version, "procedure": version.procedure, "current_step": Step.FORM,
        "step_number": 1, "step_count": len(steps),
        "steps": [{"key": s, "title": title, "url": "", "current": s == Step.FORM} for s, title in STEP_TITLES.items()],
    }


def _draft_urls(draft: Draft) -> dict:
    return {"draft": str(draft.pk), "form_url": reverse("submissions:form", args=[draft.pk]),
            "upload_url": reverse("submissions:upload", args=[draft.pk]),
            "wallet_url": reverse("submissions:wallet", args=[draft.pk])}


PAGE_MARKER = "page"  # `_fill` of the page's own form (its last field): a whole-page save


def _posted(request):
    """request.POST, or None when the body could not be read (cut off, too big, malformed)."""
    try:
        return request.POST
    except (MultiPartParserError, RequestDataTooBig, OSError, ValueError):
        logger.info("unreadable form body", exc_info=True)
        return None


def post_kind(post) -> str:
    """What a POST of the page to fill is: "section" (the page's script, as a section is left),
    "page" (the page's form, whose last field is ``_fill=page``), or "" (anything else: a stale
    page, a body cut off on the way, a hand-made request). Only the first two save anything, so
    a POST without the form's fields never overwrites the answers with empties."""
    if post is None:
        return ""
    if "_section" in post:  # the script sends it last: a body cut off before it is not a section
        return "section"
    if post.get("_fill") == PAGE_MARKER:
        return "page"
    return ""


def _refused(request, draft: Draft | None, version=None):
    """A POST that is not the page's: nothing saved, 400 (JSON for the page's script)."""
    message = _("Chưa lưu được: dữ liệu gửi lên không trọn vẹn hoặc từ một trang cũ. Thông tin đã lưu trước đó vẫn "
                "còn; hãy tải lại trang rồi điền tiếp.")
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return _fill_page(request, draft, version, status=400)


def _fill_post(request, draft: Draft):
    """Every POST of the page to fill (see `post_kind`). A section: that section only, JSON.
    The whole page: case and fee inputs, answers, files (without script), delivery; then the
    review when nothing is missing."""
    post = _posted(request)
    kind = post_kind(post)
    if not kind:
        return _refused(request, draft)
    spec = services.spec_for(draft)
    if kind == "section":
        return _save_section(request, draft, spec, post)
    saved = _save_page(request, draft, spec, post)
    if saved.file_errors is None:
        return _fill_page(request, draft, data=saved.data, case_errors=saved.case_errors, inputs=saved.inputs,
                          status=400)
    if post.get("_add_row") or post.get("_remove_row") or post.get("_refresh"):
        return _fill_page(request, draft, data=saved.data, case_errors=saved.case_errors, inputs=saved.inputs,
                          file_errors=saved.file_errors, status=400 if saved.case_errors or saved.file_errors else 200)
    if post.get("_save_exit"):
        if saved.case_errors or saved.file_errors:  # saved what could be; say what was refused
            return _fill_page(request, draft, data=saved.data, case_errors=saved.case_errors, inputs=saved.inputs,
                              file_errors=saved.file_errors, status=400)
        messages.success(request, _("Đã lưu hồ sơ nháp. Bạn có thể tiếp tục bất cứ lúc nào."))
        return redirect("submissions:drafts")
    _cleaned, errors = services.form_result(draft, spec)
    file_errors, case_errors = saved.file_errors, saved.case_errors
    for c, message in _missing_messages(draft, spec).items():
        file_errors.setdefault(c, []).append(message)
    problem = services.delivery_problem(draft)
    if problem:
        case_errors["delivery_address"] = problem
    if errors or case_errors or file_errors:
        return _fill_page(request, draft, data=saved.data, errors=errors, case_errors=case_errors,
                          file_errors=file_errors, inputs=saved.inputs, status=400)
    services.set_step(draft, Step.REVIEW)
    return _go(draft, Step.REVIEW)


def _save_section(request, draft: Draft, spec, post):
    kind = post.get("_section_kind", "form")[:10]
    problem = ""
    if kind == "case":
        try:
            services.save_case(draft, post.get("case"), services.fee_inputs_from(post), step=Step.FORM)
        except services.DraftProblem as exc:
            problem = exc.message
    elif kind == "files":
        services.save_delivery(draft, post.get("delivery"), post.get("delivery_address"))
    else:
        services.save_section(draft, spec.schema, post.get("_section", "")[:300],
                              rendering.parse_post(spec.schema, post))
    return JsonResponse({"saved": not problem, "at": timezone.localtime(draft.updated_at).strftime("%H:%M"),
                         "error": problem, **_draft_urls(draft)}, status=400 if problem else 200)


@dataclass
class _Saved:
    data: dict
    inputs: dict | None
    case_errors: dict
    file_errors: dict[int, list[str]] | None  # None: the files could not be read


def _save_page(request, draft: Draft, spec, post) -> _Saved:
    """Save everything the page's form posted (answers with a row added or removed, case and
    fee inputs, delivery, files): the one path of every no-script button of the page."""
    data = rendering.parse_post(spec.schema, post)
    case_errors: dict[str, str] = {}
    inputs = services.fee_inputs_from(post) if post.get("_has_case") else None
    if post.get("_has_case") or draft.case_id is None:
        try:
            services.save_case(draft, post.get("case"), inputs or {}, step=Step.FORM)
        except services.DraftProblem as exc:
            case_errors[exc.field or "case"] = exc.message
    if "delivery" in post:
        services.save_delivery(draft, post.get("delivery"), post.get("delivery_address"))
    if post.get("_add_row"):
        rendering.add_row(spec.schema, data, post["_add_row"][:60])
    if post.get("_remove_row"):
        rendering.remove_row(spec.schema, data, post["_remove_row"][:70])
    services.save_form(draft, data)
    return _Saved(data, inputs, case_errors, _save_posted_files(request, draft))


def _missing_messages(draft: Draft, spec=None) -> dict[int, str]:
    return {c.pk: _("Cần tải lên ít nhất một tệp cho «%(c)s».") % {"c": c.name}
            for c in services.missing_components(draft, spec)}


def _save_posted_files(request, draft: Draft) -> dict[int, list[str]] | None:
    """Files sent with a form (no script): each stored, or its reason by component; None when
    the body could not be read."""
    uploaded = _read_files(request)
    if uploaded is None:
        messages.error(request, _("Tệp chưa tải lên hết (mất kết nối hoặc tệp quá lớn). Các tệp đã lưu trước đó vẫn "
                                  "còn; hãy chọn lại tệp vừa tải."))
        return None
    errors: dict[int, list[str]] = {}
    for component in services.components_of(draft.version):
        for upload in uploaded.getlist(f"files-{component.pk}")[: services.MAX_FILES_PER_COMPONENT]:
            if not upload.name and not upload.size:
                continue
            try:
                services.add_upload(draft, component, upload, upload.name)
            except (FileRefused, services.DraftProblem) as exc:
                errors.setdefault(component.pk, []).append(exc.message)
    return errors


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@never_cache
def form_step(request, draft_id):
    draft = _draft(request, draft_id)
    if request.method == "POST":
        return _fill_post(request, draft)
    services.set_step(draft, Step.FORM)
    errors, case_errors, file_errors = {}, {}, {}
    if request.GET.get("kiem-tra"):  # sent back from the review page: show what to fix
        errors = services.form_result(draft)[1]
        file_errors = {pk: [message] for pk, message in _missing_messages(draft).items()}
        problem = services.delivery_problem(draft)
        if problem:
            case_errors["delivery_address"] = problem
    return _fill_page(request, draft, errors=errors, case_errors=case_errors, file_errors=file_errors)


@require_safe
def communes(request, province: str):
    """The communes of a province for the address picker (JSON; null: the commune is typed)."""
    found = address_book().province(province[:20])
    if found is None:
        raise Http404("no such province")
    payload = {"communes": [[c.code, c.name] for c in found.commune_list()] if found.communes is not None else None}
    response = JsonResponse(payload)
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- step 3: the documents ------------------------------------------------------------------------------


def _file_json(draft: Draft, f: DraftFile) -> dict:
    return {
        "id": str(f.pk), "name": f.original_name, "size": f.size, "source": f.source,
        "url": reverse("submissions:file", args=[draft.pk, f.pk]),
        "remove_url": reverse("submissions:remove_file", args=[draft.pk, f.pk]),
    }


def _slots(draft: Draft | None, errors: dict[int, list[str]] | None = None, *, version=None) -> list[dict]:
    errors = errors or {}
    version = draft.version if draft is not None else version
    auto = services.generated_component(draft) if draft is not None else eform_for(version).component
    by_component = services.files_by_component(draft) if draft is not None else {}
    return [
        {
            "component": c,
            "auto": auto is not None and c.pk == auto.pk,
            "files": by_component.get(c.pk, []),
            "accepted": draft_files.accepted_text(c.accepted_types),
            "accept": draft_files.accept_attribute(c.accepted_types),
            "errors": errors.get(c.pk, []),
            "input": f"files-{c.pk}",
        }
        for c in services.components_of(version)
    ]


def _read_files(request):
    """request.FILES, or None when the body could not be read (cut off, too big, malformed)."""
    try:
        return request.FILES
    except (MultiPartParserError, RequestDataTooBig, OSError, ValueError):
        logger.info("unreadable upload body", exc_info=True)
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@never_cache
def files_step(request, draft_id):
    draft = _draft(request, draft_id)
    if request.method == "GET":  # the documents are the last section of the page to fill
        return _go(draft, Step.FILES)
    # Old address of the documents step (its page is now the last part of the page to fill):
    # the files an old page sent are stored, then the page to fill says what is missing.
    errors = _save_posted_files(request, draft) or {}
    for messages_of in errors.values():
        for message in messages_of:
            messages.error(request, message)
    return _go(draft, Step.FILES)


@require_POST
@citizen_required
@throttled("upload")
def upload(request, draft_id):
    """One file per request (the page's script): JSON {file} or {error}, with the rule and the name."""
    draft = _draft(request, draft_id)
    length = request.META.get("CONTENT_LENGTH") or ""
    limit = max_upload_bytes()
    if length.isdigit() and int(length) > limit + 64 * 1024:
        name = clean_name(unquote(request.headers.get("X-File-Name", "")[:900]))
        refused = draft_files.too_big(name or _("đã chọn"), limit, int(length))
        return JsonResponse({"error": refused.message}, status=413)
    uploaded = _read_files(request)
    if uploaded is None or "file" not in uploaded:
        return JsonResponse({"error": _("Tệp chưa tải lên hết (kết nối bị gián đoạn); hãy bấm Thử lại."),
                             "retry": True}, status=400)
    upload_file = uploaded["file"]
    try:
        component = services.component_of(draft, request.POST.get("component"))
        declared = request.POST.get("size", "")
        declared_size = int(declared) if declared.isdigit() else None
        f = services.add_upload(draft, component, upload_file, upload_file.name, declared_size=declared_size)
    except (FileRefused, services.DraftProblem) as exc:
        return JsonResponse({"error": exc.message, "retry": getattr(exc, "retry", False)}, status=400)
    return JsonResponse({"file": _file_json(draft, f)}, status=201)


@require_POST
@citizen_required
def remove_file(request, draft_id, file_id):
    draft = _draft(request, draft_id)
    f = get_object_or_404(DraftFile, pk=file_id, draft=draft)
    post = _posted(request)
    saved = None
    if post_kind(post) == "page":  # "Bỏ" without script posts the whole page: keep what it carries
        saved = _save_page(request, draft, services.spec_for(draft), post)
    name = f.original_name
    services.remove_file(draft, f)
    if _wants_json(request):
        return JsonResponse({"removed": str(file_id)})
    messages.success(request, _("Đã bỏ tệp «%(name)s».") % {"name": name})
    if saved is not None and (saved.case_errors or saved.file_errors or saved.file_errors is None):
        return _fill_page(request, draft, data=saved.data, case_errors=saved.case_errors, inputs=saved.inputs,
                          file_errors=saved.file_errors, status=400)
    return _go(draft, Step.FILES)


@require_safe
@citizen_required
def draft_file(request, draft_id, file_id):
    draft = _draft(request, draft_id)
    f = get_object_or_404(DraftFile, pk=file_id, draft=draft)
    try:
        handle = default_storage.open(f.storage_key, "rb")
    except OSError:
        raise Http404("missing file") from None
    response = FileResponse(handle, content_type=f.content_type, filename=f.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@never_cache
def wallet(request, draft_id):
    """Reuse one of the citizen's documents (their earlier uploads and results) for a component."""
    draft = _draft(request, draft_id)
    source = request.POST if request.method == "POST" else request.GET
    try:
        component = services.component_of(draft, source.get("component"))
    except services.DraftProblem as exc:
        messages.error(request, exc.message)
        return _go(draft, Step.FILES)
    error = ""
    if request.method == "POST":
        picked = services.wallet_file(request.user, request.POST.get("file"))
        if picked is None:
            error = _("Hãy chọn một giấy tờ trong danh sách.")
        else:
            try:
                services.add_from_wallet(draft, component, picked)
            except (FileRefused, services.DraftProblem) as exc:
                error = exc.message
            else:
                messages.success(request, _("Đã thêm «%(f)s» từ kho dữ liệu vào «%(c)s».")
                                 % {"f": picked.original_name, "c": component.name})
                return _go(draft, Step.FILES)
    return render(request, "submissions/wallet.html", {
        **_step_context(draft, Step.FILES), "component": component, "error": error,
        "documents": services.wallet_files(request.user, component),
        "accepted": draft_files.accepted_text(component.accepted_types),
    }, status=400 if error else 200)


@require_safe
@citizen_required
def wallet_download(request, file_id: int):
    """One of the citizen's own dossier files (wallet preview, confirmation page)."""
    f = get_object_or_404(owner_files(request.user).select_related("dossier"), pk=file_id)
    try:
        response = download_response(f, inline=request.GET.get("tai") != "1")
    except OSError:
        raise Http404("missing file") from None
    if f.kind == FileKind.RESULT and request.method == "GET":
        # A result opened from the document store counts as its first download too (one rule).
        actions.record_result_download(f.dossier, actor=request.user, file=f)
    return response


# --- step 4: review and submit ------------------------------------------------------------------------


def _delivery_from(request, draft: Draft) -> tuple[str, str]:
    """The draft's answer (asked once, on the page to fill); a POST from an older review page
    may still carry one."""
    if request.method == "POST" and "delivery" in request.POST:
        allowed = [value for value, _label in services.delivery_options(draft.version)]
        choice = request.POST.get("delivery", "")
        return (choice if choice in allowed else services.delivery_of(draft),
                services.clean_address(request.POST.get("delivery_address")))
    return services.delivery_of(draft), draft.delivery_address


def _review_page(request, draft: Draft, *, error: str = "", status: int = 200, address_error: str = ""):
    spec = services.spec_for(draft)
    check = services.check_draft(draft, spec)
    delivery, delivery_address = _delivery_from(request, draft)
    fees = services.fee_views(draft.version, draft.fee_inputs)
    fee_at_reception = any(f.amount_vnd and f.collected == "at_reception" for f in fees)
    preview = None
    if check.ok:  # the application as it will be filed, as page images (phones download PDFs)
        try:
            preview = services.application_preview(draft, spec, check.cleaned)
        except Exception:  # a preview that cannot be made must not stop the submission
            logger.exception("no application preview for draft %s", draft.pk)
    pages, count, full_pdf = [], 0, ""
    if preview is not None:
        count = signing_preview.page_count(preview)
        pages = [reverse("submissions:preview_page", args=[draft.pk, preview.sha256, n])
                 for n in range(1, min(count, signing_preview.MAX_PAGES) + 1)]
        if count > len(pages):  # the images stop at MAX_PAGES: the whole form as a PDF
            full_pdf = reverse("submissions:preview_pdf", args=[draft.pk, preview.sha256])
    return render(request, "submissions/step_review.html", {
        "preview_pages": pages, "preview_total": count, "preview_pdf": full_pdf,
        "delivery_label": dict(services.delivery_options(draft.version)).get(delivery, ""),
        "delivery": delivery,
        "delivery_address": delivery_address,
        "address_error": address_error,
        "postal_fee": settings.MOTCUA_POSTAL_FEE_VND,
        **_step_context(draft, Step.REVIEW),
        "spec": spec,
        "check": check,
        "sections": summary(spec.schema, check.cleaned, show_empty=False),
        "slots": _slots(draft),
        "submit_key": services.new_submit_key(draft) if check.ok else "",
        "fees": fees,
        "fee_needs": services.fee_needs(draft.version),
        "case_choice": len(services.cases_of(draft.version)) > 1,
        "fee_at_reception": fee_at_reception,
        "pay_after_submit": fee_at_reception and draft.version.level >= 4,
        "error": error,
        "can_rebase": draft.version.procedure.published_id not in (None, draft.version_id),
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@never_cache
@throttled("submit")
def review(request, draft_id):
    key = request.POST.get("submit_key", "")[:100] if request.method == "POST" else ""
    draft = Draft.objects.filter(pk=draft_id, owner=request.user).select_related(
        "version__procedure", "version__receiving_agency", "case").first()
    if draft is None:
        # Submitted already (a double click, a reload of the answer): show that dossier.
        dossier = services.dossier_for_key(request.user, key) if key else None
        if dossier is not None:
            return redirect("submissions:done", dossier.code)
        raise Http404("no such draft")
    if request.method == "GET":
        services.set_step(draft, Step.REVIEW)
        return _review_page(request, draft)
    if request.POST.get("_rebase"):
        if services.rebase(draft):
            messages.success(request, _("Hồ sơ nháp đã chuyển sang phiên bản mới của thủ tục; hãy kiểm tra lại."))
        return _review_page(request, draft)
    if not key or key != draft.submit_key:
        dossier = services.dossier_for_key(request.user, key)
        if dossier is not None:
            return redirect("submissions:done", dossier.code)
        return _review_page(request, draft, status=409, error=_(
            "Hồ sơ nháp vừa thay đổi (có thể ở một cửa sổ khác). Hãy xem lại rồi bấm «Nộp hồ sơ» lần nữa."))
    if request.POST.get("confirm") != "yes":
        return _review_page(request, draft, status=400, error=_(
            "Hãy đánh dấu ô cam đoan trước khi nộp hồ sơ."))
    delivery, delivery_address = _delivery_from(request, draft)
    if delivery == Delivery.POST and not delivery_address:
        message = _("Hãy ghi địa chỉ nhận kết quả qua bưu chính.")
        return _review_page(request, draft, status=400, error=message, address_error=message)

    try:
        result = services.submit(draft, key=key, delivery=delivery, delivery_address=delivery_address)
    except (services.DraftProblem, DossierError) as exc:
        logger.info("submit refused for draft %s: %s", draft.pk, exc)
        return _review_page(request, draft, status=400, error=services.error_message(exc))
    return redirect("submissions:done", result.dossier.code)


@require_safe
@citizen_required
def preview_page(request, draft_id, sha: str, number: int):
    """One page of the review page's application preview, as a PNG (signing.preview)."""
    draft = _draft(request, draft_id)
    file = services.preview_file(draft, sha[:64])
    if file is None or not 1 <= number <= signing_preview.MAX_PAGES:
        raise Http404("no such preview")
    path = signing_preview.page_image(file, number)
    if path is None:
        raise Http404("no such page")
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, no-store"  # the applicant's personal data
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@citizen_required
def preview_pdf(request, draft_id, sha: str):
    """The whole application preview as a PDF (a form longer than the page images shown)."""
    draft = _draft(request, draft_id)
    file = services.preview_file(draft, sha[:64])
    if file is None:
        raise Http404("no such preview")
    try:
        handle = default_storage.open(file.storage_key, "rb")
    except OSError:
        raise Http404("missing preview") from None
    response = FileResponse(handle, content_type="application/pdf", filename="to-khai-xem-truoc.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@citizen_required
def done(request, code: str):
    dossier = get_object_or_404(
        Dossier.objects.select_related("procedure_version__procedure", "agency", "case"),
        code=code[:50], owner=request.user,
    )
    files = list(dossier.files.select_related("component").exclude(kind=FileKind.RESULT).order_by("uploaded_at", "id"))
    track_path = f"{reverse('portal:track', args=[dossier.code])}?{urlencode({'key': dossier.tracking_key})}"
    fee_state = awaiting.shown(dossier)
    due = payments.fees_due(dossier, When.AT_RECEPTION) if fee_state else None
    return render(request, "submissions/done.html", {
        "fee_state": fee_state, "due": due,
        "can_pay": fee_state is not None and fee_state.state != awaiting.FeeState.PAID
        and payments.can_start(request.user, dossier),
        "pay_key": uuid.uuid4().hex, "dossier_url": reverse("citizen:dossier", args=[dossier.code]),
        "dossier": dossier, "files": files, "track_path": track_path,
        "tracking_url": request.build_absolute_uri(track_path),
        "procedure": dossier.procedure_version.procedure,
    })

