"""Read-only admin: dossiers are changed only through actions (docs/architecture.md §2)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from . import tokens
from .models import ApiToken, Dossier, DossierFile, Event


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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """People's REST API tokens (only hashes are kept): listed, and ended by an admin's action."""

    list_display = ["user", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_reason"]
    list_filter = ["revoked_reason"]
    search_fields = ["user__username", "user__full_name", "user__email"]
    exclude = ["key_hash"]
    actions = ["end_tokens"]

    @admin.action(description=gettext_lazy("Chấm dứt các mã đã chọn"))
    def end_tokens(self, request, queryset):
        ended = tokens.revoke(queryset, tokens.ADMIN, actor=request.user)
        self.message_user(request, gettext_lazy("Đã chấm dứt %(n)s mã truy cập.") % {"n": ended})
