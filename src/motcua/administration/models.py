"""The change log of every configuration object (procedures, e-forms, workflows, calendars, staff).

Rows are written only through `changelog.record` and never edited: who changed what, when, and the
object's fields before and after (plain JSON snapshots, so a row stays readable after the object
itself is changed again or deleted)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
