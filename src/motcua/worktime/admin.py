from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import engine, services
from .models import CalendarDay, CalendarYear, OfficeHours, OfficePeriod

WEEKDAY_NAMES = dict(OfficePeriod.Weekday.choices)


def _mark_manual(day: CalendarDay, changed: bool) -> None:
    # An admin's edit wins over later regenerations from the package.
    if changed or day.pk is None:
        day.source = CalendarDay.Source.MANUAL


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["date", "weekday", "kind", "name", "active", "swapped_with", "source"]
    readonly_fields = ["weekday", "source"]
    extra = 0
    ordering = ["date"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()] if obj.date else ""


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "confirmed", "confirmed_by", "confirmed_at", "day_count", "generated_at"]
    list_filter = ["confirmed"]
    readonly_fields = ["confirmed", "confirmed_by", "confirmed_at", "generated_at"]
    fields = ["year", "note", *readonly_fields]
    inlines = [CalendarDayInline]
    actions = ["confirm", "unconfirm", "regenerate"]

    @admin.display(description=_("số ngày"))
    def day_count(self, obj: CalendarYear) -> int:
        return obj.days.count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.year in range(1995, 2100):
            # A new year starts from the package's days, for the admin to review.
            result = services.generate_calendar_year(obj.year)
            self.message_user(
                request,
                _("Đã sinh %(n)d ngày nghỉ, làm bù cho năm %(year)d từ thư viện holidays.")
                % {"n": result.created, "year": obj.year},
            )

    def save_formset(self, request, form, formset, change):
        days = formset.save(commit=False)
        for day in days:
            _mark_manual(day, True)
            if day.calendar_year_id is None:
                day.calendar_year = form.instance
            day.save()
        for day in formset.deleted_objects:
            day.delete()
        formset.save_m2m()

    @admin.action(description=_("Xác nhận lịch năm đã chọn"), permissions=["change"])
    def confirm(self, request, queryset):
        count = services.confirm_years(queryset, request.user)
        self.message_user(
            request,
            ngettext("Đã xác nhận %d lịch năm.", "Đã xác nhận %d lịch năm.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Bỏ xác nhận lịch năm đã chọn"), permissions=["change"])
    def unconfirm(self, request, queryset):
        count = services.unconfirm_years(queryset)
        self.message_user(request, _("Đã bỏ xác nhận %d lịch năm.") % count)

    @admin.action(
        description=_("Sinh lại ngày nghỉ từ thư viện holidays (giữ các dòng sửa tay)"),
        permissions=["change"],
    )
    def regenerate(self, request, queryset):
        for calendar_year in queryset:
            if calendar_year.year not in range(1995, 2100):
                continue
            result = services.generate_calendar_year(calendar_year.year, refresh_confirmed=True)
            self.message_user(
                request,
                _("Năm %(year)d: thêm %(created)d, cập nhật %(updated)d, xóa %(deleted)d, giữ %(kept)d dòng sửa tay.")
                % {
                    "year": result.year,
                    "created": result.created,
                    "updated": result.updated,
                    "deleted": result.deleted,
                    "kept": result.kept_manual,
                },
                messages.WARNING if result.unconfirmed else messages.INFO,
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "active", "source", "swapped_with"]
    list_filter = ["calendar_year", "kind", "source", "active"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["source"]
    fields = ["date", "kind", "name", "active", "swapped_with", "source"]

    @admin.display(description=_("thứ"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        _mark_manual(obj, bool(form.changed_data))
        super().save_model(request, obj, form, change)


class OfficePeriodInline(admin.TabularInline):
    model = OfficePeriod
    fields = ["weekday", "opens", "closes"]
    extra = 0


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["agency", "follow_parent", "daily_working_hours", "summary"]
    list_filter = ["follow_parent"]
    search_fields = ["agency__unit_code", "agency__name"]
    autocomplete_fields = ["agency"]
    inlines = [OfficePeriodInline]

    @admin.display(description=_("khung giờ"))
    def summary(self, obj: OfficeHours) -> str:
        return "; ".join(str(p) for p in obj.periods.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        hours = form.instance
        if not hours.follow_parent and not hours.periods.exists():
            # Nothing entered yet: start from the default week, for the admin to adjust.
            OfficePeriod.objects.bulk_create(
                OfficePeriod(office_hours=hours, weekday=weekday, opens=opens, closes=closes)
                for weekday, day in enumerate(engine.DEFAULT_WEEK)
                for opens, closes in day
            )
            self.message_user(request, _("Chưa có khung giờ nào: đã điền giờ mặc định (thứ Hai–thứ Sáu)."))
