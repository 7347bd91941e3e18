from django.contrib import admin

from .models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the application only."""

    list_display = ("at", "actor", "dossier", "what", "ip", "path")
    list_filter = ("what", "at")
    search_fields = ("dossier__code", "actor__username", "actor__full_name", "ip")
    list_select_related = ("actor", "dossier")
    date_hierarchy = "at"
    raw_id_fields = ("actor", "dossier")
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None):
        # Filter by dossier or actor from a link: ?dossier__code=…, ?actor__username=…, ?dossier__id__exact=…
        if lookup in {"dossier__code", "actor__username", "dossier__id__exact", "actor__id__exact"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
