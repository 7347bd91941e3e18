"""Drafts of online dossiers (hồ sơ nháp) and their files.

A draft belongs to one citizen and one procedure version; each step of the wizard saves it. Its
files are written to the default storage under a generated key (``drafts/YYYY/MM/<random>.<ext>``)
before a DraftFile row refers to them, and are never overwritten. On submission every draft file
is copied into the dossier through ``dossiers.actions.add_file`` and the draft is deleted (its
stored files with it, after the commit).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    CASE = "case", _("Chọn trường hợp")
    FORM = "form", _("Tờ khai")
    FILES = "files", _("Giấy tờ")
    REVIEW = "review", _("Xem lại và nộp")


class Draft(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), on_delete=models.CASCADE, related_name="drafts"
    )
    version = models.ForeignKey(
        "catalog.ProcedureVersion", verbose_name=_("phiên bản thủ tục"), on_delete=models.CASCADE,
        related_name="drafts",
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase", verbose_name=_("trường hợp giải quyết"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    form_data = models.JSONField(
        _("dữ liệu tờ khai"), default=dict, blank=True,
        help_text=_("Những gì người dân đã điền, kể cả khi còn lỗi; được kiểm tra lại trước khi nộp."),
    )
    fee_inputs = models.JSONField(
        _("thông tin tính phí"), default=dict, blank=True,
        help_text=_("Số bản, số trang mỗi bản, đối tượng giảm phí người dân khai ở bước chọn trường hợp."),
    )
    delivery = models.CharField(
        _("cách nhận kết quả"), max_length=10, blank=True,
        help_text=_("Hỏi một lần, ở phần cuối của trang điền hồ sơ (trống: cách đầu tiên được phép)."),
    )
    delivery_address = models.CharField(_("địa chỉ nhận qua bưu chính"), max_length=500, blank=True)
    step = models.CharField(_("bước hiện tại"), max_length=10, choices=Step.choices, default=Step.FORM)
    submit_key = models.CharField(
        _("khóa nộp"), max_length=64, blank=True,
        help_text=_("Khóa dùng một lần của trang xem lại; nộp hai lần với cùng khóa chỉ tạo một hồ sơ."),
    )
    client_token = models.UUIDField(
        _("mã trang tạo hồ sơ"), null=True, blank=True, editable=False,
        help_text=_("Mã ngẫu nhiên của trang điền hồ sơ; lần lưu đầu gửi lại (bấm hai lần, mất mạng rồi thử lại) "
                    "không tạo thêm hồ sơ nháp."),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("lưu lần cuối"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_updated")]
        constraints = [models.UniqueConstraint(fields=["owner", "client_token"], name="draft_owner_client_token")]

    def __str__(self) -> str:
        return f"{self.version.procedure.code} – {self.owner}"


class DraftFile(models.Model):
    class Source(models.TextChoices):
        UPLOADED = "uploaded", _("Tải lên")
        WALLET = "wallet", _("Lấy từ kho dữ liệu")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(Draft, verbose_name=_("hồ sơ nháp"), on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(
        "catalog.Component", verbose_name=_("thành phần hồ sơ"), on_delete=models.CASCADE, related_name="+"
    )
    storage_key = models.CharField(_("khóa lưu trữ"), max_length=300, unique=True)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100, help_text=_("Xác định theo nội dung tệp."))
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices, default=Source.UPLOADED)
    wallet_file = models.ForeignKey(
        "dossiers.DossierFile", verbose_name=_("tệp gốc trong kho"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("ngày tải lên"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp hồ sơ nháp")
        verbose_name_plural = _("tệp hồ sơ nháp")
        ordering = ["draft", "created_at"]

    def __str__(self) -> str:
        return self.original_name
