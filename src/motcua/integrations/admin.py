from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role
from motcua.dossiers.models import EventKind

from . import tokens, webhooks
from .models import ServiceAccount, ServiceToken, WebhookDelivery, WebhookSubscription
from .scopes import SCOPE_CHOICES


class ServiceAccountForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("vai trò"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Trống: chỉ xem (vai trò giám sát)."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("phạm vi"), choices=SCOPE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ServiceAccount
        fields = ["name", "description", "agency", "roles", "scopes", "active"]


class ServiceTokenInline(admin.TabularInline):
    model = ServiceToken
    extra = 0
    can_delete = False
    fields = ["prefix", "label", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "label", "scopes", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request, obj=None):
        return False  # tokens are made with the action (shown once), or `create_service_token`


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    form = ServiceAccountForm
    list_display = ["name", "agency", "active", "roles", "scopes", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "description", "agency__name", "agency__unit_code"]
    autocomplete_fields = []
    inlines = [ServiceTokenInline]
    actions = ["issue_token"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: its user, memberships and deliveries stay consistent

    @admin.action(description=_("Tạo mã truy cập mới (chỉ hiện một lần)"))
    def issue_token(self, request, queryset):
        issued, refused = [], []
        for account in queryset:
            try:
                raw, token = tokens.issue(account, label=f"admin:{request.user.username}")
            except tokens.TokenError as exc:
                refused.append(str(exc))
                continue
            issued.append({"account": account, "token": token, "raw": raw})
        for text in refused:
            self.message_user(request, text, messages.ERROR)
        if not issued:
            return None
        context = {**self.admin_site.each_context(request), "title": _("Mã truy cập mới"), "issued": issued,
                   "opts": self.model._meta}
        response = TemplateResponse(request, "integrations/admin/new_tokens.html", context)
        response["Cache-Control"] = "no-store"
        return response


class WebhookForm(forms.ModelForm):
    target_url = forms.URLField(label=_("địa chỉ nhận"), max_length=500, assume_scheme="https")
    event_kinds = forms.MultipleChoiceField(
        label=_("loại sự kiện"), choices=EventKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Trống: mọi sự kiện."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["account", "target_url", "event_kinds", "active", "secret"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["account", "target_url", "active", "event_kinds", "created_at"]
    list_filter = ["active"]
    search_fields = ["target_url", "account__name"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["uid", "subscription", "event_kind", "state", "attempts", "last_status", "next_attempt_at",
                    "short_error"]
    list_filter = ["state", "subscription__account", "created_at"]
    search_fields = ["uid", "subscription__target_url", "event__dossier__code", "last_error"]
    list_select_related = ["subscription__account", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["resend"]

    @admin.display(description=_("sự kiện"))
    def event_kind(self, obj: WebhookDelivery) -> str:
        return obj.event.kind

    @admin.display(description=_("lỗi"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return obj.last_error.splitlines()[-1][:120] if obj.last_error else ""

    @admin.action(description=_("Gửi lại các lần gửi lỗi đã chọn"))
    def resend(self, request, queryset):
        count = webhooks.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("Đã đưa %(n)d lần gửi vào hàng đợi.") % {"n": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
