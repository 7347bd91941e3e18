"""Admins see every message, why it failed, and can send it again ("gửi lại")."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Message
from .services import resend


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "id", "created_at", "channel", "recipient", "template", "state", "attempts", "dossier_code", "short_error",
        "sent_at",
    ]
    list_filter = ["state", "channel", "template"]
    search_fields = ["recipient", "dossier__code", "provider_id"]
    list_select_related = ["dossier"]
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    fields = [
        "channel", "recipient", "template", "state", "attempts", "max_attempts", "last_error", "subject",
        "shown_body", "dossier_link", "event", "user", "provider_id", "resends", "expires_at", "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("hồ sơ"), ordering="dossier__code")
    def dossier_code(self, obj: Message) -> str:
        return obj.dossier.code if obj.dossier_id else ""

    @admin.display(description=_("hồ sơ"))
    def dossier_link(self, obj: Message) -> str:
        if not obj.dossier_id:
            return "-"
        url = reverse("admin:dossiers_dossier_change", args=[obj.dossier_id])
        return format_html('<a href="{}">{}</a>', url, obj.dossier.code)

    @admin.display(description=_("lỗi"))
    def short_error(self, obj: Message) -> str:
        return obj.last_error.splitlines()[-1][:120] if obj.last_error else ""

    @admin.display(description=_("nội dung"))
    def shown_body(self, obj: Message) -> str:
        if obj.sensitive:
            return _("(nội dung bí mật, không hiển thị)")
        return obj.body or _("(chưa soạn: nội dung được soạn khi gửi)")

    @admin.action(description=_("Gửi lại các thông báo đã chọn"), permissions=["change"])
    def resend_selected(self, request, queryset):
        count = resend(list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, _("Đã đưa %(n)d thông báo vào hàng đợi gửi lại.") % {"n": count}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("Bỏ qua %(n)d thông báo: đang được gửi, hoặc là mã xác thực (người dùng cần yêu cầu mã mới).")
                % {"n": skipped},
                messages.WARNING,
            )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The list's "gửi lại" action needs the change permission; a single message stays read-only.
        return obj is None and super().has_change_permission(request)
