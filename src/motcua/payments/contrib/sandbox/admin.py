from django.contrib import admin

from motcua.payments.admin import ReadOnlyAdmin

from .models import SandboxTransaction


@admin.register(SandboxTransaction)
class SandboxTransactionAdmin(ReadOnlyAdmin):
    list_display = ["txn_ref", "amount", "state", "response_code", "transaction_no", "created_at"]
    list_filter = ["state"]
    search_fields = ["txn_ref"]
