"""Payments of a dossier's fees and the append-only log of everything the gateways told us.

Only `services.py` writes these rows; the state moves only as `states.decide` allows, under a
row lock, in the same transaction as its log entry and its effect on the dossier.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .states import STATE_LABELS, State


class When(models.TextChoices):
    AT_RECEPTION = "at_reception", _("Khi nộp hồ sơ")
    AT_RETURN = "at_return", _("Khi nhận kết quả")


class Payment(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="payments"
    )
    merchant_ref = models.CharField(
        _("mã giao dịch"), max_length=40, unique=True,
        help_text=_("Mã của giao dịch phía hệ thống (gửi sang cổng thanh toán là vnp_TxnRef)."),
    )
    provider = models.CharField(_("cổng thanh toán"), max_length=30)
    provider_txn_ref = models.CharField(
        _("mã giao dịch tại cổng"), max_length=100, blank=True,
        help_text=_("Mã giao dịch do cổng thanh toán cấp khi thanh toán thành công (vnp_TransactionNo)."),
    )
    is_test = models.BooleanField(
        _("giao dịch thử nghiệm"), default=False, help_text=_("Qua cổng thử nghiệm: không có tiền thật.")
    )
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    fees = models.JSONField(
        _("các khoản phí"), default=list, blank=True,
        help_text=_("Các khoản phí, lệ phí thanh toán trong giao dịch: fee_id, tên, số tiền, thời điểm thu."),
    )
    when = models.CharField(_("thời điểm thu"), max_length=20, choices=When.choices, default=When.AT_RECEPTION)
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=[(s.value, STATE_LABELS[s]) for s in State], default=State.CREATED
    )
    return_url = models.CharField(
        _("địa chỉ trả về"), max_length=1000, help_text=_("Địa chỉ cổng thanh toán đưa người dùng quay lại.")
    )
    next_url = models.CharField(
        _("trang tiếp theo"), max_length=500, blank=True, help_text=_("Trang người dùng về sau khi xem kết quả.")
    )
    redirect_url = models.TextField(_("địa chỉ thanh toán"), blank=True, help_text=_("Địa chỉ trang thanh toán."))
    client_ip = models.GenericIPAddressField(_("địa chỉ IP người thanh toán"), null=True, blank=True)
    gateway_code = models.CharField(_("mã phản hồi của cổng"), max_length=10, blank=True)
    gateway_message = models.CharField(_("thông báo của cổng"), max_length=255, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.CharField(_("khóa chống lặp"), max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    updated_at = models.DateTimeField(_("thời điểm cập nhật"), default=timezone.now)
    deadline = models.DateTimeField(_("hạn thanh toán"), help_text=_("Quá hạn này giao dịch hết hiệu lực."))
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    finished_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    last_queried_at = models.DateTimeField(_("lần truy vấn gần nhất"), null=True, blank=True)
    query_count = models.PositiveIntegerField(_("số lần truy vấn"), default=0)

    needs_reconciliation = models.BooleanField(
        _("cần đối soát"), default=False,
        help_text=_("Cổng báo đã thu tiền sau khi giao dịch đã hủy/hết hạn, hoặc thu trùng: cán bộ cần đối soát."),
    )
    reconciliation_note = models.CharField(_("ghi chú đối soát"), max_length=500, blank=True)
    late_paid_at = models.DateTimeField(_("thời điểm báo thanh toán muộn"), null=True, blank=True)
    dossier_recorded = models.BooleanField(
        _("đã ghi nhận vào hồ sơ"), default=False,
        help_text=_("Khoản thanh toán đã được ghi vào hồ sơ (tiếp tục xử lý, số tiền đã thu)."),
    )
    fee_collected_recorded = models.BooleanField(
        _("đã cộng vào số tiền đã thu của hồ sơ"), default=False,
        help_text=_("Số tiền đã được cộng vào trường «phí, lệ phí đã thu» của hồ sơ."),
    )
    dossier_note = models.CharField(_("ghi chú về hồ sơ"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_txn_ref"], condition=~Q(provider_txn_ref=""),
                name="uniq_payment_provider_txn",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                name="uniq_payment_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="payment_state_created"),
            models.Index(fields=["dossier", "state"], name="payment_dossier_state"),
        ]

    def __str__(self) -> str:
        return self.merchant_ref

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[State(self.state)])

    @property
    def is_open(self) -> bool:
        return self.state in (State.CREATED, State.PENDING)


class AppendOnlyError(Exception):
    """Log entries are never changed or deleted."""


class LogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("CallbackLog rows are append-only")

    def delete(self):
        raise AppendOnlyError("CallbackLog rows are append-only")


class CallbackLog(models.Model):
    """One thing a gateway told us (IPN, browser return, query answer) or one state change we made
    ourselves (start, expiry, cancellation): raw, with the verdict. Append-only."""

    class Kind(models.TextChoices):
        CALLBACK = "callback", _("Thông báo từ cổng (IPN)")
        RETURN = "return", _("Người dùng quay lại từ cổng")
        QUERY = "query", _("Truy vấn cổng thanh toán")
        SYSTEM = "system", _("Hệ thống")

    payment = models.ForeignKey(
        Payment, verbose_name=_("giao dịch"), null=True, blank=True, on_delete=models.PROTECT, related_name="logs"
    )
    provider = models.CharField(_("cổng thanh toán"), max_length=30)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    merchant_ref = models.CharField(
        _("mã giao dịch được nêu"), max_length=100, blank=True, help_text=_("Mã giao dịch như bên gửi nêu.")
    )
    params = models.JSONField(_("tham số nhận được"), default=dict, blank=True)
    headers = models.JSONField(_("tiêu đề HTTP"), default=dict, blank=True)
    response = models.JSONField(_("phản hồi"), default=dict, blank=True)
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"), null=True, blank=True)
    outcome = models.CharField(_("kết quả xử lý"), max_length=30)
    state_before = models.CharField(_("trạng thái trước"), max_length=12, blank=True)
    state_after = models.CharField(_("trạng thái sau"), max_length=12, blank=True)
    remote_addr = models.GenericIPAddressField(_("địa chỉ IP gửi"), null=True, blank=True)
    received_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    objects = LogQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thanh toán")
        verbose_name_plural = _("nhật ký thanh toán")
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["payment", "received_at"], name="paylog_payment"),
            models.Index(fields=["outcome", "received_at"], name="paylog_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.merchant_ref} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("CallbackLog rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("CallbackLog rows are append-only")


class FeeReminder(models.Model):
    """The reminder to pay the fee due at submission of one level-4 dossier: at most one per dossier
    (the unique dossier is what makes the periodic job send it once, docs/payments.md)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="fee_reminder"
    )
    deadline = models.DateTimeField(_("hạn nộp phí"), help_text=_("Hạn nộp phí khi gửi lời nhắc."))
    sent_at = models.DateTimeField(_("gửi lúc"))
    channels = models.JSONField(_("kênh đã gửi"), default=list, blank=True)

    class Meta:
        verbose_name = _("lời nhắc nộp phí")
        verbose_name_plural = _("lời nhắc nộp phí")

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.sent_at:%Y-%m-%d %H:%M}"
