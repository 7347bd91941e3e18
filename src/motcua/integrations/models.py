"""Service accounts (API clients of other systems), their scoped tokens, webhooks.

A service account acts through its own user, a member of its agency with the roles it is given:
every visibility and permission rule of staff applies to it unchanged (queries.can_see,
capacities), so it sees and does only what a staff member of that agency with those roles could.
Its tokens add a second limit, the scopes (scopes.py). The user has no usable password: it cannot
sign in to the web pages or get a token with a password.

Webhooks: a subscription of a service account receives the dossier events its agency may see,
signed with HMAC-SHA256 (docs/integration.md). Each delivery is a row (attempts, last answer).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scopes import SCOPES, unknown


def new_secret() -> str:
    return secrets.token_hex(32)


def _validate_scopes(value) -> None:
    if not isinstance(value, list) or unknown(value):
        raise ValidationError(
            _("Phạm vi không hợp lệ: %(bad)s. Các phạm vi: %(all)s."),
            params={"bad": ", ".join(map(str, unknown(value) if isinstance(value, list) else [value])),
                    "all": ", ".join(SCOPES)},
        )


def _validate_roles(value) -> None:
    from motcua.accounts.models import Role

    if not isinstance(value, list) or any(r not in Role.values for r in value):
        raise ValidationError(_("Vai trò không hợp lệ. Các vai trò: %(all)s."), params={"all": ", ".join(Role.values)})


def _validate_kinds(value) -> None:
    from motcua.dossiers.models import EventKind

    if not isinstance(value, list) or any(k not in EventKind.values for k in value):
        raise ValidationError(
            _("Loại sự kiện không hợp lệ. Các loại: %(all)s."), params={"all": ", ".join(EventKind.values)}
        )


class ServiceAccount(models.Model):
    name = models.SlugField(
        _("tên"), max_length=60, unique=True,
        help_text=_("Tên ngắn của hệ thống kết nối (chữ thường, số, dấu gạch), ví dụ buu-dien-ca-mau."),
    )
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="service_accounts",
        help_text=_("Tài khoản chỉ thấy và thao tác hồ sơ của cơ quan này, như cán bộ của cơ quan."),
    )
    roles = models.JSONField(
        _("vai trò"), default=list, blank=True, validators=[_validate_roles],
        help_text=_(
            "Vai trò tại cơ quan, ví dụ [\"receptionist\"] để tiếp nhận hồ sơ; trống: chỉ xem (vai trò giám sát)."
        ),
    )
    scopes = models.JSONField(
        _("phạm vi"), default=list, blank=True, validators=[_validate_scopes],
        help_text=_("Phạm vi tối đa của các mã truy cập, ví dụ [\"dossiers:read\", \"webhooks:manage\"]."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng hệ thống"), on_delete=models.PROTECT,
        related_name="service_account", editable=False, null=True,
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("tài khoản dịch vụ")
        verbose_name_plural = _("tài khoản dịch vụ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from .accounts import sync_user

        super().save(*args, **kwargs)
        sync_user(self)

    def clean(self) -> None:
        from motcua.accounts.models import User

        from .accounts import username_for

        if self.user_id is None and self.name and User.objects.filter(username=username_for(self.name)).exists():
            raise ValidationError({"name": _("Tên này trùng với một người dùng đã có (%(u)s); hãy chọn tên khác.")
                                   % {"u": username_for(self.name)}})


class ServiceToken(models.Model):
    """A bearer token of a service account; only its SHA-256 is stored (shown once when made)."""

    account = models.ForeignKey(
        ServiceAccount, verbose_name=_("tài khoản dịch vụ"), on_delete=models.CASCADE, related_name="tokens"
    )
    label = models.CharField(_("ghi chú"), max_length=100, blank=True)
    prefix = models.CharField(_("đầu mã"), max_length=12, help_text=_("Vài ký tự đầu để nhận ra mã."))
    key_hash = models.CharField(_("mã băm"), max_length=64, unique=True)
    scopes = models.JSONField(
        _("phạm vi"), default=list, blank=True, validators=[_validate_scopes],
        help_text=_("Trống: mọi phạm vi của tài khoản. Không bao giờ rộng hơn phạm vi của tài khoản."),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True, help_text=_("Trống: không hết hạn."))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập của tài khoản dịch vụ")
        verbose_name_plural = _("mã truy cập của tài khoản dịch vụ")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account} {self.prefix}…"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class WebhookSubscription(models.Model):
    account = models.ForeignKey(
        ServiceAccount, verbose_name=_("tài khoản dịch vụ"), on_delete=models.CASCADE, related_name="webhooks"
    )
    target_url = models.URLField(
        _("địa chỉ nhận"), max_length=500, help_text=_("Địa chỉ https nhận sự kiện (POST JSON).")
    )
    secret = models.CharField(
        _("khóa ký"), max_length=128, default=new_secret,
        help_text=_("Khóa bí mật dùng để ký HMAC-SHA256; bên nhận dùng nó để kiểm tra chữ ký."),
    )
    event_kinds = models.JSONField(
        _("loại sự kiện"), default=list, blank=True, validators=[_validate_kinds],
        help_text=_("Ví dụ [\"received\", \"completed\"]; trống: mọi sự kiện."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")
        ordering = ["account", "id"]

    def __str__(self) -> str:
        return f"{self.account}: {self.target_url}"

    def clean(self) -> None:
        from .webhooks import TargetRefused, check_target

        try:
            check_target(self.target_url, resolve=False)
        except TargetRefused as exc:
            raise ValidationError({"target_url": str(exc)}) from None

    def wants(self, kind: str) -> bool:
        return not self.event_kinds or kind in self.event_kinds


class WebhookDelivery(models.Model):
    uid = models.UUIDField(_("mã lần gửi"), default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("đăng ký"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "dossiers.Event", verbose_name=_("sự kiện"), on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    payload = models.JSONField(_("nội dung"), default=dict)
    state = models.CharField(_("trạng thái"), max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("mã HTTP gần nhất"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    sent_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("lần gửi webhook")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="uniq_webhook_delivery"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="webhook_delivery_state")]

    def __str__(self) -> str:
        return str(self.uid)
