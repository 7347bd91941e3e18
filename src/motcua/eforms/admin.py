from django.contrib import admin

from .models import EForm


@admin.register(EForm)
class EFormAdmin(admin.ModelAdmin):
    list_display = ("title", "procedure_version", "updated_at")
    search_fields = ("title", "procedure_version__procedure__code", "procedure_version__name")
    raw_id_fields = ("procedure_version", "component")
    readonly_fields = ("created_at", "updated_at")
