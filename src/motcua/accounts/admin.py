from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import IdentityLink, Membership, User, VerificationCode


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


class IdentityLinkInline(admin.TabularInline):
    model = IdentityLink
    extra = 0
    can_delete = True
    readonly_fields = ["issuer", "subject", "created_at", "last_login_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Thông tin công dân"), {"fields": ["full_name", "phone", "id_number", "date_of_birth", "address"]}),
        (_("Xác minh"), {"fields": ["self_registered", "phone_verified_at", "email_verified_at",
                                    "identity_verified_at", "privacy_consent_at"]}),
    ]
    list_display = ["username", "full_name", "email", "phone", "is_staff", "self_registered"]
    list_filter = [*BaseUserAdmin.list_filter, "self_registered"]
    search_fields = ["username", "full_name", "email", "phone", "id_number"]
    inlines = [MembershipInline, IdentityLinkInline]
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Mở khóa đăng nhập (sau nhiều lần nhập sai)"))
    def unlock_sign_in(self, request, queryset):
        from . import services

        users = list(queryset[:500])
        for user in users:
            services.unlock_signin(user, actor=request.user)
        self.message_user(request, _("Đã mở khóa đăng nhập cho %(n)s tài khoản.") % {"n": len(users)})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "active"]
    list_filter = ["role", "active"]
    autocomplete_fields = ["user", "agency"]


@admin.register(VerificationCode)
class VerificationCodeAdmin(admin.ModelAdmin):
    """Read-only: who was sent a code, when, and what became of it (never the code)."""

    list_display = ["user", "purpose", "channel", "destination", "created_at", "attempts", "used_at", "revoked_at"]
    list_filter = ["purpose", "channel"]
    search_fields = ["destination", "user__username", "user__full_name"]
    exclude = ["code_hash", "token"]
    readonly_fields = ["user", "purpose", "channel", "field", "destination", "created_at", "expires_at", "attempts",
                       "max_attempts", "used_at", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
