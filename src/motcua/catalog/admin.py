from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .actions import PublishError, publish_version, retire_version
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


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__", "published"]
    search_fields = ["code", "versions__search_name"]
    readonly_fields = ["published"]
    inlines = [VersionInline]


class CaseInline(admin.StackedInline):
    model = ProcedureCase
    extra = 0
    show_change_link = True


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    autocomplete_fields = ["form"]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class GuideInline(admin.StackedInline):
    model = Guide
    extra = 0


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 0


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "state", "level", "agency"]
    list_filter = ["state", "level", "sector"]
    search_fields = ["procedure__code", "search_name"]
    autocomplete_fields = ["agency", "receiving_agency", "sector"]
    readonly_fields = ["state", "published_at", "retired_at"]
    inlines = [CaseInline, ComponentInline, FeeInline, GuideInline, FAQInline]
    actions = ["publish", "retire"]

    @admin.action(description=_("Công bố các bản nháp đã chọn"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                publish_version(version)
            except PublishError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description=_("Ngừng áp dụng các phiên bản đã chọn"))
    def retire(self, request, queryset):
        for version in queryset.filter(state=ProcedureVersion.State.PUBLISHED):
            retire_version(version)


class StepInline(admin.TabularInline):
    model = WorkflowStep
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(ProcedureCase)
class ProcedureCaseAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "time_amount", "time_unit", "cutoff_time"]
    inlines = [StepInline]


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    list_display = ["filename", "title", "size", "uploaded_at"]
    search_fields = ["filename", "title"]
