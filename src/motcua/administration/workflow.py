"""The workflow editor of a draft (thu-tuc/<code>/ban-nhap/quy-trinh/): the steps of each case.

An admin adds a step at a position, edits, removes (after a confirmation) and moves steps up or
down, through the catalogue's actions (add_step, update_step, remove_step, move_step): each locks
the draft, checks the case's legal time (`catalog.budget`) — a change that makes the quotas add up
to more than the legal time is refused with the overrun named, and the form keeps what was
typed — and writes its change-log row in the same transaction.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.agencies.models import Agency
from motcua.catalog import actions as catalog_actions
from motcua.catalog import budget as budget_rules
from motcua.catalog.actions import NotADraft
from motcua.catalog.models import Role as StepRole
from motcua.catalog.models import WorkflowStep
from motcua.staff.forms import BaseForm, one_line
from motcua.staff.pages import staff_render

from .access import draft_required
from .tabs import tab_context


class StepForm(BaseForm):
    """A workflow step as the admin types it: the quota in working hours or working days."""

    name = forms.CharField(
        label=gettext_lazy("Tên bước"), max_length=255,
        help_text=gettext_lazy("Việc cần làm ở bước này, ví dụ «Thẩm tra, xử lý hồ sơ»."),
        error_messages={"required": gettext_lazy("Cần nhập tên bước."),
                        "max_length": gettext_lazy("Tên bước dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    role = forms.ChoiceField(
        label=WorkflowStep._meta.get_field("role").verbose_name.capitalize(),
        choices=[("", gettext_lazy("— Chọn vai trò —")), *StepRole.choices],
        help_text=WorkflowStep._meta.get_field("role").help_text,
        error_messages={"required": gettext_lazy("Cần chọn vai trò thực hiện bước."),
                        "invalid_choice": gettext_lazy("Vai trò đã chọn không có trong danh sách.")},
    )
    agency = forms.ModelChoiceField(
        label=WorkflowStep._meta.get_field("agency").verbose_name.capitalize(),
        queryset=Agency.objects.none(), required=False,
        empty_label=gettext_lazy("— Cơ quan thực hiện thủ tục —"),
        help_text=WorkflowStep._meta.get_field("agency").help_text,
        error_messages={"invalid_choice": gettext_lazy("Cơ quan đã chọn không có trong danh sách.")},
    )
    quota_amount = forms.DecimalField(
        label=gettext_lazy("Thời gian định mức"), min_value=Decimal("0"), max_digits=7, decimal_places=2,
        help_text=WorkflowStep._meta.get_field("quota_hours").help_text,
        error_messages={"required": gettext_lazy("Cần nhập thời gian định mức của bước."),
                        "invalid": gettext_lazy("Thời gian định mức phải là một số, ví dụ 4 hoặc 1.5."),
                        "min_value": gettext_lazy("Thời gian định mức không được âm."),
                        "max_digits": gettext_lazy("Thời gian định mức quá lớn."),
                        "max_decimal_places": gettext_lazy("Thời gian định mức chỉ lấy tối đa 2 chữ số thập phân."),
                        "max_whole_digits": gettext_lazy("Thời gian định mức quá lớn.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    approval = forms.BooleanField(
        label=gettext_lazy("Bước ký duyệt"), required=False,
        help_text=WorkflowStep._meta.get_field("approval").help_text,
    )
    quota_unit = forms.ChoiceField(
        label=gettext_lazy("Đơn vị"),
        choices=[("hours", gettext_lazy("giờ làm việc")), ("days", gettext_lazy("ngày làm việc"))],
        initial="hours",
        error_messages={"invalid_choice": gettext_lazy("Đơn vị định mức không hợp lệ.")},
    )

    def __init__(self, data=None, *args, positions=None, **kwargs):
        if data is not None:  # "1,5" as typed in Vietnam means 1.5
            data = data.copy()
            key = f"{kwargs['prefix']}-quota_amount" if kwargs.get("prefix") else "quota_amount"
            if key in data:
                data[key] = data[key].strip().replace(",", ".")
        super().__init__(data, *args, **kwargs)
        # Agencies in office today (merged ones have valid_to), plus the one a step already names.
        today = timezone.localdate()
        current = (kwargs.get("initial") or {}).get("agency")
        self.fields["agency"].queryset = Agency.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today) | Q(pk=current or 0)).order_by("unit_code", "name")
        self.fields["agency"].label_from_instance = lambda a: f"{a.name} ({a.unit_code})" if a.unit_code else a.name
        if positions is not None:
            self.fields["position"] = forms.TypedChoiceField(
                label=_("Vị trí"), choices=positions, coerce=int, initial=positions[-1][0],
                help_text=_("Bước mới được chèn vào vị trí này; các bước sau lùi xuống một bậc."),
                error_messages={"invalid_choice": _("Vị trí đã chọn không có trong danh sách.")},
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields["position"].widget.attrs["aria-describedby"] = f"{self['position'].auto_id}-hint"
        if self.is_bound:
            self.mark_invalid()

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Cần nhập tên bước."))
        return name

    def quota_hours(self, daily: Decimal) -> Decimal:
        return budget_rules.quota_in_hours(self.cleaned_data["quota_amount"], self.cleaned_data["quota_unit"], daily)


def _initial(step: WorkflowStep, daily: Decimal) -> dict:
    quota, unit = step.quota_hours, "hours"
    if daily and quota and quota % daily == 0:
        quota, unit = quota / daily, "days"
    return {"name": step.name, "role": step.role, "agency": step.agency_id,
            "quota_amount": budget_rules.show_hours(quota), "quota_unit": unit, "approval": step.approval}


def _cases(draft):
    steps = WorkflowStep.objects.select_related("agency").order_by("order", "pk")
    return list(draft.cases.order_by("order", "pk").prefetch_related(Prefetch("steps", queryset=steps)))


def _pick_case(request, cases, raw: str | None):
    if not cases:
        return None
    raw = (raw or "").strip()
    if raw.isdigit():
        for case in cases:
            if case.pk == int(raw):
                return case
        raise Http404("no such case in this draft")
    return cases[0]


def _step_of_draft(request, step_id: int) -> WorkflowStep:
    step = (WorkflowStep.objects.select_related("case__version", "agency")
            .filter(pk=step_id, case__version=request.draft).first())
    if step is None:
        raise Http404("no such step in this draft")
    return step


def _page_url(code: str, case_id: int | None = None, anchor: str = "") -> str:
    url = f"/can-bo/quan-tri/thu-tuc/{code}/ban-nhap/quy-trinh/"
    if case_id:
        url += f"?truong-hop={case_id}"
    return url + (f"#{anchor}" if anchor else "")


def _errors(form) -> list[tuple[str, str]]:
    out = []
    for name, errs in form.errors.items():
        anchor = form[name].auto_id if name in form.fields else ""
        out += [(anchor, e) for e in errs]
    return out


def _positions(steps) -> list[tuple[int, str]]:
    choices = [(i, _("Trước bước %(n)s: %(name)s") % {"n": i + 1, "name": s.name}) for i, s in enumerate(steps)]
    last = _("Cuối cùng (sau bước %(n)s)") % {"n": len(steps)} if steps else _("Bước đầu tiên")
    return [*choices, (len(steps), last)]


def _render(request, template: str, context: dict, status: int = 200):
    ctx = tab_context(request.procedure, "quy-trinh")
    ctx.update(draft=request.draft, admin_nav="procedures", **context)
    return staff_render(request, template, ctx, status=status)


def _editor_context(case, steps, calendar, **extra) -> dict:
    budget = budget_rules.case_budget(case, steps, calendar)
    return {
        "case": case, "steps": steps, "budget": budget,
        "timeline": budget_rules.timeline(case, steps),
        "legal_hours": budget_rules.show_hours(budget.legal),
        # Read, not typed: the language's decimal sign («7,5» in Vietnamese).
        "daily_hours": budget_rules.show_hours(budget.daily).replace(".", formats.get_format("DECIMAL_SEPARATOR")),
        **extra,
    }


def _refused(form, exc: catalog_actions.InvalidChange) -> None:
    if isinstance(exc, catalog_actions.OverBudget):
        form.add_action_error("quota_amount", exc.message + " " + _(
            "Hãy giảm định mức của bước này hoặc rút ngắn bước khác trước."))
    else:
        form.add_action_error({"quota_hours": "quota_amount"}.get(exc.field, exc.field) or None, exc.message)


def _drafts_only(view):
    @functools.wraps(view)
    def wrapper(request, code, *args, **kwargs):
        try:
            return view(request, code, *args, **kwargs)
        except NotADraft as exc:
            messages.error(request, str(exc))
            return redirect(f"/can-bo/quan-tri/thu-tuc/{code}/")

    return wrapper


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
@_drafts_only
def draft_workflow(request, code):
    """The steps of one case (a picker when the draft has several), the budget, the timeline and
    the form to add a step."""
    cases = _cases(request.draft)
    case = _pick_case(request, cases, request.POST.get("case") or request.GET.get("truong-hop"))
    if case is None:
        return _render(request, "administration/workflow/editor.html", {"cases": [], "case": None})
    steps = list(case.steps.all())
    calendar = budget_rules.case_calendar(case)
    daily = Decimal(calendar.daily_hours)
    form = StepForm(request.POST or None, positions=_positions(steps), prefix="new")
    wanted = (request.GET.get("vi-tri") or "")[:4]
    if wanted.isdigit() and int(wanted) <= len(steps):
        form.fields["position"].initial = int(wanted)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                step, done = catalog_actions.add_step(
                    request.draft, actor=request.user, case=case, position=data["position"], name=data["name"],
                    role=data["role"], agency=data["agency"], quota_hours=form.quota_hours(daily),
                    approval=data["approval"])
            except catalog_actions.InvalidChange as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Đã thêm bước «%(name)s». %(budget)s") % {
                    "name": step.name, "budget": done.message()})
                return redirect(_page_url(code, case.pk, "cac-buoc"))
    context = _editor_context(case, steps, calendar, cases=cases, form=form, errors=_errors(form))
    return _render(request, "administration/workflow/editor.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
@_drafts_only
def step_edit(request, code, step_id: int):
    step = _step_of_draft(request, step_id)
    case = step.case
    calendar = budget_rules.case_calendar(case)
    daily = Decimal(calendar.daily_hours)
    form = StepForm(request.POST or None, initial=_initial(step, daily))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                row, result = catalog_actions.update_step(
                    request.draft, step.pk, actor=request.user, name=data["name"], role=data["role"],
                    agency=data["agency"], quota_hours=form.quota_hours(daily), approval=data["approval"])
            except catalog_actions.InvalidChange as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Đã lưu bước «%(name)s». %(budget)s") % {
                    "name": row.name, "budget": result.message()})
                return redirect(_page_url(code, case.pk, "cac-buoc"))
    steps = list(case.steps.select_related("agency").order_by("order", "pk"))
    others = [s.quota_hours for s in steps if s.pk != step.pk]
    context = _editor_context(case, steps, calendar, step=step, form=form, errors=_errors(form),
                              other_hours=budget_rules.show_hours(sum(others, Decimal(0))))
    return _render(request, "administration/workflow/step_edit.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
@_drafts_only
def step_delete(request, code, step_id: int):
    step = _step_of_draft(request, step_id)
    case = step.case
    if request.method == "POST":
        catalog_actions.remove_step(request.draft, step.pk, actor=request.user)
        messages.success(request, _("Đã xóa bước «%(name)s» khỏi quy trình. %(budget)s") % {
            "name": step.name, "budget": budget_rules.case_budget(case).message()})
        return redirect(_page_url(code, case.pk, "cac-buoc"))
    return _render(request, "administration/workflow/step_delete.html", {"step": step, "case": case})


@require_POST
@draft_required
@_drafts_only
def step_move(request, code, step_id: int):
    step = _step_of_draft(request, step_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Không rõ cần chuyển bước lên hay xuống."))
        return redirect(_page_url(code, step.case_id, "cac-buoc"))
    target = catalog_actions.move_step(request.draft, step.pk, actor=request.user, direction=direction)
    if target is None:
        messages.info(request, _("Bước «%(name)s» đã ở %(where)s.") % {
            "name": step.name, "where": _("đầu danh sách") if direction == "up" else _("cuối danh sách")})
        return redirect(_page_url(code, step.case_id, "cac-buoc"))
    messages.success(request, _("Đã chuyển bước «%(name)s» lên vị trí %(n)s.") % {"name": step.name, "n": target + 1}
                     if direction == "up" else
                     _("Đã chuyển bước «%(name)s» xuống vị trí %(n)s.") % {"name": step.name, "n": target + 1})
    return redirect(_page_url(code, step.case_id, f"buoc-{step.pk}"))


P = "thu-tuc/<str:code>/ban-nhap/quy-trinh/"

urlpatterns = [
    path(P, draft_workflow, name="draft_workflow"),
    path(P + "buoc/<int:step_id>/", step_edit, name="workflow_step_edit"),
    path(P + "buoc/<int:step_id>/xoa/", step_delete, name="workflow_step_delete"),
    path(P + "buoc/<int:step_id>/di-chuyen/", step_move, name="workflow_step_move"),
]
