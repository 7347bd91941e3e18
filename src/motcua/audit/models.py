"""Who looked at citizens' personal data: one row per staff view, download or export of a dossier.

Rows are append-only and hash-chained per dossier (`seq` 1, 2, … with the previous row's hash),
like dossier events; `python -m motcua verify_audit` checks both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    VIEW = "view", _("Xem")
    DOWNLOAD = "download", _("Tải về")
    EXPORT = "export", _("Kết xuất")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit rows are append-only")

    def delete(self):
        raise PermissionError("audit rows are append-only")


class PersonalDataAccess(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người truy cập"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"))
    what = models.CharField(_("hình thức"), max_length=10, choices=AccessKind.choices)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    path = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    seq = models.PositiveIntegerField(_("số thứ tự"), help_text=_("Thứ tự truy cập của hồ sơ này, từ 1."))
    prev_hash = models.CharField(_("mã băm trước"), max_length=64, blank=True, default="")
    hash = models.CharField(_("mã băm"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("truy cập dữ liệu cá nhân")
        verbose_name_plural = _("truy cập dữ liệu cá nhân")
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="uniq_access_dossier_seq")]
        indexes = [
            models.Index(fields=["actor", "at"], name="access_actor_at"),
            models.Index(fields=["at"], name="access_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.what} {self.dossier_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit rows are append-only")


class ChangeLogSeal(models.Model):
    """The hash chain over the configuration change log (ChangeLog below), kept beside it rather than
    in its rows. One seal per change-log row, one global chain (`seq` 1, 2, …):
    configuration changes are rare, so a global order costs nothing. Written by a post_save signal
    in the same transaction as the row; `verify_audit` checks it."""

    changelog_id = models.BigIntegerField(_("mục nhật ký"), unique=True)
    seq = models.PositiveIntegerField(_("số thứ tự"), unique=True)
    prev_hash = models.CharField(_("mã băm trước"), max_length=64, blank=True, default="")
    hash = models.CharField(_("mã băm"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("dấu niêm nhật ký cấu hình")
        verbose_name_plural = _("dấu niêm nhật ký cấu hình")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} → {self.changelog_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit rows are append-only")


class AuditLog(models.TextChoices):
    """The three hash-chained logs, as named in anchors and checkpoints."""

    EVENT = "event", _("sự kiện hồ sơ")
    ACCESS = "access", _("truy cập dữ liệu cá nhân")
    CHANGELOG = "changelog", _("nhật ký cấu hình")


# --- The configuration change log (moved from the administration app; its rows and seals kept) ---


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xóa")
    REORDER = "reorder", _("Sắp xếp lại")
    PUBLISH = "publish", _("Công bố")
    RETIRE = "retire", _("Ngừng áp dụng")
    IMPORT = "import", _("Nhập")
    CONFIRM = "confirm", _("Xác nhận")
    REVOKE = "revoke", _("Thu hồi")
    LOCK = "lock", _("Tạm khóa đăng nhập")
    UNLOCK = "unlock", _("Mở khóa đăng nhập")
    SUBMIT = "submit", _("Đề nghị công bố")
    RETURN = "return", _("Trả lại")


class ChangeLog(models.Model):
    at = models.DateTimeField(_("thời điểm"), db_index=True, help_text=_("Khi thay đổi được lưu."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thay đổi"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Trống khi thay đổi do hệ thống thực hiện (lệnh, công việc nền)."),
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Cơ quan sở hữu đối tượng được thay đổi (để lọc theo đơn vị)."),
    )
    object_type = models.CharField(
        _("loại đối tượng"), max_length=100, help_text=_("Nhãn mô hình, ví dụ «catalog.component»."),
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64, help_text=_("Khóa chính của đối tượng."))
    object_repr = models.CharField(_("đối tượng"), max_length=500, help_text=_("Tên đối tượng khi thay đổi."))
    action = models.CharField(_("thao tác"), max_length=20, choices=ChangeAction.choices)
    before = models.JSONField(
        _("trước"), null=True, blank=True, help_text=_("Các trường của đối tượng trước thay đổi (trống khi tạo mới)."),
    )
    after = models.JSONField(
        _("sau"), null=True, blank=True, help_text=_("Các trường của đối tượng sau thay đổi (trống khi xóa)."),
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, help_text=_("Lý do hoặc mô tả thêm."))

    class Meta:
        verbose_name = _("nhật ký thay đổi cấu hình")
        verbose_name_plural = _("nhật ký thay đổi cấu hình")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="changelog_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
