import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import SyncMessage
from .services import retry


@admin.register(SyncMessage)
class SyncMessageAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "service", "state", "attempts", "next_attempt_at", "sent_at", "short_error"]
    list_filter = ["state", "service", "created_at"]
    search_fields = ["idempotency_key", "dossier__code", "last_error"]
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in SyncMessage._meta.fields if f.name != "payload"] + ["pretty_payload"]
    exclude = ["payload"]
    actions = ["resend"]
    date_hierarchy = "created_at"

    @admin.display(description=_("lỗi"))
    def short_error(self, obj: SyncMessage) -> str:
        return obj.last_error.splitlines()[-1][:120] if obj.last_error else ""

    @admin.display(description=_("nội dung gửi"))
    def pretty_payload(self, obj: SyncMessage) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))

    @admin.action(description=_("Gửi lại các tin gửi lỗi đã chọn"))
    def resend(self, request, queryset):
        count = retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("Đã đưa %(n)d tin vào hàng đợi gửi lại.") % {"n": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
