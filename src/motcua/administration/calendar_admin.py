"""Calendar admin (lich/): the years of the working calendar, generated, reviewed, edited, confirmed.

Whose calendar: days off are national in `worktime.models` (one CalendarYear/CalendarDay table,
no agency: every agency follows the Government's announcements), so generating, editing and
confirming a year is for provincial admins (agency admin of the root agency, or a superuser).
Agency admins see the calendar read-only; what the model lets them set for their own agency is
its weekly office hours (`OfficeHours` + `OfficePeriod`: follow the parent agency, or up to a morning
and an afternoon period per weekday, and the length of a working day), at lich/gio-lam-viec/.

* Generate: `worktime.services.generate_calendar_year` (the `holidays` package, lunar Tết
  included); rows edited by hand are kept; a confirmed year is left alone unless asked.
* Edit a day: make it a day off or a make-up working day, rename it, or stop applying it (a
  generated holiday that is not taken). An edited row becomes "manual", so regenerating keeps it.
  A change in a confirmed year makes the year unconfirmed again: the back-office banner returns
  until an admin confirms it.
* Every change writes a change-log row in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.agencies.models import Agency
from motcua.audit import changelog
from motcua.audit.models import ChangeAction
from motcua.core.dates import WEEKDAYS, parse_iso_date
from motcua.staff.access import forbidden
from motcua.staff.forms import BaseForm, one_line, plain_text
from motcua.worktime import services as worktime
from motcua.worktime.holidays_vn import SUPPORTED_YEARS
from motcua.worktime.models import CalendarDay, CalendarYear, OfficeHours, OfficePeriod

from .access import admin_render, admin_required, can_configure, chosen_agency

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
MAKEUP = CalendarDay.Kind.MAKEUP_WORKING_DAY
SWAP_KINDS = {CalendarDay.Kind.EXTRA_DAY_OFF, CalendarDay.Kind.MAKEUP_WORKING_DAY}


def may_edit(request) -> bool:
    """Days off are national: only provincial admins (or superusers) change them."""
    return request.admin_ids is None


def _refuse(request):
    return forbidden(request, _("Lịch nghỉ lễ, Tết áp dụng chung cả nước nên chỉ quản trị cấp tỉnh được sinh, sửa và "
                                "xác nhận. Quản trị đơn vị xem được lịch; nếu thấy sai, hãy báo quản trị cấp tỉnh."))


def _render(request, template: str, context: dict, status: int = 200):
    return admin_render(request, template, {"may_edit": may_edit(request), **context}, admin_nav="calendar",
                        status=status)


def _errors(form) -> list[tuple[str, str]]:
    out = []
    for name, errs in form.errors.items():
        out += [(form[name].auto_id if name in form.fields else "", e) for e in errs]
    return out


def _year_or_404(year: int) -> CalendarYear:
    row = CalendarYear.objects.select_related("confirmed_by").filter(year=year).first()
    if row is None:
        raise Http404("year not generated")
    return row


def _unconfirm(request, calendar_year: CalendarYear, why: str) -> bool:
    """A change in a confirmed year: it needs a new confirmation (logged)."""
    calendar_year.refresh_from_db()
    if not calendar_year.confirmed:
        return False
    before = changelog.snapshot(calendar_year)
    calendar_year.confirmed, calendar_year.confirmed_by, calendar_year.confirmed_at = False, None, None
    calendar_year.save()
    changelog.record(request.user, calendar_year, ChangeAction.UPDATE, before=before, note=why)
    return True


# --- forms ----------------------------------------------------------------------------------------


class GenerateForm(BaseForm):
    year = forms.IntegerField(
        label=gettext_lazy("Năm"), min_value=SUPPORTED_YEARS.start, max_value=SUPPORTED_YEARS.stop - 1,
        help_text=gettext_lazy("Ví dụ 2027. Ngày nghỉ lễ, Tết (âm lịch), nghỉ bù và ngày làm bù được sinh từ thư viện "
                        "holidays; các dòng đã sửa tay được giữ nguyên."),
        error_messages={"required": gettext_lazy("Cần nhập năm cần sinh lịch."),
                        "invalid": gettext_lazy("Năm phải là một số, ví dụ 2027."),
                        "min_value": gettext_lazy("Chỉ sinh được lịch từ năm %(limit_value)s."),
                        "max_value": gettext_lazy("Chỉ sinh được lịch đến năm %(limit_value)s.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    culture_day = forms.BooleanField(
        label=gettext_lazy("Có Ngày Văn hóa Việt Nam (24/11, từ năm 2026)"), required=False, initial=True,
    )
    refresh_confirmed = forms.BooleanField(
        label=gettext_lazy("Sinh lại cả khi năm đã được xác nhận (nếu có thay đổi, năm cần xác nhận lại)"),
        required=False,
    )


class DayForm(BaseForm):
    date = forms.DateField(
        label=CalendarDay._meta.get_field("date").verbose_name.capitalize(), input_formats=DATE_FORMATS,
        help_text=gettext_lazy("Ngày dương lịch, dạng ngày/tháng/năm, ví dụ 02/09/2027."),
        error_messages={"required": gettext_lazy("Cần nhập ngày."),
                        "invalid": gettext_lazy("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 02/09/2027.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=CalendarDay._meta.get_field("kind").verbose_name.capitalize(), choices=CalendarDay.Kind.choices,
        help_text=CalendarDay._meta.get_field("kind").help_text,
        error_messages={"required": gettext_lazy("Cần chọn loại ngày."),
                        "invalid_choice": gettext_lazy("Loại ngày đã chọn không có trong danh sách.")},
    )
    name = forms.CharField(
        label=CalendarDay._meta.get_field("name").verbose_name.capitalize(), max_length=200,
        help_text=CalendarDay._meta.get_field("name").help_text,
        error_messages={"required": gettext_lazy("Cần nhập tên ngày, ví dụ «Quốc khánh»."),
                        "max_length": gettext_lazy("Tên dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    active = forms.BooleanField(
        label=gettext_lazy("Áp dụng"), required=False, initial=True,
        help_text=CalendarDay._meta.get_field("active").help_text,
    )
    swapped_with = forms.DateField(
        label=CalendarDay._meta.get_field("swapped_with").verbose_name.capitalize(), required=False,
        input_formats=DATE_FORMATS, help_text=CalendarDay._meta.get_field("swapped_with").help_text,
        error_messages={"invalid": gettext_lazy("Ngày hoán đổi không hợp lệ; nhập theo dạng ngày/tháng/năm.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do, căn cứ"), max_length=500, required=False,
        help_text=gettext_lazy("Ví dụ số thông báo của Bộ Nội vụ về lịch nghỉ; được ghi vào nhật ký thay đổi."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, year: int, day: CalendarDay | None = None, **kwargs):
        self.year, self.day = year, day
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.mark_invalid()

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise ValidationError(_("Cần nhập tên ngày, ví dụ «Quốc khánh»."))
        return name

    def clean_reason(self):
        return plain_text(self.cleaned_data.get("reason", ""))

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date.year != self.year:
            raise ValidationError(_("Ngày phải thuộc năm %(year)s (lịch đang sửa).") % {"year": self.year})
        clash = CalendarDay.objects.filter(date=date)
        if self.day is not None:
            clash = clash.exclude(pk=self.day.pk)
        if clash.exists():
            raise ValidationError(_("Ngày %(date)s đã có trong lịch; hãy sửa dòng của ngày đó.") % {
                "date": f"{date:%d/%m/%Y}"})
        return date

    def clean(self):
        data = super().clean()
        swapped, date, kind = data.get("swapped_with"), data.get("date"), data.get("kind")
        if swapped and kind and kind not in SWAP_KINDS:
            self.add_error("swapped_with", _("Chỉ ngày nghỉ hoán đổi hoặc ngày làm bù mới có ngày hoán đổi."))
        elif swapped and date and swapped == date:
            self.add_error("swapped_with", _("Ngày hoán đổi phải khác ngày đang sửa."))
        return data


class ConfirmForm(BaseForm):
    note = forms.CharField(
        label=CalendarYear._meta.get_field("note").verbose_name.capitalize(), max_length=2000, required=False,
        help_text=CalendarYear._meta.get_field("note").help_text, widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- views ----------------------------------------------------------------------------------------


def _year_rows():
    this_year = timezone.localdate().year
    stats = {
        row["year"]: row for row in CalendarYear.objects.values("year", "confirmed", "confirmed_at", "generated_at")
        .annotate(days_off=Count("days", filter=Q(days__active=True) & ~Q(days__kind=MAKEUP)),
                  makeup=Count("days", filter=Q(days__active=True, days__kind=MAKEUP)))
    }
    years = sorted({*stats, this_year, this_year + 1}, reverse=True)
    return [stats.get(y, {"year": y, "missing": True}) for y in years]


@require_http_methods(["GET", "HEAD"])
@admin_required
def calendar_years(request):
    form = GenerateForm(initial={"year": timezone.localdate().year + 1, "culture_day": True})
    return _render(request, "administration/calendar/years.html", {"years": _year_rows(), "form": form, "errors": []})


@require_POST
@admin_required
def calendar_generate(request):
    if not may_edit(request):
        return _refuse(request)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return _render(request, "administration/calendar/years.html",
                       {"years": _year_rows(), "form": form, "errors": _errors(form)}, status=400)
    year = form.cleaned_data["year"]
    with transaction.atomic():
        existing = CalendarYear.objects.filter(year=year).first()
        before = changelog.snapshot(existing)
        result = worktime.generate_calendar_year(year, culture_day=form.cleaned_data["culture_day"],
                                                 refresh_confirmed=form.cleaned_data["refresh_confirmed"])
        row = CalendarYear.objects.get(year=year)
        if not result.skipped_confirmed:
            changelog.record(request.user, row, ChangeAction.CREATE if existing is None else ChangeAction.UPDATE,
                             before=before, note=_("Sinh lịch năm %(year)s: thêm %(c)s, cập nhật %(u)s, xóa %(d)s, "
                                                   "giữ %(k)s dòng sửa tay.") % {
                                 "year": year, "c": result.created, "u": result.updated, "d": result.deleted,
                                 "k": result.kept_manual})
    if result.skipped_confirmed:
        messages.warning(request, _("Lịch năm %(year)s đã được xác nhận nên không sinh lại. Chọn «Sinh lại cả khi năm "
                                    "đã được xác nhận» nếu thật sự cần.") % {"year": year})
    else:
        text = _("Đã sinh lịch năm %(year)s: thêm %(c)s ngày, cập nhật %(u)s, xóa %(d)s, giữ nguyên %(k)s dòng sửa "
                 "tay. Hãy rà soát rồi bấm «Xác nhận lịch năm».") % {
            "year": year, "c": result.created, "u": result.updated, "d": result.deleted, "k": result.kept_manual}
        if result.unconfirmed:
            text += " " + _("Lịch đã thay đổi nên cần xác nhận lại.")
        messages.success(request, text)
    return redirect(f"/can-bo/quan-tri/lich/{year}/")


def _month_groups(days):
    groups = []
    for month, rows in groupby(days, key=lambda d: d.date.month):
        groups.append({"label": _("Tháng %(n)s") % {"n": month}, "month": month,
                       "days": [{"day": d, "weekday": _(WEEKDAYS[d.date.weekday()])} for d in rows]})
    return groups


@require_http_methods(["GET", "HEAD"])
@admin_required
def calendar_year(request, year: int):
    row = _year_or_404(year)
    days = list(CalendarDay.objects.filter(calendar_year=row).order_by("date"))
    counts = {
        "off": sum(1 for d in days if d.active and d.is_day_off),
        "makeup": sum(1 for d in days if d.active and not d.is_day_off),
        "inactive": sum(1 for d in days if not d.active),
    }
    return _render(request, "administration/calendar/year.html", {
        "calendar_year": row, "months": _month_groups(days), "counts": counts,
        "confirm_form": ConfirmForm(initial={"note": row.note}), "errors": [],
    })


@require_POST
@admin_required
def calendar_confirm(request, year: int):
    if not may_edit(request):
        return _refuse(request)
    row = _year_or_404(year)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for _a, e in _errors(form)))
        return redirect(f"/can-bo/quan-tri/lich/{year}/")
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().get(pk=row.pk)
        before = changelog.snapshot(row)
        row.note = plain_text(form.cleaned_data["note"])
        row.save(update_fields=["note", "updated_at"])
        worktime.confirm_years([row], request.user)
        row.refresh_from_db()
        changelog.record(request.user, row, ChangeAction.CONFIRM, before=before)
    messages.success(request, _("Đã xác nhận lịch làm việc năm %(year)s. Thời hạn hồ sơ tính theo lịch này không còn "
                                "bị đánh dấu «chưa chắc chắn».") % {"year": year})
    return redirect(f"/can-bo/quan-tri/lich/{year}/")


def _save_day(request, form: DayForm, day: CalendarDay, calendar_year: CalendarYear) -> CalendarDay:
    creating = day.pk is None
    before = None if creating else changelog.snapshot(day)
    data = form.cleaned_data
    day.date, day.kind, day.name = data["date"], data["kind"], data["name"]
    day.active, day.swapped_with = data["active"], data["swapped_with"]
    day.source = CalendarDay.Source.MANUAL  # an admin's edit wins over later regenerations
    if creating:
        day.calendar_year = calendar_year
    day.save()
    after = changelog.snapshot(day)
    if before != after:
        changelog.record(request.user, day, ChangeAction.CREATE if creating else ChangeAction.UPDATE,
                         before=before, after=after, note=data.get("reason", ""))
        if _unconfirm(request, calendar_year, _("Sửa ngày %(date)s trong lịch đã xác nhận.") % {
                "date": f"{day.date:%d/%m/%Y}"}):
            messages.warning(request, _("Lịch năm %(year)s đã thay đổi nên cần được xác nhận lại.") % {
                "year": calendar_year.year})
    return day


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def calendar_day_new(request, year: int):
    if not may_edit(request):
        return _refuse(request)
    row = _year_or_404(year)
    initial = {"active": True, "kind": CalendarDay.Kind.HOLIDAY}
    raw = (request.GET.get("ngay") or "")[:10]
    initial["date"] = parse_iso_date(raw)
    form = DayForm(request.POST or None, year=year, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            day = _save_day(request, form, CalendarDay(), row)
        messages.success(request, _("Đã thêm ngày %(date)s «%(name)s» vào lịch năm %(year)s.") % {
            "date": f"{day.date:%d/%m/%Y}", "name": day.name, "year": year})
        return redirect(f"/can-bo/quan-tri/lich/{year}/#ngay-{day.pk}")
    status = 400 if request.method == "POST" else 200
    return _render(request, "administration/calendar/day.html", {
        "calendar_year": row, "form": form, "errors": _errors(form), "day": None}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def calendar_day_edit(request, pk: int):
    if not may_edit(request):
        return _refuse(request)
    day = CalendarDay.objects.select_related("calendar_year").filter(pk=pk).first()
    if day is None:
        raise Http404("no such day")
    row = day.calendar_year
    form = DayForm(request.POST or None, year=row.year, day=day, initial={
        "date": day.date, "kind": day.kind, "name": day.name, "active": day.active, "swapped_with": day.swapped_with})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            day = _save_day(request, form, day, row)
        messages.success(request, _("Đã lưu ngày %(date)s «%(name)s».") % {"date": f"{day.date:%d/%m/%Y}",
                                                                          "name": day.name})
        return redirect(f"/can-bo/quan-tri/lich/{row.year}/#ngay-{day.pk}")
    status = 400 if request.method == "POST" else 200
    return _render(request, "administration/calendar/day.html", {
        "calendar_year": row, "form": form, "errors": _errors(form), "day": day}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def calendar_day_delete(request, pk: int):
    """Remove a day entered by hand (a generated day is switched off with «Áp dụng» instead, so
    that regenerating does not bring it back)."""
    if not may_edit(request):
        return _refuse(request)
    day = CalendarDay.objects.select_related("calendar_year").filter(pk=pk).first()
    if day is None:
        raise Http404("no such day")
    row = day.calendar_year
    if request.method == "POST":
        with transaction.atomic():
            before = changelog.snapshot(day)
            day.delete()
            day.pk = before["id"]
            changelog.record(request.user, day, ChangeAction.DELETE, before=before,
                             note=plain_text(request.POST.get("reason", ""))[:500])
            if _unconfirm(request, row, _("Xóa ngày %(date)s khỏi lịch đã xác nhận.") % {
                    "date": f"{day.date:%d/%m/%Y}"}):
                messages.warning(request, _("Lịch năm %(year)s đã thay đổi nên cần được xác nhận lại.") % {
                    "year": row.year})
        messages.success(request, _("Đã xóa ngày %(date)s «%(name)s» khỏi lịch; ngày đó theo giờ làm việc hằng tuần.")
                         % {"date": f"{day.date:%d/%m/%Y}", "name": day.name})
        return redirect(f"/can-bo/quan-tri/lich/{row.year}/")
    return _render(request, "administration/calendar/day_delete.html", {"calendar_year": row, "day": day})


urlpatterns = [
    path("lich/", calendar_years, name="calendar"),
    path("lich/sinh/", calendar_generate, name="calendar_generate"),
    path("lich/<int:year>/", calendar_year, name="calendar_year"),
    path("lich/<int:year>/xac-nhan/", calendar_confirm, name="calendar_confirm"),
    path("lich/<int:year>/ngay/moi/", calendar_day_new, name="calendar_day_new"),
    path("lich/ngay/<int:pk>/", calendar_day_edit, name="calendar_day_edit"),
    path("lich/ngay/<int:pk>/xoa/", calendar_day_delete, name="calendar_day_delete"),
]


# --- office hours of an agency (what an agency admin sets for their own agency) -------------------

PERIOD_SLOTS = (("am", gettext_lazy("buổi sáng")), ("pm", gettext_lazy("buổi chiều")))
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M", "%H.%M"]


class OfficeHoursForm(BaseForm):
    follow_parent = forms.BooleanField(
        label=gettext_lazy("Theo giờ làm việc của cơ quan cấp trên"), required=False,
        help_text=OfficeHours._meta.get_field("follow_parent").help_text,
    )
    daily_working_hours = forms.DecimalField(
        label=gettext_lazy("Số giờ của một ngày làm việc"), required=False, min_value=Decimal("0.25"),
        max_value=Decimal(24), max_digits=4, decimal_places=2,
        help_text=OfficeHours._meta.get_field("daily_working_hours").help_text,
        error_messages={"invalid": gettext_lazy("Số giờ phải là một số, ví dụ 8 hoặc 7.5."),
                        "min_value": gettext_lazy("Một ngày làm việc ít nhất %(limit_value)s giờ."),
                        "max_value": gettext_lazy("Một ngày làm việc nhiều nhất %(limit_value)s giờ."),
                        "max_decimal_places": gettext_lazy("Số giờ chỉ lấy tối đa 2 chữ số thập phân."),
                        "max_digits": gettext_lazy("Số giờ quá lớn.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, day_label in OfficePeriod.Weekday.choices:
            for slot, slot_label in PERIOD_SLOTS:
                for edge, edge_label in (("opens", _("mở cửa")), ("closes", _("đóng cửa"))):
                    self.fields[f"d{weekday}_{slot}_{edge}"] = forms.TimeField(
                        label=f"{day_label}, {slot_label}, {edge_label}", required=False, input_formats=TIME_FORMATS,
                        error_messages={"invalid": _("%(where)s: giờ không hợp lệ, nhập dạng giờ:phút, ví dụ 07:30.")
                                        % {"where": f"{day_label}, {slot_label}"}},
                        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
                    )
        if self.is_bound:
            self.mark_invalid()

    def rows(self):
        """Per weekday: its label and the four bound fields (for the template)."""
        return [{"label": label, "fields": [self[f"d{weekday}_{slot}_{edge}"] for slot, _s in PERIOD_SLOTS
                                            for edge in ("opens", "closes")]}
                for weekday, label in OfficePeriod.Weekday.choices]

    def clean(self):
        data = super().clean()
        periods = []
        for weekday, day_label in OfficePeriod.Weekday.choices:
            day = []
            for slot, slot_label in PERIOD_SLOTS:
                opens, closes = data.get(f"d{weekday}_{slot}_opens"), data.get(f"d{weekday}_{slot}_closes")
                key = f"d{weekday}_{slot}_opens"
                if f"d{weekday}_{slot}_opens" in self.errors or f"d{weekday}_{slot}_closes" in self.errors:
                    continue
                if (opens is None) != (closes is None):
                    self.add_error(key, _("%(day)s, %(slot)s: cần nhập cả giờ mở cửa và giờ đóng cửa (hoặc bỏ trống "
                                          "cả hai).") % {"day": day_label, "slot": slot_label})
                elif opens is not None and opens >= closes:
                    self.add_error(key, _("%(day)s, %(slot)s: giờ mở cửa phải trước giờ đóng cửa.") % {
                        "day": day_label, "slot": slot_label})
                elif opens is not None:
                    if day and opens < day[-1][1]:
                        self.add_error(key, _("%(day)s: buổi chiều phải bắt đầu sau khi buổi sáng kết thúc.") % {
                            "day": day_label})
                    else:
                        day.append((opens, closes))
            periods += [(weekday, o, c) for o, c in day]
        if not data.get("follow_parent") and not periods and not self.errors:
            raise ValidationError(_("Cần nhập giờ làm việc của ít nhất một ngày, hoặc chọn «Theo giờ làm việc của cơ "
                                    "quan cấp trên»."))
        data["periods"] = periods
        return data


def _hours_state(hours: OfficeHours | None) -> dict | None:
    if hours is None:
        return None
    return {"follow_parent": hours.follow_parent,
            "daily_working_hours": None if hours.daily_working_hours is None else str(hours.daily_working_hours),
            "periods": [f"{p.weekday} {p.opens:%H:%M}-{p.closes:%H:%M}"
                        for p in hours.periods.order_by("weekday", "opens")]}


def _hours_initial(agency: Agency, hours: OfficeHours | None) -> dict:
    if hours is not None and (hours.follow_parent or hours.periods.exists()):
        week = [[] for _d in range(7)]
        for p in hours.periods.order_by("weekday", "opens"):
            week[p.weekday].append((p.opens, p.closes))
        initial = {"follow_parent": hours.follow_parent, "daily_working_hours": hours.daily_working_hours}
    else:  # what the agency follows today (parent's hours or the default week), as a starting point
        week = [list(day) for day in worktime.calendar_for(agency).weekly]
        initial = {"follow_parent": hours is None and agency.parent_id is not None}
    for weekday, day in enumerate(week):
        for (slot, _label), period in zip(PERIOD_SLOTS, day, strict=False):
            initial[f"d{weekday}_{slot}_opens"], initial[f"d{weekday}_{slot}_closes"] = period
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def office_hours(request):
    agency, agencies = chosen_agency(request)
    if agency is None or not can_configure(request.staff, agency.pk):
        return forbidden(request, _("Bạn chỉ đặt được giờ làm việc của cơ quan mình."))
    hours = OfficeHours.objects.filter(agency=agency).first()
    form = OfficeHoursForm(request.POST or None, initial=_hours_initial(agency, hours))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            hours = OfficeHours.objects.select_for_update().filter(agency=agency).first()
            before = _hours_state(hours)
            if hours is None:
                hours = OfficeHours(agency=agency)
            hours.follow_parent = data["follow_parent"]
            hours.daily_working_hours = data["daily_working_hours"]
            hours.save()
            hours.periods.all().delete()
            OfficePeriod.objects.bulk_create(OfficePeriod(office_hours=hours, weekday=w, opens=o, closes=c)
                                             for w, o, c in data["periods"])
            after = _hours_state(hours)
            if before != after:
                changelog.record(request.user, hours, ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
                                 before=before, after=after, agency=agency)
        messages.success(request, _("Đã lưu giờ làm việc của %(agency)s. Thời hạn của hồ sơ nhận từ nay tính theo giờ "
                                    "này.") % {"agency": agency.name})
        return redirect(f"/can-bo/quan-tri/lich/gio-lam-viec/?co-quan={agency.pk}")
    status = 400 if request.method == "POST" else 200
    return _render(request, "administration/calendar/office_hours.html", {
        "agency": agency, "agencies": agencies, "form": form, "errors": _errors(form),
        "many_agencies": request.admin_ids is None or len(request.admin_ids) > 1,
    }, status=status)


urlpatterns.append(path("lich/gio-lam-viec/", office_hours, name="office_hours"))
