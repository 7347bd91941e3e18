"""Check and publish a draft, retire a version, the service level page, catalogue import and export.

Thin views over `catalog.actions` (every write: publish, retire, the level, the import, each with
its change-log rows in the same transaction), `catalog.validation` (the rules, shown on the check
page), `publishing` (the readable difference) and `catalog.importer` (the Foundation's JSON format)."""

from __future__ import annotations

import functools
import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.agencies.models import Agency
from motcua.catalog import actions as catalog_actions
from motcua.catalog import importer
from motcua.catalog.models import ProcedureVersion, Sector, ServiceLevel, Synonym
from motcua.catalog.normalize import key as search_key
from motcua.core.widgets import FilePicker

from . import publishing
from .access import admin_render, admin_required, can_configure, draft_required, procedure_admin, reviewers_too
from .forms_procedures import AdminForm
from .tabs import tab_context

BASE = "/can-bo/quan-tri/"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _render(request, template: str, context: dict, status: int = 200, admin_nav: str = "procedures"):
    return admin_render(request, template, context, admin_nav=admin_nav, status=status)


def _overview(procedure) -> str:
    return f"{BASE}thu-tuc/{procedure.code}/"


# --- check and publish ----------------------------------------------------------------------------------


class PublishForm(AdminForm):
    note = forms.CharField(
        label=gettext_lazy("Nội dung thay đổi"), max_length=500,
        help_text=gettext_lazy("Tóm tắt điều đã đổi so với phiên bản trước; hiện trong lịch sử phiên bản."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(AdminForm):
    reason = forms.CharField(
        label=gettext_lazy("Lý do trả lại"), max_length=400,
        help_text=gettext_lazy("Người soạn đọc lý do này để biết cần sửa gì."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, withdrawing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if withdrawing:  # the proposer takes their own proposal back: a note, if they like
            field = self.fields["reason"]
            field.required, field.label = False, _("Ghi chú khi rút đề nghị (không bắt buộc)")
            field.help_text = _("Hiện trong nhật ký thay đổi.")
            self._bound_fields_cache.pop("reason", None)  # its label was read when the form was styled


def _last_return(draft: ProcedureVersion):
    """The newest «Trả lại» of this draft (shown to its editors until it is proposed again)."""
    from motcua.audit.models import ChangeAction, ChangeLog

    return (ChangeLog.objects.filter(object_type=ProcedureVersion._meta.label_lower, object_id=str(draft.pk),
                                     action=ChangeAction.RETURN).select_related("actor").order_by("-at", "-pk")
            .first())


def _check_context(request, draft: ProcedureVersion, form: PublishForm, problems=None,
                   return_form: ReturnForm | None = None) -> dict:
    procedure = request.procedure
    draft = ProcedureVersion.objects.select_related("agency", "review_requested_by").get(pk=draft.pk)
    problems = publishing.validate_draft(draft) if problems is None else problems
    base = publishing.base_version(draft)
    waiting = draft.awaiting_review
    proposer = waiting and draft.review_requested_by_id == request.user.pk
    return_form = return_form or ReturnForm(withdrawing=proposer)
    # A reviewer of a parent agency sees this page (access.reviewers_too) but edits nothing here.
    may_edit = can_configure(request.staff, draft.agency_id)
    refusal = catalog_actions.approval_refusal(request.user, draft) if waiting and not proposer else None
    return {
        **tab_context(procedure, "kiem-tra"),
        "draft": draft, "base": base, "problems": problems,
        "diff": publishing.diff_versions(base, draft), "form": form,
        "errors": form.error_list() + return_form.error_list(), "return_form": return_form,
        "sections": publishing.SECTION_LABELS,
        "review_required": catalog_actions.review_required(draft), "waiting": waiting, "is_proposer": proposer,
        "may_review": waiting and not proposer and catalog_actions.may_review(request.user, draft.agency),
        "may_approve": waiting and not proposer and refusal is None, "approval_refusal": refusal,
        "may_edit": may_edit,
        # The proposal this page shows: approving or sending back from it refuses another one.
        "review_token": catalog_actions.review_token(draft) if waiting else "",
        "last_return": None if waiting else _last_return(draft),
    }


@draft_required
@reviewers_too
def draft_check(request, code):
    draft = request.draft
    form = PublishForm(initial={"note": draft.change_note})
    return _render(request, "administration/publish/check.html", _check_context(request, draft, form))


def _waiting_draft(view):
    """For the approval's POSTs: like draft_required, but the draft is expected to be waiting."""

    @functools.wraps(view)
    def wrapper(request, code):
        if request.draft is None:
            messages.warning(request, _("Thủ tục không có bản nháp chờ duyệt."))
            return redirect(_overview(request.procedure))
        return view(request, code)

    # Who may open these is who may review (catalog.actions.may_review), as on the check page.
    return require_POST(procedure_admin(reviewers_too(wrapper)))


def _check_url(procedure) -> str:
    return f"{BASE}thu-tuc/{procedure.code}/ban-nhap/kiem-tra/"


@require_POST
@draft_required
def draft_submit(request, code):
    """Four eyes, first pair: propose the draft for publication (it is then locked)."""
    procedure, draft = request.procedure, request.draft
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _render(request, "administration/publish/check.html", _check_context(request, draft, form), 400)
    try:
        catalog_actions.submit_for_review(draft, actor=request.user, note=form.cleaned_data["note"])
    except catalog_actions.DraftRefused as refused:
        messages.error(request, _("Chưa gửi được: bản nháp còn %(n)s vấn đề cần sửa (xem danh sách bên dưới).")
                       % {"n": len(refused.problems)})
        return _render(request, "administration/publish/check.html",
                       _check_context(request, draft, form, refused.problems), 400)
    except catalog_actions.InvalidChange as exc:
        form.add_error("note", exc.message)
        return _render(request, "administration/publish/check.html", _check_context(request, draft, form), 400)
    except catalog_actions.PublishError as exc:  # not required any more, waiting already, published
        messages.error(request, str(exc))
        return redirect(_check_url(procedure))
    messages.success(request, _("Đã gửi đề nghị công bố phiên bản %(n)s. Bản nháp bị khóa cho đến khi một quản trị "
                                "khác duyệt hoặc trả lại.") % {"n": draft.number})
    return redirect(_check_url(procedure))


@_waiting_draft
def draft_approve(request, code):
    """Four eyes, second pair: another admin approves, and the draft is published."""
    procedure = request.procedure
    try:
        draft = catalog_actions.approve_publication(request.draft, actor=request.user,
                                                    expected=request.POST.get("expected", "")[:100])
    except catalog_actions.DraftRefused as refused:
        messages.error(request, _("Chưa công bố được: bản nháp còn %(n)s vấn đề cần sửa (xem danh sách bên dưới).")
                       % {"n": len(refused.problems)})
        return _render(request, "administration/publish/check.html",
                       _check_context(request, request.draft, PublishForm(), refused.problems), 400)
    except catalog_actions.PublishError as exc:  # the proposer, not a reviewer, not waiting any more
        messages.error(request, str(exc))
        return redirect(_check_url(procedure) if request.draft.state == ProcedureVersion.State.DRAFT
                        else _overview(procedure))
    messages.success(request, _(
        "Đã duyệt và công bố phiên bản %(n)s của thủ tục %(code)s. Cổng dịch vụ công và bộ phận một cửa dùng phiên "
        "bản này cho hồ sơ mới; hồ sơ đã tiếp nhận vẫn giữ phiên bản cũ."
    ) % {"n": draft.number, "code": procedure.code})
    return redirect(_overview(procedure))


@_waiting_draft
def draft_send_back(request, code):
    """Four eyes: the reviewer sends the proposal back with a reason (or the proposer withdraws it)."""
    procedure = request.procedure
    form = ReturnForm(request.POST, withdrawing=request.draft.review_requested_by_id == request.user.pk)
    if not form.is_valid():
        return _render(request, "administration/publish/check.html",
                       _check_context(request, request.draft, PublishForm(), return_form=form), 400)
    try:
        catalog_actions.send_back(request.draft, actor=request.user, reason=form.cleaned_data["reason"],
                                  expected=request.POST.get("expected", "")[:100])
    except catalog_actions.PublishError as exc:
        messages.error(request, str(exc))
        return redirect(_check_url(procedure))
    messages.success(request, _("Đã trả lại bản nháp phiên bản %(n)s; bản nháp lại sửa được.")
                     % {"n": request.draft.number})
    return redirect(_check_url(procedure))


@require_POST
@draft_required
def draft_publish(request, code):
    procedure, draft = request.procedure, request.draft
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _render(request, "administration/publish/check.html", _check_context(request, draft, form), 400)
    note = form.cleaned_data["note"]
    try:
        draft = catalog_actions.publish_draft(draft, actor=request.user, note=note)
    except catalog_actions.DraftRefused as refused:
        messages.error(request, _("Chưa công bố được: bản nháp còn %(n)s vấn đề cần sửa (xem danh sách bên dưới).")
                       % {"n": len(refused.problems)})
        return _render(request, "administration/publish/check.html",
                       _check_context(request, draft, form, refused.problems), 400)
    except catalog_actions.PublishError as exc:
        messages.error(request, str(exc))
        return redirect(_overview(procedure))
    messages.success(request, _(
        "Đã công bố phiên bản %(n)s của thủ tục %(code)s. Cổng dịch vụ công và bộ phận một cửa dùng phiên bản này "
        "cho hồ sơ mới; hồ sơ đã tiếp nhận vẫn giữ phiên bản cũ."
    ) % {"n": draft.number, "code": procedure.code})
    return redirect(_overview(procedure))


# --- retire ----------------------------------------------------------------------------------------------


@procedure_admin
def version_retire(request, code, number: int):
    procedure = request.procedure
    version = (ProcedureVersion.objects.select_related("procedure", "agency")
               .filter(procedure=procedure, number=number).first())
    if version is None:
        raise Http404("no such version")
    if version.state != ProcedureVersion.State.PUBLISHED:
        messages.warning(request, _("Phiên bản %(n)s không đang áp dụng nên không cần ngừng.") % {"n": number})
        return redirect(_overview(procedure))
    from motcua.dossiers.lifecycle import TERMINAL
    from motcua.dossiers.models import Dossier

    open_count = Dossier.objects.filter(procedure_version=version).exclude(status__in=TERMINAL).count()
    if request.method == "POST":
        try:
            catalog_actions.retire(version, actor=request.user)
        except catalog_actions.PublishError as exc:  # retired by someone else meanwhile
            messages.warning(request, str(exc))
            return redirect(_overview(procedure))
        messages.success(request, _(
            "Đã ngừng áp dụng phiên bản %(n)s. Thủ tục không còn nhận hồ sơ mới trên cổng cho đến khi công bố "
            "phiên bản mới; hồ sơ đã tiếp nhận vẫn được giải quyết theo phiên bản này."
        ) % {"n": number})
        return redirect(_overview(procedure))
    return _render(request, "administration/publish/retire.html", {
        "procedure": procedure, "version": version, "open_count": open_count,
    })


# --- service level ---------------------------------------------------------------------------------------


class LevelForm(AdminForm):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Mức độ muốn áp dụng"), choices=ServiceLevel.choices, coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Mức độ 3 cần thành phần hồ sơ và biểu mẫu điện tử; mức độ 4 cần thêm thanh toán "
                               "trực tuyến (khi có thu phí) và chứng thư số của cơ quan."),
    )


def _level_rows(version: ProcedureVersion) -> list[dict]:
    rows = []
    for value, label in ServiceLevel.choices:
        gaps = publishing.level_gaps(version, value)
        rows.append({"value": value, "label": label, "gaps": gaps, "ready": not gaps})
    return rows


@procedure_admin
def service_level(request, code):
    procedure = request.procedure
    draft = request.draft
    subject = draft or request.latest  # a new draft is a copy of the latest version
    current = procedure.published
    form = LevelForm(request.POST if request.method == "POST" else None, initial={"level": subject.level})
    refused = []
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["level"]
        try:
            draft = catalog_actions.set_level(procedure, actor=request.user, level=target,
                                              note=_("Đổi mức độ dịch vụ"))
        except catalog_actions.LevelRefused as exc:
            refused = exc.problems
        except catalog_actions.PublishError as exc:  # published or refused meanwhile, a bad level
            messages.error(request, str(exc))
            return redirect(f"{BASE}thu-tuc/{procedure.code}/")
        else:
            messages.success(request, _(
                "Đã đặt mức độ %(level)s cho bản nháp phiên bản %(n)s. Kiểm tra và công bố bản nháp để áp dụng trên "
                "cổng."
            ) % {"level": target, "n": draft.number})
            return redirect(f"{BASE}thu-tuc/{procedure.code}/ban-nhap/kiem-tra/")
        messages.error(request, _("Chưa nâng được lên mức độ %(level)s: còn thiếu %(n)s điều (xem bên dưới).")
                       % {"level": target, "n": len(refused)})
    payment_ok, payment_note = publishing.payment_configured()
    status = 400 if request.method == "POST" else 200
    return _render(request, "administration/publish/level.html", {
        "procedure": procedure, "draft": draft, "subject": subject, "current": current, "form": form,
        "errors": form.error_list() + [("", str(g)) for g in refused], "refused": refused,
        "rows": _level_rows(subject), "payment_ok": payment_ok, "payment_note": payment_note,
        "certificate": publishing.signing_certificate(subject),
    }, status)


# --- catalogue import and export ------------------------------------------------------------------------


class ImportForm(AdminForm):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh mục (JSON)"),
        help_text=gettext_lazy("Tệp .json theo định dạng danh mục của Quỹ (như tệp xuất ở trang này). Nếu tệp có lỗi "
                               "thì không có gì được ghi."),
        widget=FilePicker(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": MAX_IMPORT_BYTES // 2**20})
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _("Tệp không phải văn bản UTF-8; hãy chọn tệp .json xuất từ hệ thống.")) from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Tệp không đúng định dạng JSON (dòng %(line)s, cột %(col)s: %(msg)s).")
                                        % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from exc
        except RecursionError as exc:
            raise forms.ValidationError(_("Tệp lồng nhau quá sâu, không đọc được.")) from exc


def scope_problems(data, admin_ids: set[int] | None) -> list[str]:
    """What an agency admin's file may not do: procedures of other agencies, and changes to the
    shared lists (agencies, sectors) that only a provincial admin makes. (A procedure with a draft
    is refused by the import itself, catalog.actions.import_procedure, whatever the door.)"""
    _agencies, _sectors, procedures = importer.validate(data)
    problems: list[str] = []
    codes = [p["code"] for p in procedures]
    latest = {}
    for v in ProcedureVersion.objects.filter(procedure__code__in=codes).select_related("procedure").order_by("number"):
        latest[v.procedure.code] = v
    if admin_ids is None:
        return problems
    own_units = set(Agency.objects.filter(pk__in=admin_ids).values_list("unit_code", flat=True))
    for spec in procedures:
        if spec["agency"] not in own_units:
            problems.append(_("Thủ tục %(code)s: cơ quan thực hiện %(unit)s không phải cơ quan của bạn; bạn chỉ được "
                              "nhập thủ tục của cơ quan mình.") % {"code": spec["code"], "unit": spec["agency"]})
        current = latest.get(spec["code"])
        if current is not None and current.agency_id not in admin_ids:
            problems.append(_("Thủ tục %(code)s đang thuộc cơ quan khác; bạn không được thay thế.")
                            % {"code": spec["code"]})
    units = {a.unit_code: a for a in Agency.objects.select_related("parent")}
    for spec in _agencies:
        agency = units.get(spec["unit_code"])
        same = agency is not None and (agency.name, agency.kind, agency.address,
                                       agency.parent.unit_code if agency.parent_id else None) == (
            spec["name"], spec["kind"], spec["address"], spec["parent"])
        if not same:
            problems.append(_("Cơ quan %(unit)s: chỉ quản trị cấp tỉnh được thêm hoặc sửa danh mục cơ quan; "
                              "hãy bỏ cơ quan này khỏi tệp hoặc giữ đúng thông tin hiện có.")
                            % {"unit": spec["unit_code"]})
    sectors = dict(Sector.objects.values_list("code", "name"))
    for spec in _sectors:
        if sectors.get(spec["code"]) != spec["name"]:
            problems.append(_("Lĩnh vực %(code)s: chỉ quản trị cấp tỉnh được thêm hoặc sửa danh mục lĩnh vực.")
                            % {"code": spec["code"]})
    problems += _synonym_scope(data)
    return problems


def _synonym_scope(data) -> list[str]:
    """The province-wide synonym table is a provincial admin's: an agency admin's file may carry it
    (an export does) only unchanged."""
    try:
        synonyms, _names = importer.search_data(data)
    except importer.CatalogError:
        return []  # the import itself reports the file's problems
    table = dict(Synonym.objects.values_list("key", "meaning"))
    return [_("Từ đồng nghĩa «%(phrase)s»: chỉ quản trị cấp tỉnh được thêm hoặc sửa bảng từ đồng nghĩa dùng chung; "
              "hãy bỏ dòng này (hoặc trường synonyms) khỏi tệp.") % {"phrase": phrase[:100]}
            for phrase, meaning in synonyms or [] if table.get(search_key(phrase)) != meaning]


def group_problems(problems: list[str]) -> list[tuple[str, list[str]]]:
    """The importer's messages grouped by the item they name («Thủ tục 1.0001 (thứ 2 trong tệp): …»)."""
    groups: dict[str, list[str]] = {}
    for text in problems:
        item, sep, rest = text.partition(": ")
        if not sep or len(item) > 200:
            item, rest = _("Tệp"), text
        groups.setdefault(item, []).append(rest)
    return list(groups.items())


@admin_required
def transfer(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    problems: list[tuple[str, list[str]]] = []
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data["file"]
            try:
                scope = scope_problems(data, request.admin_ids)
                if scope:
                    raise importer.CatalogError(scope)
                report = importer.import_catalog(data, actor=request.user)
                status = 200
            except importer.CatalogError as exc:
                problems = group_problems(exc.problems)
                messages.error(request, _("Không nhập được: tệp có %(n)s lỗi. Không có gì được ghi; hãy sửa tệp rồi "
                                          "nhập lại.") % {"n": len(exc.problems)})
            if report is not None:
                messages.success(request, _("Đã nhập tệp «%(name)s». %(summary)s")
                                 % {"name": request.FILES["file"].name[:200], "summary": report.summary()})
    uploaded = request.FILES.get("file")
    return _render(request, "administration/publish/transfer.html", {
        "form": form, "errors": form.error_list(), "problems": problems, "report": report,
        "uploaded_name": uploaded.name if uploaded else "",
        "export_count": _exported_versions(request.admin_ids).count(), "all_agencies": request.admin_ids is None,
    }, status, admin_nav="transfer")


def _exported_versions(admin_ids):
    qs = ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)
    if admin_ids is not None:
        qs = qs.filter(agency_id__in=admin_ids)
    return qs


def export_data(admin_ids: set[int] | None) -> dict:
    """The published procedures of these agencies (None: all) in the import format, with the
    agencies (and their parents) and sectors they name, so the file imports on its own."""
    if admin_ids is None:
        return importer.export_catalog()
    versions = list(
        _exported_versions(admin_ids)
        .select_related("procedure", "sector", "agency", "receiving_agency")
        .prefetch_related("cases__steps__agency", "components__form", "fees", "guides", "faqs")
        .order_by("procedure__code")
    )
    wanted: set[int] = set()
    for v in versions:
        wanted |= {v.agency_id, v.receiving_agency_id}
        wanted |= {s.agency_id for c in v.cases.all() for s in c.steps.all() if s.agency_id}
    all_agencies = {a.pk: a for a in Agency.objects.select_related("parent")}
    for pk in list(wanted):
        node = all_agencies.get(pk)
        while node is not None and node.parent_id and node.parent_id not in wanted:
            wanted.add(node.parent_id)
            node = all_agencies.get(node.parent_id)
    agencies = [
        {"unit_code": a.unit_code, "name": a.name, "kind": a.kind,
         "parent": a.parent.unit_code if a.parent_id else None, "address": a.address}
        for a in sorted((all_agencies[pk] for pk in wanted if pk in all_agencies), key=lambda a: a.unit_code)
    ]
    sector_ids = {v.sector_id for v in versions}
    sectors = [{"code": s.code, "name": s.name} for s in Sector.objects.filter(pk__in=sector_ids).order_by("code")]
    return importer.add_search_data({"format": importer.FORMAT_VERSION, "agencies": agencies, "sectors": sectors,
                                     "procedures": [importer.version_to_dict(v) for v in versions]})


@admin_required
def transfer_export(request):
    data = export_data(request.admin_ids)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    name = f"danh-muc-thu-tuc-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("thu-tuc/<str:code>/ban-nhap/kiem-tra/", draft_check, name="draft_check"),
    path("thu-tuc/<str:code>/ban-nhap/cong-bo/", draft_publish, name="draft_publish"),
    path("thu-tuc/<str:code>/ban-nhap/de-nghi-cong-bo/", draft_submit, name="draft_submit"),
    path("thu-tuc/<str:code>/ban-nhap/duyet-cong-bo/", draft_approve, name="draft_approve"),
    path("thu-tuc/<str:code>/ban-nhap/tra-lai/", draft_send_back, name="draft_send_back"),
    path("thu-tuc/<str:code>/phien-ban/<int:number>/ngung/", version_retire, name="version_retire"),
    path("thu-tuc/<str:code>/muc-do/", service_level, name="service_level"),
    path("nhap-xuat/", transfer, name="transfer"),
    path("nhap-xuat/xuat/", transfer_export, name="transfer_export"),
]
