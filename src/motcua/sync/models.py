"""The national-portal outbox: one SyncMessage per dossier status change (docs/integration.md).

A message is written in the transaction of the change it reports (a rolled-back action leaves
none) and a `sync.send` job sends it. The row is the business record admins look at: payload,
attempts, next try, last error, the receiver's answer. Per dossier, messages go out in the order
of the dossier's versions; the receiver can ignore a repeat by its idempotency key.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")

    class Service(models.TextChoices):
        DOSSIER = "DongBoHoSoMC", _("Đồng bộ hồ sơ")
        PROGRESS = "CapNhatTienDoHoSoMC", _("Cập nhật tiến độ")

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="sync_messages"
    )
    event = models.OneToOneField(
        "dossiers.Event", verbose_name=_("sự kiện"), on_delete=models.PROTECT, related_name="sync_message"
    )
    version = models.PositiveIntegerField(
        _("phiên bản hồ sơ"), help_text=_("Phiên bản hồ sơ sau sự kiện; các tin của một hồ sơ gửi theo thứ tự này.")
    )
    service = models.CharField(_("dịch vụ"), max_length=40, choices=Service.choices, default=Service.DOSSIER)
    idempotency_key = models.CharField(
        _("khóa chống lặp"), max_length=80, unique=True,
        help_text=_("Mã hồ sơ và phiên bản: bên nhận bỏ qua tin đã nhận."),
    )
    payload = models.JSONField(_("nội dung gửi"), default=dict)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    response = models.TextField(_("phản hồi của Cổng"), blank=True)
    sent_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("tin đồng bộ Cổng DVC quốc gia")
        verbose_name_plural = _("tin đồng bộ Cổng DVC quốc gia")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dossier", "version"], name="syncmsg_dossier_version"),
            models.Index(fields=["state", "created_at"], name="syncmsg_state"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key
