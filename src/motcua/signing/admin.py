"""Admin: agencies' certificates (paths and passphrase reference; the facts are read from the files)
and a read-only list of signed results."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import certificates, personal
from .errors import CertificateUnavailable
from .models import (
    AgencyCertificate,
    CertificateFormat,
    PersonalCertificate,
    PersonalCertificateUse,
    SignedResult,
    passphrase_ref_validator,
)


class AgencyCertificateForm(forms.ModelForm):
    class Meta:
        model = AgencyCertificate
        fields = ["agency", "label", "format", "pkcs12_path", "key_path", "cert_path", "chain_path",
                  "passphrase_ref", "active"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("format") == CertificateFormat.PKCS12 and not data.get("pkcs12_path"):
            raise forms.ValidationError(_("Cần đường dẫn tệp PKCS#12."))
        if data.get("format") == CertificateFormat.PEM and not (data.get("key_path") and data.get("cert_path")):
            raise forms.ValidationError(_("Cần đường dẫn tệp khóa và tệp chứng thư PEM."))
        if data.get("passphrase_ref"):
            passphrase_ref_validator(data["passphrase_ref"])  # before use: never echo a typed passphrase
        for name in ("format", "pkcs12_path", "key_path", "cert_path", "chain_path", "passphrase_ref"):
            setattr(self.instance, name, data.get(name) or "")
        try:
            certificates.inspect(self.instance)  # opens the files with the passphrase; fills the facts
        except CertificateUnavailable as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(AgencyCertificate)
class AgencyCertificateAdmin(admin.ModelAdmin):
    form = AgencyCertificateForm
    list_display = ["agency", "subject", "valid_from", "valid_to", "active", "is_development"]
    list_filter = ["active", "is_development"]
    list_select_related = ["agency"]
    search_fields = ["agency__unit_code", "agency__name", "subject", "fingerprint"]
    readonly_fields = ["subject", "issuer", "serial_number", "fingerprint", "valid_from", "valid_to",
                       "is_development", "created_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # signed results refer to it; deactivate instead


@admin.register(SignedResult)
class SignedResultAdmin(admin.ModelAdmin):
    list_display = ["dossier", "signed_at", "signer_subject", "signed_sha256"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__code", "signed_sha256", "source_sha256"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PersonalCertificate)
class PersonalCertificateAdmin(admin.ModelAdmin):
    """Leaders upload their own certificates on the back office's page; here an administrator
    sees them, unlocks one locked after wrong PINs (logged), or marks one revoked."""

    list_display = ["user", "common_name", "valid_to", "locked", "revoked", "active", "failed_attempts"]
    list_filter = ["locked", "revoked", "active"]
    list_select_related = ["user"]
    search_fields = ["user__username", "common_name", "subject", "fingerprint"]
    fields = ["user", "common_name", "subject", "issuer", "serial_number", "fingerprint", "valid_from", "valid_to",
              "failed_attempts", "locked", "locked_at", "revoked", "active", "created_at"]
    # Every field is read-only: a state change goes through `signing.personal` (row lock, usage log
    # with the actor), by the actions below.
    readonly_fields = list(fields)
    actions = ["unlock", "revoke"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Mở khóa chứng thư đã chọn (sau nhiều lần nhập sai PIN)"))
    def unlock(self, request, queryset):
        for cert in queryset:
            personal.admin_unlock(cert, actor=request.user)
        self.message_user(request, _("Đã mở khóa %(n)d chứng thư.") % {"n": queryset.count()})

    @admin.action(description=_("Thu hồi chứng thư đã chọn (không dùng để ký được nữa)"))
    def revoke(self, request, queryset):
        done = sum(personal.admin_revoke(cert, actor=request.user) for cert in queryset)
        self.message_user(request, _("Đã thu hồi %(n)d chứng thư.") % {"n": done})


@admin.register(PersonalCertificateUse)
class PersonalCertificateUseAdmin(admin.ModelAdmin):
    list_display = ["at", "certificate", "actor", "dossier", "outcome", "detail"]
    list_filter = ["outcome"]
    list_select_related = ["certificate", "actor", "dossier"]
    search_fields = ["certificate__common_name", "actor__username", "dossier__code"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
