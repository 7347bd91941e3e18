from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Thông tin công dân"), {"fields": ["full_name", "phone", "id_number", "date_of_birth", "address"]}),
    ]
    list_display = ["username", "full_name", "email", "phone", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone", "id_number"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "active"]
    list_filter = ["role", "active"]
    autocomplete_fields = ["user", "agency"]
