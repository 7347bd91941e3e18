from django.contrib import admin

from .models import Agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["unit_code", "name", "kind", "parent", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["unit_code", "name", "search_name"]
    autocomplete_fields = ["parent", "successor"]
