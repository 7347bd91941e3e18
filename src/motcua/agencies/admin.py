from django.contrib import admin

from .actions import FEE_SETTINGS, FORM_SETTINGS, PUBLICATION_SETTINGS, RECEIPT_SETTINGS
from .models import Agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["unit_code", "name", "kind", "parent", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["unit_code", "name", "search_name"]
    autocomplete_fields = ["parent", "successor"]
    # The settings that agencies.actions writes (locked, checked, logged) change only through it (the
    # admin pages): four eyes, in particular, must not be switched off here without its rule and log.
    readonly_fields = [*FORM_SETTINGS, *FEE_SETTINGS, *RECEIPT_SETTINGS, *PUBLICATION_SETTINGS]
