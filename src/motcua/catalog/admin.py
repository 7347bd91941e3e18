from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import actions
from .actions import PublishError
from .models import (
    FAQ,
    Component,
    Fee,
    FormTemplate,
    Guide,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    WorkflowStep,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "state", "name", "level", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class ReadOnly:
    """Procedures, versions and their parts are changed only through catalog.actions (the no-code
    administration pages or the import), which lock the draft, check it and log the change: the
    Django admin shows them and can publish or retire through the same actions, never edit."""

    # Links are shown as https (Django 6's default; silences 5.2's transitional warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "__str__", "published"]
    search_fields = ["code", "versions__search_name"]
    inlines = [VersionInline]


class CaseInline(ReadOnly, admin.StackedInline):
    model = ProcedureCase
    extra = 0
    show_change_link = True


class ComponentInline(ReadOnly, admin.TabularInline):
    model = Component
    extra = 0


class FeeInline(ReadOnly, admin.TabularInline):
    model = Fee
    extra = 0


class GuideInline(ReadOnly, admin.StackedInline):
    model = Guide
    extra = 0


class FAQInline(ReadOnly, admin.StackedInline):
    model = FAQ
    extra = 0


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "state", "level", "agency"]
    list_filter = ["state", "level", "sector"]
    search_fields = ["procedure__code", "search_name"]
    inlines = [CaseInline, ComponentInline, FeeInline, GuideInline, FAQInline]
    actions = ["publish", "retire"]

    @admin.action(description=_("Công bố các bản nháp đã chọn"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                actions.publish_draft(version, actor=request.user, note=_("Công bố từ trang quản trị hệ thống"))
            except PublishError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description=_("Ngừng áp dụng các phiên bản đã chọn"))
    def retire(self, request, queryset):
        for version in queryset.filter(state=ProcedureVersion.State.PUBLISHED):
            try:
                actions.retire(version, actor=request.user)
            except PublishError as exc:
                self.message_user(request, str(exc), messages.ERROR)


class StepInline(ReadOnly, admin.TabularInline):
    model = WorkflowStep
    extra = 0


@admin.register(ProcedureCase)
class ProcedureCaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "version", "time_amount", "time_unit", "cutoff_time"]
    inlines = [StepInline]


@admin.register(FormTemplate)
class FormTemplateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["filename", "title", "size", "uploaded_at"]
    search_fields = ["filename", "title"]
