"""Users (citizens and staff) and staff roles per agency."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
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

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username


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
