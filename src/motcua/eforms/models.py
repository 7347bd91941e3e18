"""The e-form of a procedure version (one at most). The schema is plain JSON (see schema.py);
it is versioned with the procedure: a dossier keeps its version, so editing the e-form of a new
version never changes what earlier applicants filled in."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .schema import subject_problem, validate_schema


class EForm(models.Model):
    procedure_version = models.OneToOneField(
        "catalog.ProcedureVersion", verbose_name=_("phiên bản thủ tục"), on_delete=models.CASCADE,
        related_name="eform",
    )
    title = models.CharField(
        _("tên tờ khai"), max_length=500,
        help_text=_("In hoa ở đầu tờ khai PDF, ví dụ «Tờ khai đăng ký khai sinh»."),
    )
    schema = models.JSONField(
        _("các trường"), default=list, blank=True,
        help_text=_("Danh sách trường của biểu mẫu (xem docs/eforms.md)."),
    )
    component = models.ForeignKey(
        "catalog.Component", verbose_name=_("thành phần hồ sơ thay thế"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Giấy tờ mà tờ khai điện tử thay thế: bản PDF tạo tự động được đính vào đây. "
                    "Để trống: thành phần có mẫu đơn, tờ khai."),
    )
    subject_field = models.CharField(
        _("trường đối tượng của hồ sơ"), max_length=50, blank=True, default="",
        help_text=_("Mã trường mà câu trả lời phân biệt các hồ sơ của cùng người nộp (ví dụ tên của trẻ), "
                    "hiện bên cạnh người nộp trong các danh sách hồ sơ. Để trống: không có."),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True)

    class Meta:
        verbose_name = _("biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        problems = validate_schema(self.schema)
        if problems:
            raise ValidationError({"schema": problems})
        if (problem := subject_problem(self.schema, self.subject_field)) is not None:
            raise ValidationError({"subject_field": problem})
        if self.component_id and self.procedure_version_id and \
                self.component.version_id != self.procedure_version_id:
            raise ValidationError({"component": _("Thành phần hồ sơ phải thuộc cùng phiên bản thủ tục.")})
