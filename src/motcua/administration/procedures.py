"""Procedure admin: the list, create and copy, a procedure's overview, the draft's sections
(general information, cases, components, fees, guides, FAQ) and the change log page.

Views are thin: forms check the input (forms_procedures) and render; every write goes through
the catalogue's actions (catalog.actions), which lock the draft, apply the catalogue's rules and
write the change log in the same transaction. Only a draft's rows are ever looked up for editing,
so a published version can never be changed here (an id of another version is a 404)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import DateTimeField, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.audit import changelog
from motcua.audit.models import ChangeLog
from motcua.catalog import actions as catalog_actions
from motcua.catalog import fees as fee_rules
from motcua.catalog.models import (
    FAQ,
    Component,
    Fee,
    Guide,
    ProcedureCase,
    ProcedureVersion,
)
from motcua.core.dates import parse_iso_datetime
from motcua.core.money import vnd
from motcua.core.text import query_words
from motcua.staff.pages import staff_render

from .access import admin_agencies, admin_render, admin_required, draft_required, procedure_admin
from .forms_procedures import (
    CaseForm,
    ComponentForm,
    DraftStartForm,
    FAQForm,
    FeeForm,
    GeneralForm,
    GuideForm,
    ListFilterForm,
    ProcedureCopyForm,
    ProcedureCreateForm,
)
from .tabs import tab_context

PER_PAGE = 50
BASE = "/can-bo/quan-tri/"


def _render(request, template: str, context: dict, status: int = 200):
    return admin_render(request, template, context, admin_nav="procedures", status=status)


def _draft_url(procedure, tab: str) -> str:
    return f"{BASE}thu-tuc/{procedure.code}/ban-nhap/{tab}/"


# --- the list --------------------------------------------------------------------------------------------


def _latest_versions():
    newest = ProcedureVersion.objects.filter(procedure=OuterRef("procedure")).order_by("-number").values("number")[:1]
    return ProcedureVersion.objects.filter(number=Subquery(newest))


@admin_required
def procedure_list(request):
    agencies = admin_agencies(request.staff).order_by("name")
    filters = ListFilterForm(request.GET or None, agencies=agencies)
    qs = _latest_versions().select_related("procedure__published", "agency", "sector")
    if request.admin_ids is not None:
        qs = qs.filter(agency_id__in=request.admin_ids)
    q = ""
    if filters.is_bound:
        filters.is_valid()  # a bad agency id is ignored; the search text still applies
        q = filters.cleaned_data.get("q") or ""
        if filters.cleaned_data.get("agency") is not None:
            qs = qs.filter(agency=filters.cleaned_data["agency"])
    if q:
        words = query_words(q)
        by_name = Q()
        for word in words:
            by_name &= Q(search_name__contains=f" {word}")
        qs = qs.filter((by_name if words else Q(pk__in=[])) | Q(procedure__code__icontains=q.strip()[:50]))
    page = Paginator(qs.order_by("procedure__code"), PER_PAGE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return _render(request, "administration/procedures/list.html", {
        "filters": filters, "page": page, "q": q, "query": query.urlencode(),
        "show_agency_filter": agencies.count() > 1,
    })


# --- create and copy -------------------------------------------------------------------------------------


@admin_required
def procedure_new(request):
    agencies = admin_agencies(request.staff).order_by("name")
    form = ProcedureCreateForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = catalog_actions.create_procedure(
                actor=request.user, code=data["code"], name=data["name"], sector=data["sector"],
                agency=data["agency"], case_name=data["case_name"], time_amount=data["time_amount"],
                time_unit=data["time_unit"])
        except catalog_actions.InvalidChange as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _render(request, "administration/procedures/new.html", {"form": form, "errors": form.error_list()})
        procedure = version.procedure
        messages.success(request, _("Đã tạo thủ tục %(code)s (bản nháp phiên bản 1). Hãy bổ sung thành phần hồ sơ, "
                                    "phí và quy trình rồi kiểm tra và công bố.") % {"code": procedure.code})
        return redirect(_draft_url(procedure, "chung"))
    return _render(request, "administration/procedures/new.html", {"form": form, "errors": form.error_list()})


@procedure_admin
def procedure_copy(request, code):
    procedure = request.procedure
    source = procedure.published or request.latest
    agencies = admin_agencies(request.staff).order_by("name")
    initial = {"name": _("%(name)s (bản sao)") % {"name": source.name}, "agency": source.agency_id}
    form = ProcedureCopyForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        note = _("Sao chép từ %(code)s phiên bản %(number)s") % {"code": procedure.code, "number": source.number}
        draft = catalog_actions.copy_procedure(source, code=data["code"], name=data["name"], agency=data["agency"],
                                               actor=request.user, note=note)
        messages.success(request, _("Đã tạo thủ tục %(code)s bằng cách sao chép %(source)s. Bản nháp đã sẵn sàng để "
                                    "sửa.") % {"code": draft.procedure.code, "source": procedure.code})
        return redirect(_draft_url(draft.procedure, "chung"))
    return _render(request, "administration/procedures/copy.html", {
        "procedure": procedure, "source": source, "form": form, "errors": form.error_list(),
    })


# --- overview and starting a draft -----------------------------------------------------------------------


@procedure_admin
def procedure_overview(request, code):
    procedure = request.procedure
    versions = list(procedure.versions.select_related("agency", "sector").order_by("-number"))
    version_ids = [str(v.pk) for v in versions]
    last = (ChangeLog.objects.filter(object_type="catalog.procedureversion", object_id__in=version_ids)
            .select_related("actor").first())
    return _render(request, "administration/procedures/overview.html", {
        "procedure": procedure, "versions": versions, "latest": request.latest, "draft": request.draft,
        "published": next((v for v in versions if v.state == ProcedureVersion.State.PUBLISHED), None),
        "last_change": last, "start_form": DraftStartForm(), "draft_tabs": tab_context(procedure, "")["draft_tabs"],
    })


@procedure_admin
@require_POST
def draft_start(request, code):
    procedure = request.procedure
    if request.draft is not None:
        messages.info(request, _("Thủ tục đã có bản nháp (phiên bản %(n)s); tiếp tục sửa bản nháp này.")
                      % {"n": request.draft.number})
        return redirect(_draft_url(procedure, "chung"))
    form = DraftStartForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    draft = catalog_actions.start_draft(procedure, note=note, actor=request.user)
    messages.success(request, _("Đã tạo bản nháp phiên bản %(n)s. Phiên bản đang áp dụng không thay đổi cho đến khi "
                                "bản nháp được công bố.") % {"n": draft.number})
    return redirect(_draft_url(procedure, "chung"))


# --- general information ---------------------------------------------------------------------------------


@draft_required
def draft_general(request, code):
    draft = ProcedureVersion.objects.select_related("procedure", "agency").get(pk=request.draft.pk)
    agencies = admin_agencies(request.staff).order_by("name")
    form = GeneralForm(request.POST or None, instance=draft, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in catalog_actions.GENERAL_FIELDS if name in form.cleaned_data}
        try:
            catalog_actions.edit_general(draft, actor=request.user, values=values)
        except catalog_actions.InvalidChange as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu thông tin chung của bản nháp."))
            return redirect(_draft_url(draft.procedure, "chung"))
    return _render(request, "administration/procedures/general.html", {
        **tab_context(draft.procedure, "chung"), "draft": draft, "form": form, "errors": form.error_list(),
    })


# --- sections made of ordered rows (cases, components, fees, guides, FAQ) ----------------------------------


@dataclass(frozen=True)
class Section:
    key: str  # URL segment and tab
    name: str  # URL name of the list
    model: type
    form: type
    related: str
    title: str
    item: str  # "giấy tờ", "phí"... for buttons and messages
    headers: tuple
    row: Callable
    multipart: bool = False
    select: tuple = ()
    prefetch: tuple = ()
    link: Callable | None = None  # obj -> (URL, label) of a related page, shown on the row


def _case_row(c):
    unit = c.get_time_unit_display()
    time = unit if c.time_unit == "same_day" else f"{c.time_amount_display} {unit}"
    cutoff = c.cutoff_time.strftime("%H:%M") if c.cutoff_time else "—"
    return [c.name, time, cutoff, str(len(c.steps.all()))]


def _component_row(c):
    form = c.form.filename if c.form_id else "—"
    return [c.name, f"{c.get_paper_display()} × {c.copies}", _("Có") if c.required else _("Không"),
            c.accepted_types, form]


def _fee_row(f):
    rule = fee_rules.Rule.of(f)
    return [f.name, vnd(f.amount_vnd) if rule.flat else fee_rules.fee_words(f), f.get_collected_display()]


def _guide_row(g):
    video = _("Tệp video") if g.video else (_("Liên kết") if g.video_url else "—")
    body = g.body if len(g.body) <= 120 else g.body[:117] + "…"
    return [g.title, body, video]


SECTIONS = [
    Section("truong-hop", "draft_cases", ProcedureCase, CaseForm, "cases", gettext_lazy("Trường hợp, thời hạn"),
            gettext_lazy("trường hợp"),
            (gettext_lazy("Tên trường hợp"), gettext_lazy("Thời hạn"), gettext_lazy("Giờ chốt"),
             gettext_lazy("Số bước xử lý")), _case_row, prefetch=("steps",),
            link=lambda c: (f"quy-trinh/?truong-hop={c.pk}", _("Sửa quy trình"))),
    Section("thanh-phan", "draft_components", Component, ComponentForm, "components",
            gettext_lazy("Thành phần hồ sơ"), gettext_lazy("giấy tờ"),
            (gettext_lazy("Tên giấy tờ"), gettext_lazy("Loại bản, số lượng"), gettext_lazy("Bắt buộc"),
             gettext_lazy("Loại tệp nhận"), gettext_lazy("Mẫu đơn, tờ khai")), _component_row, multipart=True,
            select=("form",)),
    Section("le-phi", "draft_fees", Fee, FeeForm, "fees", gettext_lazy("Phí, lệ phí"), gettext_lazy("khoản phí"),
            (gettext_lazy("Tên phí, lệ phí"), gettext_lazy("Mức thu"), gettext_lazy("Thời điểm thu")), _fee_row),
    Section("huong-dan", "draft_guides", Guide, GuideForm, "guides", gettext_lazy("Hướng dẫn, video"),
            gettext_lazy("hướng dẫn"),
            (gettext_lazy("Tiêu đề"), gettext_lazy("Nội dung"), gettext_lazy("Video")), _guide_row, multipart=True),
    Section("hoi-dap", "draft_faq", FAQ, FAQForm, "faqs", gettext_lazy("Hỏi đáp"), gettext_lazy("câu hỏi"),
            (gettext_lazy("Câu hỏi"), gettext_lazy("Trả lời")), lambda f: [f.question, f.answer]),
]


def _items(draft, section: Section):
    qs = getattr(draft, section.related).order_by("order", "pk")
    if section.select:
        qs = qs.select_related(*section.select)
    if section.prefetch:
        qs = qs.prefetch_related(*section.prefetch)
    return list(qs)


def _section_context(request, section: Section, **extra) -> dict:
    draft = request.draft
    return {**tab_context(request.procedure, section.key), "draft": draft, "section": section,
            "list_url": _draft_url(request.procedure, section.key), **extra}


def _warn_over_budget(request, case) -> None:
    """A shorter legal time may leave the workflow over budget: saved, but said (publishing refuses it)."""
    from motcua.catalog.budget import check_case

    problem = check_case(ProcedureCase.objects.select_related("version__receiving_agency", "version__agency")
                         .prefetch_related("steps").get(pk=case.pk))
    if problem:
        messages.warning(request, _("%(problem)s Hãy giảm định mức các bước ở trang «Quy trình xử lý» trước khi "
                                    "công bố.") % {"problem": problem})


def _values(form, model) -> dict:
    """The model fields the form edits, as cleaned (files go through `_uploads`)."""
    names = {f.name for f in model._meta.concrete_fields} - {"id", "version", "order", "video", "form"}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def _uploads(form) -> dict:
    keys = ("form_file", "remove_form", "video_file", "remove_video")
    return {key: form.cleaned_data[key] for key in keys if form.cleaned_data.get(key)}


def _make_views(section: Section):
    @draft_required
    def list_view(request, code):
        items = [(obj, list(zip(section.headers, section.row(obj), strict=True)),
                  section.link(obj) if section.link else None) for obj in _items(request.draft, section)]
        return _render(request, "administration/procedures/section.html", _section_context(
            request, section, items=items))

    @draft_required
    def edit_view(request, code, pk=None):
        draft = request.draft
        obj = section.model(version=draft) if pk is None else get_object_or_404(section.model, pk=pk, version=draft)
        form = section.form(request.POST or None, request.FILES or None, instance=obj)
        item = None
        if request.method == "POST" and form.is_valid():
            try:
                item = catalog_actions.save_part(draft, section.model, actor=request.user, pk=pk,
                                                 values=_values(form, section.model), uploads=_uploads(form))
            except catalog_actions.InvalidChange as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                form.mark_invalid()
        if item is not None:
            if section.model is ProcedureCase:
                _warn_over_budget(request, item)
            if pk:
                messages.success(request, _("Đã lưu %(item)s «%(name)s».") % {"item": section.item, "name": item})
            else:
                messages.success(request, _("Đã thêm %(item)s «%(name)s».") % {"item": section.item, "name": item})
            return redirect(_draft_url(request.procedure, section.key))
        return _render(request, "administration/procedures/item_form.html", _section_context(
            request, section, form=form, obj=obj, is_new=pk is None, errors=form.error_list(),
        ))

    @draft_required
    def delete_view(request, code, pk):
        draft = request.draft
        obj = get_object_or_404(section.model, pk=pk, version=draft)
        blocked = catalog_actions.case_removal_blocked(draft) if section.model is ProcedureCase else ""
        if request.method == "POST" and not blocked:
            try:
                name = str(catalog_actions.remove_part(draft, section.model, pk, actor=request.user))
            except catalog_actions.InvalidChange as exc:
                blocked = exc.message
        if request.method == "POST" and not blocked:
            messages.success(request, _("Đã xóa %(item)s «%(name)s».") % {"item": section.item, "name": name})
            return redirect(_draft_url(request.procedure, section.key))
        consequences = []
        if section.model is ProcedureCase:
            steps = obj.steps.count()
            if steps:
                consequences.append(_("Trường hợp này có %(n)s bước xử lý; các bước này cũng sẽ bị xóa.")
                                    % {"n": steps})
        if section.model is Component:
            from motcua.eforms.models import EForm

            if EForm.objects.filter(procedure_version=draft, component=obj).exists():
                consequences.append(_("Biểu mẫu điện tử đang gắn với giấy tờ này; sau khi xóa, tờ khai PDF sẽ không "
                                      "còn được đính vào thành phần nào."))
        return _render(request, "administration/procedures/confirm_delete.html", _section_context(
            request, section, obj=obj, consequences=consequences, blocked=blocked,
        ), status=409 if blocked and request.method == "POST" else 200)

    @draft_required
    @require_POST
    def move_view(request, code, pk):
        direction = request.POST.get("huong")
        try:
            moved, done = catalog_actions.move_part(
                request.draft, section.model, pk, actor=request.user,
                direction={"len": "up", "xuong": "down"}.get(direction, ""))
        except section.model.DoesNotExist:
            raise Http404("no such row in the draft") from None
        if not done:
            messages.info(request, _("«%(name)s» đã ở đầu hoặc cuối danh sách.") % {"name": moved})
            return redirect(_draft_url(request.procedure, section.key))
        messages.success(request, _("Đã chuyển «%(name)s» %(where)s.") % {
            "name": moved, "where": _("lên trên") if direction == "len" else _("xuống dưới")})
        return redirect(_draft_url(request.procedure, section.key) + f"#dong-{moved.pk}")

    prefix = f"thu-tuc/<str:code>/ban-nhap/{section.key}/"
    return [
        path(prefix, list_view, name=section.name),
        path(f"{prefix}them/", edit_view, name=f"{section.name}_add"),
        path(f"{prefix}<int:pk>/", edit_view, name=f"{section.name}_edit"),
        path(f"{prefix}<int:pk>/xoa/", delete_view, name=f"{section.name}_delete"),
        path(f"{prefix}<int:pk>/di-chuyen/", move_view, name=f"{section.name}_move"),
    ]


# --- the change log --------------------------------------------------------------------------------------


HIDDEN_FIELDS = {"source_hash"}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _label(object_type: str) -> str:
    model = _model(object_type)
    return str(capfirst(model._meta.verbose_name)) if model else object_type


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Có")
    if value is False:
        return _("Không")
    return str(value)


def _change_rows(entries) -> list[dict]:
    """Each entry with its changed fields as (label, before, after) in words: choices by their label and
    related objects by their name (fetched once per page and model)."""
    wanted: dict[type, set] = {}
    parsed = []
    for entry in entries:
        model = _model(entry.object_type)
        changes = changelog.changed_fields(entry.before, entry.after)
        parsed.append((entry, model, changes))
        for name, old, new in changes:
            field = _field(model, name)
            if field is not None and field.is_relation and field.many_to_one:
                wanted.setdefault(field.related_model, set()).update(
                    v for v in (old, new) if isinstance(v, int) or (isinstance(v, str) and v.isdigit()))
    names = {related: {pk: str(obj) for pk, obj in related.objects.in_bulk([int(v) for v in ids]).items()}
             for related, ids in wanted.items() if related is not ProcedureVersion}
    names.update({ProcedureVersion: {
        v.pk: str(v) for v in ProcedureVersion.objects.select_related("procedure").filter(
            pk__in=[int(i) for i in wanted.get(ProcedureVersion, ())])}})

    def words(field, value) -> str:
        if field is None or value is None or value == "":
            return _shown(value)
        if isinstance(field, DateTimeField) and isinstance(value, str):
            parsed = parse_iso_datetime(value)
            if parsed is None or timezone.is_naive(parsed):
                return value
            return timezone.localtime(parsed).strftime("%d/%m/%Y %H:%M:%S")
        if field.is_relation and field.many_to_one:
            try:
                return names.get(field.related_model, {}).get(int(value)) or f"#{value}"
            except (TypeError, ValueError):
                return _shown(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return _shown(value)

    rows = []
    for entry, model, changes in parsed:
        shown = []
        for name, old, new in changes:
            field = _field(model, name)
            if name in HIDDEN_FIELDS or getattr(field, "auto_now", False):
                continue  # bookkeeping ("last modified", import fingerprints), not a configuration change
            label = str(capfirst(field.verbose_name)) if field is not None else name
            shown.append((label, words(field, old), words(field, new)))
        rows.append({"entry": entry, "type_label": _label(entry.object_type), "changes": shown})
    return rows


@admin_required
def changelog_view(request):
    qs = ChangeLog.objects.select_related("actor", "agency")
    if request.admin_ids is not None:
        qs = qs.filter(agency_id__in=request.admin_ids)
    agencies = admin_agencies(request.staff).order_by("name")
    types = sorted(set(qs.values_list("object_type", flat=True).distinct()), key=_label)
    kind = request.GET.get("loai", "")
    agency = request.GET.get("co_quan", "")
    q = " ".join((request.GET.get("q") or "").split())[:200]
    object_id = (request.GET.get("ma") or "").strip()[:64]
    if kind in types:
        qs = qs.filter(object_type=kind)
        if object_id and object_id.isprintable():
            qs = qs.filter(object_id=object_id)
    if agency.isdigit() and agencies.filter(pk=int(agency)).exists():
        qs = qs.filter(agency_id=int(agency))
    if q and q.isprintable():
        qs = qs.filter(Q(object_repr__icontains=q) | Q(note__icontains=q))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return staff_render(request, "administration/changelog.html", {
        "nav": "administration", "admin_nav": "changelog", "page": page, "rows": _change_rows(page.object_list),
        "types": [(t, _label(t)) for t in types], "agencies": agencies, "kind": kind, "agency": agency, "q": q,
        "object_id": object_id, "query": query.urlencode(), "show_agency_filter": agencies.count() > 1,
    })


urlpatterns = [
    path("", procedure_list, name="procedures"),
    path("thu-tuc/moi/", procedure_new, name="procedure_new"),
    path("thu-tuc/<str:code>/", procedure_overview, name="procedure"),
    path("thu-tuc/<str:code>/sao-chep/", procedure_copy, name="procedure_copy"),
    path("thu-tuc/<str:code>/ban-nhap/", draft_start, name="draft_start"),
    path("thu-tuc/<str:code>/ban-nhap/chung/", draft_general, name="draft_general"),
    *[p for section in SECTIONS for p in _make_views(section)],
    path("nhat-ky/", changelog_view, name="changelog"),
]
