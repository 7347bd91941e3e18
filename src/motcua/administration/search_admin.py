"""What the catalogue search understands (tim-kiem/, issue #18), edited without IT help:

- the province-wide synonyms and abbreviations ("sổ đỏ" = "giấy chứng nhận quyền sử dụng đất"),
  edited by provincial admins only (one table changes every agency's search; agency admins read
  it and edit their own procedures' colloquial names); every change is in the change log;
- each procedure's colloquial names (tên thường gọi), edited by the admins who configure it;
- the month's most frequent searches that found nothing, for admins and supervisors, each with
  a link to add it as a synonym.

Writes go through `catalog.search_actions` (validated, change-logged, the catalogue's version
bumped so every process rebuilds its search index).
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import Role
from motcua.catalog import normalize, search_actions, zero_results
from motcua.catalog.actions import InvalidChange
from motcua.catalog.models import ColloquialName, Procedure, Synonym
from motcua.staff.access import forbidden, staff_required
from motcua.staff.forms import BaseForm

from .access import admin_agency_ids, admin_render, admin_required, procedure_admin

PAGE = "/can-bo/quan-tri/tim-kiem/"


class SynonymForm(BaseForm):
    phrase = forms.CharField(
        label=gettext_lazy("Cách người dân gõ"), max_length=search_actions.MAX_PHRASE_CHARS,
        help_text=gettext_lazy("Từ viết tắt, tên thường gọi, cách nói; ví dụ «sổ đỏ», «cccd». Có dấu hay không "
                               "dấu đều như nhau."),
    )
    meaning = forms.CharField(
        label=gettext_lazy("Nghĩa trong danh mục"), max_length=search_actions.MAX_MEANING_CHARS, required=False,
        help_text=gettext_lazy("Từ ngữ có trong tên thủ tục; ví dụ «giấy chứng nhận quyền sử dụng đất». Dấu phẩy "
                               "ngăn các cụm không cần đứng liền nhau. Để trống: bỏ qua cụm từ này khi tìm."),
    )


class ColloquialForm(BaseForm):
    name = forms.CharField(
        label=gettext_lazy("Tên thường gọi"), max_length=search_actions.MAX_NAME_CHARS,
        help_text=gettext_lazy("Cách người dân gọi thủ tục này; ví dụ «làm sổ đỏ», «giấy khai sinh»."),
    )


def _province_only(request):
    return forbidden(request, _("Bảng từ đồng nghĩa dùng chung cho cả tỉnh; chỉ quản trị cấp tỉnh được sửa. Bạn có "
                                "thể thêm tên thường gọi cho thủ tục của cơ quan mình."))


def _errors(form) -> list[tuple[str, str]]:
    return [(form[name].auto_id if name in form.fields else "", e) for name, errs in form.errors.items() for e in errs]


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def synonyms(request):
    """The table, and for a provincial admin the form that adds a row (?phrase= prefills it, from a
    search without result)."""
    can_edit = request.admin_ids is None
    if request.method == "POST" and not can_edit:
        return _province_only(request)
    initial = {"phrase": (request.GET.get("phrase") or "")[: search_actions.MAX_PHRASE_CHARS]}
    form = SynonymForm(request.POST or None, initial=initial, prefix="add")
    if request.method == "POST" and form.is_valid():
        try:
            row = search_actions.save_synonym(actor=request.user, phrase=form.cleaned_data["phrase"],
                                              meaning=form.cleaned_data["meaning"])
        except InvalidChange as exc:
            form.add_action_error(exc.field, exc.message)
        else:
            messages.success(request, _("Đã thêm «%(phrase)s».") % {"phrase": row.phrase})
            return redirect(PAGE)
    q = " ".join((request.GET.get("q") or "").split())[:100]
    rows = Synonym.objects.order_by("key")
    if q:
        rows = rows.filter(key__contains=normalize.key(q)[:100])
    return admin_render(request, "administration/search/synonyms.html", {
        "form": form, "errors": _errors(form), "rows": rows[:500], "total": rows.count(), "q": q,
        "can_edit": can_edit,
    }, admin_nav="search")


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def synonym_edit(request, pk: int):
    if request.admin_ids is not None:
        return _province_only(request)
    row = Synonym.objects.filter(pk=pk).first()
    if row is None:
        messages.warning(request, _("Dòng này không còn nữa (có thể đã bị xóa)."))
        return redirect(PAGE)
    form = SynonymForm(request.POST or None, initial={"phrase": row.phrase, "meaning": row.meaning})
    if request.method == "POST" and form.is_valid():
        try:
            search_actions.save_synonym(actor=request.user, phrase=form.cleaned_data["phrase"],
                                        meaning=form.cleaned_data["meaning"], pk=row.pk)
        except InvalidChange as exc:
            form.add_action_error(exc.field, exc.message)
        else:
            messages.success(request, _("Đã lưu «%(phrase)s».") % {"phrase": form.cleaned_data["phrase"]})
            return redirect(PAGE)
    return admin_render(request, "administration/search/synonym_edit.html", {
        "form": form, "errors": _errors(form), "row": row,
    }, admin_nav="search")


@require_POST
@admin_required
def synonym_delete(request, pk: int):
    if request.admin_ids is not None:
        return _province_only(request)
    row = Synonym.objects.filter(pk=pk).first()
    if row is not None:
        search_actions.delete_synonym(row.pk, actor=request.user)
        messages.success(request, _("Đã xóa «%(phrase)s».") % {"phrase": row.phrase})
    return redirect(PAGE)


@require_http_methods(["GET", "HEAD", "POST"])
@procedure_admin
def colloquial_names(request, code: str):
    procedure: Procedure = request.procedure
    form = ColloquialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = search_actions.add_colloquial_name(procedure, actor=request.user, name=form.cleaned_data["name"])
        except InvalidChange as exc:
            form.add_action_error(exc.field, exc.message)
        else:
            messages.success(request, _("Đã thêm tên thường gọi «%(name)s».") % {"name": row.name})
            return redirect(f"{PAGE}thu-tuc/{procedure.code}/")
    return admin_render(request, "administration/search/colloquial.html", {
        "procedure": procedure, "version": request.latest, "form": form, "errors": _errors(form),
        "names": ColloquialName.objects.filter(procedure_code=procedure.code).order_by("key"),
    }, admin_nav="search")


@require_POST
@procedure_admin
def colloquial_remove(request, code: str, pk: int):
    row = ColloquialName.objects.filter(pk=pk, procedure_code=request.procedure.code).first()
    if row is not None:
        search_actions.remove_colloquial_name(request.procedure, row.pk, actor=request.user)
        messages.success(request, _("Đã xóa tên thường gọi «%(name)s».") % {"name": row.name})
    return redirect(f"{PAGE}thu-tuc/{request.procedure.code}/")


@require_safe
@admin_required
def choose_procedure(request):
    """From a code typed on the synonyms page to that procedure's colloquial names."""
    code = "".join(ch for ch in (request.GET.get("ma") or "")[:50] if ch.isprintable()).strip()
    if code and Procedure.objects.filter(code=code).exists():
        return redirect(f"{PAGE}thu-tuc/{code}/")
    messages.warning(request, _("Không có thủ tục mã «%(code)s».") % {"code": code})
    return redirect(PAGE)


def admin_or_supervisor(view):
    """Agency admins and supervisors (the searches without result say what people need)."""

    @staff_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        ids = admin_agency_ids(request.staff)
        if (ids is not None and not ids) and not request.staff.has_role(Role.SUPERVISOR):
            return forbidden(request, _("Trang này dành cho quản trị đơn vị và giám sát."))
        request.admin_ids = ids
        return view(request, *args, **kwargs)

    return wrapper


def _month(raw: str, today: dt.date) -> dt.date:
    try:
        chosen = dt.date.fromisoformat(f"{raw[:7]}-01")
    except ValueError:
        return today.replace(day=1)
    return chosen if chosen <= today else today.replace(day=1)


@require_safe
@admin_or_supervisor
def zero_result_queries(request):
    today = timezone.localdate()
    month = _month(request.GET.get("thang", ""), today)
    rows = zero_results.top(month)
    can_edit = request.admin_ids is None  # adds a province-wide synonym
    can_view = can_edit or bool(request.admin_ids)
    for row in rows:
        row.add_url = f"{PAGE}?{urlencode({'phrase': row.query})}#id_add-phrase"
    months = sorted(set(zero_results.months()) | {today.replace(day=1)}, reverse=True)
    return admin_render(request, "administration/search/zero_results.html", {
        "rows": rows, "month": month, "months": months, "can_edit": can_edit, "can_view": can_view,
        "keep_months": zero_results.KEEP_MONTHS,
    }, admin_nav="search")


urlpatterns = [
    path("tim-kiem/", synonyms, name="search_synonyms"),
    path("tim-kiem/<int:pk>/", synonym_edit, name="search_synonym_edit"),
    path("tim-kiem/<int:pk>/xoa/", synonym_delete, name="search_synonym_delete"),
    path("tim-kiem/thu-tuc/", choose_procedure, name="search_choose_procedure"),
    path("tim-kiem/thu-tuc/<str:code>/", colloquial_names, name="search_colloquial"),
    path("tim-kiem/thu-tuc/<str:code>/<int:pk>/xoa/", colloquial_remove, name="search_colloquial_remove"),
    path("tim-kiem/khong-ket-qua/", zero_result_queries, name="search_zero_results"),
]
