"""Users (citizens and staff) and staff roles per agency."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

id_number_validator = RegexValidator(r"^\d{12}$", _("Số định danh cá nhân gồm đúng 12 chữ số."))
phone_validator = RegexValidator(
    r"^(\+84|0)\d{9,10}$", _("Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84).")
)


class User(AbstractUser):
    """One account type for citizens and staff; staff get roles through Membership."""

    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, validators=[phone_validator])
    id_number = models.CharField(
        _("số định danh cá nhân"), max_length=12, blank=True, validators=[id_number_validator],
        help_text=_("Số CCCD 12 chữ số."),
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)

    # Verification (added with self sign-up). Accounts made by staff, the admin or commands are
    # trusted as they are; a self-registered account must prove a phone, an e-mail address or
    # its identity (national identity provider) before it may submit dossiers.
    self_registered = models.BooleanField(
        _("tự đăng ký"), default=False,
        help_text=_("Tài khoản do người dân tự đăng ký trên cổng: cần xác minh trước khi nộp hồ sơ."),
    )
    email_verified_at = models.DateTimeField(_("xác minh e-mail lúc"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("xác minh điện thoại lúc"), null=True, blank=True)
    identity_verified_at = models.DateTimeField(
        _("xác thực định danh lúc"), null=True, blank=True,
        help_text=_("Khi số định danh và họ tên được xác thực qua tài khoản định danh điện tử."),
    )
    identity_fields = models.JSONField(
        _("thông tin do định danh điện tử cung cấp"), default=list, blank=True,
        help_text=_("Các trường hồ sơ (id_number, full_name, date_of_birth) lấy từ tài khoản định danh điện tử ở lần "
                    "đăng nhập gần nhất; chỉ các trường này được ghi «đã xác thực»."),
    )
    privacy_consent_at = models.DateTimeField(_("đồng ý xử lý dữ liệu cá nhân lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            # A verified e-mail, phone or identity belongs to one account (sign-in and reset use them).
            models.UniqueConstraint(
                Lower("email"), condition=Q(email_verified_at__isnull=False) & ~Q(email=""),
                name="uniq_verified_email",
            ),
            models.UniqueConstraint(
                "phone", condition=Q(phone_verified_at__isnull=False) & ~Q(phone=""), name="uniq_verified_phone"
            ),
            models.UniqueConstraint(
                "id_number", condition=Q(identity_verified_at__isnull=False) & ~Q(id_number=""),
                name="uniq_verified_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # set_password() keeps the new raw password until the save (Django's own mechanism): that
        # is how every door that changes a password (forms, reset, admin, shell) is noticed here.
        changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if changed:
            from .signals import PASSWORD_CHANGED, credentials_changed

            transaction.on_commit(lambda: credentials_changed.send(type(self), user=self, reason=PASSWORD_CHANGED))

    @property
    def email_verified(self) -> bool:
        return bool(self.email and self.email_verified_at)

    @property
    def phone_verified(self) -> bool:
        return bool(self.phone and self.phone_verified_at)

    @property
    def identity_verified(self) -> bool:
        return bool(self.identity_verified_at)

    @property
    def is_verified_citizen(self) -> bool:
        """May submit dossiers: made by staff, or proved a contact or the identity (see services.can_submit)."""
        if not self.self_registered:
            return True
        return self.email_verified or self.phone_verified or self.identity_verified


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Cán bộ một cửa")
    OFFICER = "officer", _("Chuyên viên")
    DEPARTMENT_HEAD = "department_head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    CLERK = "clerk", _("Văn thư")
    AGENCY_ADMIN = "agency_admin", _("Quản trị đơn vị")
    SUPERVISOR = "supervisor", _("Giám sát")


class Membership(models.Model):
    """A staff member holds a role in an agency (one row per agency and role)."""

    user = models.ForeignKey(User, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("đang hoạt động"), default=True, help_text=_("Bỏ chọn khi cán bộ nghỉ."))
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="uniq_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class VerificationCode(models.Model):
    """A 6-digit code sent to a phone or e-mail address: hashed, short-lived, few tries, single use.

    `token` names the code in links (`/xac-minh/?t=…&ma=…`); it is no secret on its own: the
    code is still needed, and each code allows MAX attempts.
    """

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Xác minh khi đăng ký")
        CONTACT = "contact", _("Xác minh số điện thoại / e-mail")
        RESET = "reset", _("Đặt lại mật khẩu")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Tin nhắn SMS")

    token = models.CharField(_("mã liên kết"), max_length=64, unique=True)
    user = models.ForeignKey(
        User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="verification_codes"
    )
    purpose = models.CharField(_("mục đích"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    field = models.CharField(_("thông tin"), max_length=10, help_text=_("phone hoặc email"))
    destination = models.CharField(_("gửi đến"), max_length=254)
    code_hash = models.CharField(_("mã (băm)"), max_length=128)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("số lần nhập tối đa"), default=5)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("thu hồi lúc"), null=True, blank=True, help_text=_("Khi một mã mới được gửi thay cho mã này.")
    )

    class Meta:
        verbose_name = _("mã xác minh")
        verbose_name_plural = _("mã xác minh")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "created_at"], name="vcode_user_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.destination}"

    @property
    def is_open(self) -> bool:
        return (
            self.used_at is None and self.revoked_at is None and self.attempts < self.max_attempts
            and self.expires_at > timezone.now()
        )


class IdentityLink(models.Model):
    """An account signed in through an OpenID Connect provider (VNeID): issuer + subject → user."""

    user = models.ForeignKey(User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="identity_links")
    issuer = models.CharField(_("nhà cung cấp định danh"), max_length=255)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    created_at = models.DateTimeField(_("liên kết lúc"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("đăng nhập gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết định danh điện tử")
        verbose_name_plural = _("liên kết định danh điện tử")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="uniq_identity_link")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.issuer}"
