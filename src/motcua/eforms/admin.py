from django.contrib import admin

from .models import EForm


@admin.register(EForm)
class EFormAdmin(admin.ModelAdmin):
    """Read only: an e-form is edited in the builder of its procedure's draft, through eforms.actions
    (which locks the draft, refuses a published version and writes the change log)."""

    list_display = ("title", "procedure_version", "updated_at")
    search_fields = ("title", "procedure_version__procedure__code", "procedure_version__name")
    raw_id_fields = ("procedure_version", "component")
    readonly_fields = ("created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
