"""Read-only admin: dossiers are changed only through actions (DESIGN §2.3)."""

from __future__ import annotations

from django.contrib import admin

from .models import Dossier, DossierFile, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ["version", "kind", "at", "actor", "from_status", "to_status", "from_step", "to_step", "note"]
    readonly_fields = fields
    ordering = ["version"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["code", "applicant_name", "status", "agency", "handling_agency", "received_at", "due_at"]
    list_filter = ["status", "channel"]
    search_fields = ["code", "applicant_name", "applicant_id_number"]
    list_select_related = ["agency", "handling_agency"]
    inlines = [EventInline]


@admin.register(DossierFile)
class DossierFileAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "dossier", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["dossier"]
