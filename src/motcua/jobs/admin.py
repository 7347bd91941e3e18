from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Job, PeriodicRun
from .runner import retry


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "state", "attempts", "run_after", "created_at", "short_error"]
    list_filter = ["state", "kind"]
    search_fields = ["kind", "last_error", "dedupe_key"]
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry_failed"]

    @admin.display(description=_("lỗi"))
    def short_error(self, obj: Job) -> str:
        return obj.last_error.splitlines()[-1][:120] if obj.last_error else ""

    @admin.action(description=_("Chạy lại các tác vụ thất bại đã chọn"))
    def retry_failed(self, request, queryset):
        count = retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("Đã đưa %(n)d tác vụ vào hàng đợi.") % {"n": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run"]
    readonly_fields = ["name", "last_run"]
