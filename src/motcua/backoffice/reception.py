"""Reception: at the counter (papers scanned on the spot) and of dossiers submitted online.

Both end in one of three outcomes (NĐ 61/2018 Đ.19, docs/architecture.md §6):
* Tiếp nhận (receive): the dossier gets its code and due time; form 01.
* Yêu cầu bổ sung (request a supplement): everything missing listed once; form 02.
* Từ chối (refuse), with a reason; form 03.

At the counter the page checks everything typed (applicant, case, checklist under the one
completeness rule of `dossiers.reception`, each file's type and size) to show every problem at
once, then hands the values to `dossiers.reception.receive_at_counter`, the domain function the
API calls too: it checks again, then creates the dossier, stores its scans and records the
outcome in one transaction. A form with errors comes back with every typed value and tick, and
the files that passed kept as pending uploads (see `uploads.py`).
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from motcua.accounts.models import Role
from motcua.audit import log_access
from motcua.catalog import fees as fee_rules
from motcua.catalog.fees import dossier_fee_views
from motcua.catalog.models import Component, ProcedureCase, ProcedureVersion
from motcua.catalog.search import Filters, RankedResults, search
from motcua.core.money import vnd
from motcua.core.text import MAX_QUERY_CHARS
from motcua.dossiers import actions, reception
from motcua.dossiers.errors import (
    ActionNotAllowed,
    ConcurrentUpdate,
    DossierError,
    FileRefused,
    IdempotencyConflict,
    InvalidInput,
    PermissionDenied,
)
from motcua.dossiers.files import max_upload_bytes
from motcua.dossiers.lifecycle import MAX_REASON_CHARS, Action
from motcua.dossiers.models import Dossier, DossierFile, FileKind, IdempotencyKey, Status
from motcua.dossiers.queries import allowed_actions, visible_files
from motcua.payments import awaiting
from motcua.staff.access import dossier_or_404, forbidden, staff_required
from motcua.staff.forms import one_line
from motcua.staff.pages import LIST_RELATED, clean_text, paginate, staff_render

from . import uploads
from .fees import counter_fee_view, new_dossier_fee_view
from .forms import ApplicantForm, CounterFeeForm, ReceptionOutcomeForm, missing_lines

# The domain's fee fields (record_fee) -> the page's.
FEE_FIELDS = {"amount": "fee_amount", "method": "fee_method", "receipt_number": "fee_receipt"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff"
CONCURRENT_MESSAGE = gettext_lazy(
    "Hồ sơ vừa được người khác cập nhật trong lúc bạn thao tác, nên thao tác của bạn chưa được thực hiện. "
    "Trang đã được tải lại với thông tin mới nhất; hãy kiểm tra rồi thao tác lại nếu vẫn cần."
)


@dataclass
class ComponentRow:
    component: Component
    present: bool = False
    errors: list[str] = field(default_factory=list)
    pending: list[uploads.Pending] = field(default_factory=list)
    files: list[DossierFile] = field(default_factory=list)
    reason: str = ""  # what to supplement, when this component is not good (the online check)
    reason_error: str = ""

    @property
    def pk(self) -> int:
        return self.component.pk

    @property
    def input_id(self) -> str:
        return f"files-{self.pk}"

    @property
    def tick_id(self) -> str:
        return f"present-{self.pk}"


def _reception_agencies(request) -> list[int]:
    return request.staff.agencies_with(Role.RECEPTIONIST)


def _not_receptionist(request):
    return forbidden(request, _("Chỉ cán bộ một cửa (tiếp nhận hồ sơ) mới dùng được trang này. Nếu bạn đang "
                                "chọn một cơ quan ở ô «Cơ quan», hãy chọn cơ quan nơi bạn làm cán bộ một cửa."))


def _token(request) -> str:
    raw = request.POST.get("token", "") if request.method == "POST" else ""
    raw = raw[:64]
    return raw if raw and raw.isalnum() else secrets.token_hex(16)


# --- finding the procedure -----------------------------------------------------------------------------


@require_safe
@staff_required
def counter_search(request):
    agencies = _reception_agencies(request)
    if not agencies:
        return _not_receptionist(request)
    q = clean_text(request.GET.get("q"), MAX_QUERY_CHARS)
    found = search(q, Filters(receiving_agency_ids=frozenset(agencies)))
    # At the counter the closest procedures are offered when nothing matches (the officer chooses).
    listed = found if found.matched or not q else RankedResults(found.suggestion_ids)
    results = listed.select_related("procedure", "receiving_agency", "agency").prefetch_related(
        Prefetch("cases", queryset=ProcedureCase.objects.order_by("order", "id"))
    )
    page = paginate(request, results, per_page=20)
    return staff_render(request, "backoffice/counter_search.html", {
        "q": q, "page": page, "page_query": urlencode({"q": q}) if q else "", "max_query": MAX_QUERY_CHARS,
    })


def _version_for_counter(request, code: str) -> ProcedureVersion:
    if not code.isprintable():
        raise Http404("no such procedure")
    version = (
        ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED, procedure__code=code[:50])
        .select_related("procedure", "receiving_agency", "agency", "sector")
        .first()
    )
    if version is None:
        raise Http404("no such procedure")
    return version


# --- the counter form ------------------------------------------------------------------------------------


def _rows(version, post=None, file_errors=None, pending=None) -> list[ComponentRow]:
    present = set()
    if post is not None:
        present = {int(v) for v in post.getlist("present") if v.isdigit()}
    rows = []
    for c in version.components.order_by("order", "id"):
        rows.append(ComponentRow(
            c, present=c.pk in present, errors=(file_errors or {}).get(c.pk, []), pending=(pending or {}).get(c.pk, []),
        ))
    return rows


def _case_choice(version, post) -> tuple[ProcedureCase | None, list[ProcedureCase], str]:
    cases = list(version.cases.order_by("order", "id"))
    if len(cases) == 1:
        return cases[0], cases, ""
    raw = (post.get("case", "") if post is not None else "")[:12]
    chosen = next((c for c in cases if str(c.pk) == raw), None)
    error = "" if chosen or post is None else _("Cần chọn trường hợp giải quyết.")
    return chosen, cases, error


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def counter_form(request, code: str):
    agencies = _reception_agencies(request)
    if not agencies:
        return _not_receptionist(request)
    version = _version_for_counter(request, code)
    if version.receiving_agency_id not in agencies:
        return forbidden(request, _("Thủ tục này được tiếp nhận tại %(agency)s; bạn không phải cán bộ một cửa "
                                    "ở đó.") % {"agency": version.receiving_agency.name})
    if request.method != "POST":
        case, cases, _err = _case_choice(version, None)
        inputs = FeeInputs.of(version, None)
        return _render_counter(request, version, ApplicantForm(), ReceptionOutcomeForm(), _rows(version),
                               cases, case, token=_token(request), fee_form=_fee_form(version, inputs=inputs),
                               fee_inputs=inputs)
    return _counter_post(request, version)


@dataclass
class FeeInputs:
    """What the fee rules ask at the counter (copies, pages per copy, kind of applicant), as the
    wizard asks them (`catalog.fees.needs`, `clean_inputs`, the template catalog/_fee_inputs.html):
    the typed values, the cleaned ones (stored on the dossier) and the problems by field."""

    fees: list
    needs: fee_rules.Needs
    typed: dict
    cleaned: dict
    errors: dict[str, str]

    @classmethod
    def of(cls, version, post) -> FeeInputs:
        fees = list(version.fees.order_by("order", "id"))
        need = fee_rules.needs(fees)
        typed = fee_rules.inputs_from_post(post) if post is not None else {}
        errors: dict[str, str] = {}
        try:
            cleaned = fee_rules.clean_inputs(typed, fees)
        except fee_rules.FeeInputError as exc:
            errors[exc.field] = exc.message
            cleaned = {}
        return cls(fees, need, typed if post is not None else {}, cleaned, errors)

    @property
    def basis(self) -> str:
        """The inputs an amount was computed for, kept in the form: the amount follows them."""
        return ";".join(f"{k}={self.cleaned.get(k, '')}" for k in ("copies", "pages", "kind"))[:300]

    def view(self, version):
        return new_dossier_fee_view(version, inputs=self.cleaned, fees=self.fees)


def _fee_form(version, post=None, *, inputs: FeeInputs) -> CounterFeeForm:
    """The fee collected with the reception, prefilled with what the rule asks at reception for the
    declared fee inputs. Posted with other inputs than the amount was computed for ("Tính lại" not
    pressed, no script): the amount is computed again and the form asks to check it."""
    due = str(inputs.view(version).due_vnd)
    if post is None:
        return CounterFeeForm(initial={"fee_amount": due, "fee_basis": inputs.basis})
    stale = "fee_basis" in post and inputs.needs.any and not inputs.errors and post["fee_basis"] != inputs.basis
    if post.get("_refresh") or stale:
        data = post.copy()
        data["fee_amount"], data["fee_basis"] = due, inputs.basis
        form = CounterFeeForm(data)
        if not post.get("_refresh") and post.get("fee_collect") and post.get("outcome") == reception.RECEIVE:
            form.full_clean()
            form.add_error("fee_amount", _("Số bản, số trang hoặc đối tượng đã thay đổi: số tiền đã được tính lại "
                                           "(%(amount)s). Kiểm tra số tiền rồi bấm «Tiếp nhận» lần nữa.")
                           % {"amount": vnd(int(due), unit=_("đồng"))})
        return form
    return CounterFeeForm(post)


def _render_counter(request, version, applicant, outcome_form, rows, cases, case, *, token, fee_form, fee_inputs,
                    case_error="", checklist_error="", general_errors=(), outcome="", status=200):
    fees = fee_inputs.fees
    errors = [(f"fee-{name}", message) for name, message in fee_inputs.errors.items()]  # (anchor id, message)
    for f in applicant:
        for e in f.errors:
            errors.append((f.auto_id if f.name != "applicant_kind" else "applicant-kind", e))
    if case_error:
        errors.append(("case-choice", case_error))
    if checklist_error:
        errors.append(("checklist", checklist_error))
    for row in rows:
        for e in row.errors:
            errors.append((f"files-{row.pk}", e))
        if row.reason_error:
            errors.append((f"reason-{row.pk}", row.reason_error))
    for f in outcome_form:
        for e in f.errors:
            errors.append((f.auto_id, e))
    for f in fee_form:
        for e in f.errors:
            errors.append((f.auto_id, e))
    for e in list(applicant.non_field_errors()) + list(outcome_form.non_field_errors()) + list(general_errors):
        errors.append(("", e))
    if errors and status == 200:
        status = 400  # refused input (a wrong file, a missing field): the page again, with the messages
    return staff_render(request, "backoffice/counter_form.html", {
        "version": version, "procedure": version.procedure, "cases": cases, "case": case,
        "case_error": case_error, "form": applicant, "outcome_form": outcome_form, "rows": rows,
        "checklist_error": checklist_error, "errors": errors, "token": token, "accept": ACCEPT,
        "fees": fees, "outcome": outcome, "max_mb": max_upload_bytes() // (1024 * 1024),
        "fee_form": fee_form, "fee_view": fee_inputs.view(version), "needs": fee_inputs.needs,
        "inputs": fee_inputs.typed or fee_inputs.cleaned, "fee_errors": fee_inputs.errors,
        "kind_choices": fee_rules.kind_choices(fee_inputs.needs),
        "fee_amount_url": reverse("backoffice:counter_fee_amount", args=[version.procedure.code]),
    }, status=status)


@require_safe
@staff_required
def counter_fee_amount(request, code: str):
    """The amount to collect at reception for the fee inputs typed on the counter form (GET copies,
    pages, kind), for the form's script: the same rule and view as "Tính lại lệ phí"."""
    agencies = _reception_agencies(request)
    version = _version_for_counter(request, code)
    if version.receiving_agency_id not in agencies:
        return JsonResponse({"error": "forbidden"}, status=403)
    inputs = FeeInputs.of(version, request.GET)
    view = inputs.view(version)
    return JsonResponse({
        "due_vnd": view.due_vnd, "basis": inputs.basis, "errors": inputs.errors,
        "html": render_to_string("backoffice/_fee_due.html", {"view": view}, request=request),
        "text": _("Số phải thu khi tiếp nhận: %(amount)s") % {"amount": vnd(view.due_vnd, unit=_("đồng"))}
        if view.due_vnd else "",
    }, status=400 if inputs.errors else 200)


def _check_new_files(request, rows) -> dict[int, list]:
    """New uploads per component: each checked; errors go on the row, good files are returned."""
    good: dict[int, list] = {}
    for row in rows:
        # No cut here: Django refuses a request of more than DATA_UPLOAD_MAX_NUMBER_FILES files and
        # the domain refuses more than reception.MAX_FILES, with a message, instead of a file dropped.
        for upload in request.FILES.getlist(f"files-{row.pk}"):
            message = uploads.check_upload(upload, upload.name, row.component.accepted_types)
            if message:
                row.errors.append(message)
            else:
                good.setdefault(row.pk, []).append(upload)
    return good


def _kept_pending(request, rows) -> None:
    by_pk = {row.pk: row for row in rows}
    for token in request.POST.getlist("keep")[:100]:
        pending = uploads.read_pending(token, request.user.pk)
        if pending is not None and pending.component_id in by_pk:
            by_pk[pending.component_id].pending.append(pending)


def _present(rows, good) -> set[int]:
    """The components the receptionist has: ticked, or with a scan (new or kept)."""
    return {row.pk for row in rows if row.present or row.pending or good.get(row.pk)}


def _place(field_name: str, message: str, *, applicant, outcome_form, rows, general: list[str]) -> str:
    """Show a problem the domain names (by its API field) where it belongs on the page; returns
    the checklist message, if it is one."""
    name = field_name.removeprefix("applicant.")
    if field_name.startswith("applicant.") and applicant is not None and name in applicant.fields:
        applicant.add_action_error(name, message)
    elif field_name == "present":
        return message
    elif field_name in ("missing", "items") or field_name.startswith("items["):
        return message  # what the supplement request lists: shown at the checklist
    elif field_name == "reason":
        outcome_form.add_action_error("refuse_reason", message)
    elif field_name.startswith("files.") and field_name[6:].isdigit() and 0 < int(field_name[6:]) <= len(rows):
        rows[int(field_name[6:]) - 1].errors.append(message)
    else:
        general.append(message)
    return ""


def _page_items(rows, outcome_form, post) -> list[dict]:
    """What the page lists to supplement: each component left unticked with its reason (written
    under it), then the free rows (name and reason); `reception.supplement_request` adds the
    required components not ticked and checks the whole."""
    component_items, _covered = _supplement_items(rows, post)
    free = outcome_form.cleaned_data.get("free_items", []) if outcome_form.is_valid() else []
    return component_items + free


def _outcome_text(outcome_form) -> tuple[list[str], str]:
    data = outcome_form.cleaned_data if outcome_form.is_valid() else {}
    return missing_lines(data.get("missing_extra", "")), data.get("refuse_reason", "")


def _counter_post(request, version):
    post = request.POST
    token = _token(request)
    outcome = post.get("outcome", "")
    applicant = ApplicantForm(post)
    outcome_form = ReceptionOutcomeForm(post)
    case, cases, case_error = _case_choice(version, post)
    rows = _rows(version, post)
    good = _check_new_files(request, rows)
    _kept_pending(request, rows)
    general: list[str] = []
    checklist_error = ""
    fee_inputs = FeeInputs.of(version, post)
    fee_form = _fee_form(version, post, inputs=fee_inputs)
    if post.get("_refresh"):  # "Tính lại lệ phí": the page again with the amount for the inputs, nothing checked
        for form in (applicant, outcome_form, fee_form):
            form._errors = forms.utils.ErrorDict()
        for row in rows:
            for upload in good.get(row.pk, []):
                row.pending.append(uploads.keep_pending(upload, upload.name, row.pk, request.user.pk))
        return _render_counter(request, version, applicant, outcome_form, rows, cases, case, token=token,
                               fee_form=fee_form, fee_inputs=fee_inputs)
    ok = applicant.is_valid() & outcome_form.is_valid() and not case_error and not fee_inputs.errors
    if outcome == reception.RECEIVE:
        ok = fee_form.is_valid() and ok  # the fee counts only with the reception
    ok = ok and not any(row.errors for row in rows)
    if outcome not in reception.OUTCOMES:
        general.append(_("Hãy chọn một trong ba nút: Tiếp nhận, Yêu cầu bổ sung hoặc Từ chối."))
        ok = False
    elif outcome == reception.RECEIVE or outcome_form.is_valid():
        # The one completeness rule (dossiers.reception), shown with the other errors of the page.
        extra, reason = _outcome_text(outcome_form)
        if outcome == reception.SUPPLEMENT:  # the one rule of a supplement request's items
            problems = {}
            try:
                reception.supplement_request(
                    [row.component for row in rows], {row.pk for row in rows if row.present},
                    _page_items(rows, outcome_form, post), extra, scanned=_present(rows, good))
            except InvalidInput as exc:
                problems[exc.field or "items"] = exc.message
            ok = ok and not any(row.reason_error for row in rows)
        else:
            for row in rows:
                row.reason = one_line(post.get(f"reason-{row.pk}", ""))[:MAX_REASON_CHARS]
            _result, problems = reception.outcome_problems(
                outcome, [row.component for row in rows], _present(rows, good), extra=extra, reason=reason)
        for field_name, message in problems.items():
            checklist_error = _place(field_name, message, applicant=applicant, outcome_form=outcome_form,
                                     rows=rows, general=general) or checklist_error
        ok = ok and not problems

    if ok:
        try:
            fee = fee_form.fee() if outcome == reception.RECEIVE else None
            dossier = _create(request, version, case, applicant.cleaned_data, rows, good, outcome, outcome_form,
                              token, fee=fee, fee_inputs=fee_inputs.cleaned)
        except InvalidInput as exc:
            problems = exc.extra.get("fields") or [{"field": exc.field, "message": exc.message}]
            for problem in problems:
                if isinstance(exc, FileRefused):  # refused when stored: the message names the file
                    general.append(problem["message"])
                    continue
                if problem["field"] in FEE_FIELDS:
                    fee_form.add_action_error(FEE_FIELDS[problem["field"]], problem["message"])
                    continue
                if (problem["field"] or "").startswith("fee_inputs"):
                    fee_inputs.errors[problem["field"].removeprefix("fee_inputs").lstrip(".") or "copies"] = \
                        problem["message"]
                    continue
                checklist_error = _place(problem["field"] or "", problem["message"], applicant=applicant,
                                         outcome_form=outcome_form, rows=rows, general=general) or checklist_error
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except IdempotencyConflict:
            # The page was sent once already (then changed after "Back"): a new dossier needs a new form.
            general.append(_("Trang này đã được gửi một lần và hồ sơ đã được ghi nhận. Để tiếp nhận một hồ sơ "
                             "khác, hãy kiểm tra lại thông tin rồi bấm nút một lần nữa."))
            token = secrets.token_hex(16)
        except DossierError as exc:
            general.append(exc.message)
        else:
            return redirect("backoffice:dossier", code=dossier.code)

    # Show the form again: keep the good new files as pending uploads.
    for row in rows:
        for upload in good.get(row.pk, []):
            row.pending.append(uploads.keep_pending(upload, upload.name, row.pk, request.user.pk))
    return _render_counter(request, version, applicant, outcome_form, rows, cases, case, token=token,
                           case_error=case_error, checklist_error=checklist_error, general_errors=general,
                           outcome=outcome, fee_form=fee_form, fee_inputs=fee_inputs)


def _create(request, version, case, data, rows, good, outcome, outcome_form, token, *, fee=None,
            fee_inputs=None) -> Dossier:
    """The form's values to `dossiers.reception.receive_at_counter` (the API's door too)."""
    user = request.user
    extra, reason = _outcome_text(outcome_form)
    applicant = actions.Applicant(
        name=data["name"], id_number=data["id_number"], phone=data["phone"], email=data["email"],
        address=data["address"], kind=data["applicant_kind"],
    )
    used_pending: list[uploads.Pending] = []
    with contextlib.ExitStack() as opened:
        files = []
        for row in rows:
            files += [reception.CounterFile(row.component, upload, upload.name) for upload in good.get(row.pk, [])]
            for pending in row.pending:
                files.append(reception.CounterFile(row.component, opened.enter_context(uploads.open_pending(pending)),
                                                   pending.name))
                used_pending.append(pending)
        result = reception.receive_at_counter(
            actor=user, version=version, case=case, applicant=applicant, files=files,
            present=[row.component for row in rows if row.present], outcome=outcome, missing=extra, reason=reason,
            items=_page_items(rows, outcome_form, request.POST) if outcome == reception.SUPPLEMENT else (),
            delivery=data["delivery"], idempotency_key=f"bo-counter:{token}", fee=fee, fee_inputs=fee_inputs,
        )
    for pending in used_pending:  # stored with the dossier (or not needed: refused, or sent before)
        uploads.discard(pending)
    dossier = result.dossier
    if result.replayed:
        messages.info(request, _("Hồ sơ %(code)s đã được ghi nhận từ lần gửi trước.") % {"code": dossier.code})
        return dossier
    _outcome_message(request, dossier, outcome, result.extra["reception"].missing)
    return dossier


def _outcome_message(request, dossier, outcome, missing) -> None:
    if outcome == "receive":
        due = timezone.localtime(dossier.due_at).strftime("%H:%M ngày %d/%m/%Y") if dossier.due_at else "—"
        messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả: %(due)s. Hãy in giấy tiếp nhận "
                                    "(mẫu 01) cho người nộp.") % {"code": dossier.code, "due": due})
    elif outcome == "supplement":
        messages.success(request, _("Đã lập yêu cầu bổ sung cho hồ sơ %(code)s (%(n)d mục). Hãy in phiếu yêu cầu "
                                    "bổ sung (mẫu 02) cho người nộp.") % {"code": dossier.code, "n": len(missing)})
    else:
        messages.success(request, _("Đã từ chối tiếp nhận hồ sơ %(code)s. Hãy in phiếu từ chối (mẫu 03) cho người "
                                    "nộp.") % {"code": dossier.code})


# --- online queue ----------------------------------------------------------------------------------------


@require_safe
@staff_required
def online_queue(request):
    agencies = _reception_agencies(request)
    if not agencies:
        return _not_receptionist(request)
    waiting = (
        Dossier.objects.filter(agency_id__in=agencies, status=Status.SUBMITTED)
        .select_related(*LIST_RELATED).order_by("submitted_at", "id")
    )
    page = paginate(request, waiting)
    fee_states = awaiting.shown_many(page.object_list)  # level 4: "Chờ nộp phí" / "Quá hạn…" / "Đã nộp phí"
    for d in page.object_list:
        d.fee_state = fee_states.get(d.pk)
    supplementing = list(
        Dossier.objects.filter(agency_id__in=agencies, status=Status.SUPPLEMENT_REQUESTED,
                               resume_status=Status.SUBMITTED)
        .select_related(*LIST_RELATED).order_by("updated_at", "id")[:50]
    )
    return staff_render(request, "backoffice/online_queue.html", {
        "page": page, "page_query": "", "supplementing": supplementing,
    })


def _supplement_items(rows, post) -> tuple[list[dict], set[int]]:
    """The components the receptionist wrote what to supplement for: one item each, the reason
    attached to it (never a line of its own). A component ticked good with a reason is an error."""
    items, covered = [], set()
    for row in rows:
        row.reason = one_line(post.get(f"reason-{row.pk}", ""))[:MAX_REASON_CHARS]
        if not row.reason:
            continue
        if row.present:
            name = row.component.name if len(row.component.name) <= 80 else row.component.name[:79] + "…"
            row.reason_error = _("Bỏ đánh dấu «%(name)s» nếu giấy tờ này cần bổ sung, hoặc xóa nội dung đã ghi.") % {
                "name": name}
            continue
        items.append({"component": row.component, "reason": row.reason})
        covered.add(row.pk)
    return items, covered


def component_rows(dossier, post=None, *, user) -> list[ComponentRow]:
    """The dossier's components with the files `user` may open (one query for the files)."""
    files: dict[int | None, list[DossierFile]] = {}
    shown = visible_files(user, dossier).exclude(kind=FileKind.RESULT).select_related("uploaded_by")
    for f in shown.order_by("uploaded_at", "id"):
        files.setdefault(f.component_id, []).append(f)
    rows = _rows(dossier.procedure_version, post)
    for row in rows:
        row.files = files.get(row.pk, [])
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def online_check(request, code: str):
    dossier = dossier_or_404(request, code, Dossier.objects.select_related(
        "procedure_version__procedure", "procedure_version__receiving_agency", "case", "agency", "owner"))
    if request.method != "POST":
        log_access(request, dossier, "view")  # the applicant's data and files (audit)
    seen = request.POST.get("version", "") if request.method == "POST" else ""
    token = _token(request)
    if seen and IdempotencyKey.objects.filter(actor=request.user, key=f"bo-check:{token}").exists():
        messages.info(request, _("Thao tác này đã được thực hiện ở lần bấm trước."))
        return redirect("backoffice:dossier", code=dossier.code)
    if seen.isdigit() and int(seen) != dossier.version:
        messages.error(request, CONCURRENT_MESSAGE)
        target = "backoffice:online_check" if dossier.status == Status.SUBMITTED else "backoffice:dossier"
        return redirect(target, code=dossier.code)
    if dossier.status != Status.SUBMITTED:
        messages.info(request, _("Hồ sơ %(code)s không còn chờ tiếp nhận (trạng thái: %(status)s).")
                      % {"code": dossier.code, "status": dossier.get_status_display()})
        return redirect("backoffice:dossier", code=dossier.code)
    allowed = set(allowed_actions(request.user, dossier))
    if not allowed & {Action.RECEIVE, Action.REFUSE}:
        return _not_receptionist(request)
    post = request.POST if request.method == "POST" else None
    rows = component_rows(dossier, post, user=request.user)
    outcome_form = ReceptionOutcomeForm(post)
    fees = list(dossier.procedure_version.fees.order_by("order", "id"))  # read once for both fee views
    fee_view = counter_fee_view(dossier, "at_reception", fees)
    fee_form = CounterFeeForm(post) if post is not None else CounterFeeForm(
        initial={"fee_amount": str(fee_view.due_vnd)})
    general: list[str] = []
    checklist_error = ""
    outcome = post.get("outcome", "") if post else ""
    if post is not None:
        version = post.get("version", "")
        ok = outcome_form.is_valid()
        missing: list[str] = []
        items: list[dict] = []
        if outcome not in reception.OUTCOMES:
            general.append(_("Hãy chọn một trong ba nút: Tiếp nhận, Yêu cầu bổ sung hoặc Từ chối."))
            ok = False
        elif outcome == reception.RECEIVE or ok:
            # The counter's completeness rule (dossiers.reception); here a tick means "checked, good".
            extra, reason = _outcome_text(outcome_form)
            if outcome == reception.SUPPLEMENT:  # the one rule of a supplement request's items
                problems = {}
                try:
                    items, missing = reception.supplement_request(
                        [row.component for row in rows], {row.pk for row in rows if row.present},
                        _page_items(rows, outcome_form, post), extra)
                except InvalidInput as exc:
                    problems[exc.field or "items"] = exc.message
                ok = ok and not any(row.reason_error for row in rows)
            else:
                _checklist, problems = reception.outcome_problems(
                    outcome, [row.component for row in rows], {row.pk for row in rows if row.present},
                    extra=extra, reason=reason)
            for field_name, message in problems.items():
                checklist_error = _place(field_name, message, applicant=None, outcome_form=outcome_form,
                                         rows=rows, general=general) or checklist_error
            ok = ok and not problems
        if outcome == reception.RECEIVE:
            ok = fee_form.is_valid() and ok  # the fee counts only with the reception
        if ok:
            common = {"actor": request.user, "expected_version": int(version) if version.isdigit() else None,
                      "idempotency_key": f"bo-check:{token}"}
            try:
                if outcome == "receive":  # the reception and the fee collected now: one transaction
                    result = actions.receive_with_fee(dossier, fee=fee_form.fee(), **common)
                elif outcome == "supplement":
                    result = actions.request_supplement(dossier, items=items, missing=missing, **common)
                else:
                    result = actions.refuse(dossier, reason=outcome_form.cleaned_data["refuse_reason"], **common)
            except ConcurrentUpdate:
                messages.error(request, CONCURRENT_MESSAGE)
                return redirect("backoffice:online_check", code=dossier.code)
            except (ActionNotAllowed, PermissionDenied) as exc:
                messages.error(request, exc.message)
                return redirect("backoffice:dossier", code=dossier.code)
            except InvalidInput as exc:
                if exc.field in FEE_FIELDS:
                    fee_form.add_action_error(FEE_FIELDS[exc.field], exc.message)
                else:
                    target = {"reason": "refuse_reason", "missing": "missing_extra"}.get(exc.field)
                    outcome_form.add_action_error(target, exc.message)
            else:
                _outcome_message(request, result.dossier, outcome, items + missing)
                return redirect("backoffice:dossier", code=dossier.code)
    errors = [("checklist", checklist_error)] if checklist_error else []
    errors += [(f"reason-{row.pk}", row.reason_error) for row in rows if row.reason_error]
    errors += [(f.auto_id, e) for f in outcome_form for e in f.errors]
    errors += [(f.auto_id, e) for f in fee_form for e in f.errors] if fee_form.is_bound else []
    errors += [("", e) for e in list(outcome_form.non_field_errors()) + general]
    status = 400 if errors and request.method == "POST" else 200  # refused input: the page again
    return staff_render(request, "backoffice/online_check.html", {
        "dossier": dossier, "rows": rows, "outcome_form": outcome_form, "token": token, "errors": errors,
        "checklist_error": checklist_error, "outcome": outcome, "reasons": Action.REQUEST_SUPPLEMENT in allowed,
        "can_supplement": Action.REQUEST_SUPPLEMENT in allowed, "fees": dossier_fee_views(dossier, fees),
        "fee_state": awaiting.shown(dossier),
        "reception_url": reverse("backoffice:online_queue"), "fee_form": fee_form, "fee_view": fee_view,
    }, status=status)
