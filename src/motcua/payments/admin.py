from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import CallbackLog, Payment


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CallbackLogInline(admin.TabularInline):
    model = CallbackLog
    fields = ["received_at", "kind", "outcome", "signature_valid", "state_before", "state_after", "remote_addr"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["merchant_ref", "dossier", "amount_vnd", "provider", "state", "needs_reconciliation",
                    "created_at", "paid_at"]
    list_filter = ["state", "provider", "needs_reconciliation", "is_test", "dossier_recorded"]
    search_fields = ["merchant_ref", "provider_txn_ref", "dossier__code"]
    readonly_fields = [f.name for f in Payment._meta.fields]
    list_select_related = ["dossier"]
    inlines = [CallbackLogInline]
    actions = ["query_gateway"]

    @admin.action(description=_("Truy vấn lại cổng thanh toán"))
    def query_gateway(self, request, queryset):
        from .services import enqueue_query

        count = 0
        for payment in queryset:
            if payment.is_open:
                enqueue_query(payment)
                count += 1
        self.message_user(request, _("Đã đưa %(n)d giao dịch vào hàng đợi truy vấn.") % {"n": count}, messages.SUCCESS)


@admin.register(CallbackLog)
class CallbackLogAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "kind", "merchant_ref", "outcome", "signature_valid", "remote_addr"]
    list_filter = ["kind", "outcome", "provider", "signature_valid"]
    search_fields = ["merchant_ref"]
    readonly_fields = [f.name for f in CallbackLog._meta.fields]
