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


class Refund(models.Model):
    """A fee to give back (issue #17): a dossier that had paid (online or at the counter) was then
    refused, withdrawn or stopped. Opened by the action layer in the transaction of that action
    ("chờ hoàn phí"), completed by the counter or the accountant ("đã hoàn phí", event
    `fee_refunded`). Written only by `dossiers.actions` (open_refund, record_refund)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ hoàn phí")
        DONE = "done", _("Đã hoàn phí")

    class Method(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        TRANSFER = "transfer", _("Chuyển khoản")
        GATEWAY = "gateway", _("Hoàn qua cổng thanh toán")

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="refunds"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan hoàn phí"), on_delete=models.PROTECT, related_name="+",
        help_text=_("Cơ quan tiếp nhận hồ sơ (nơi đã thu phí)."),
    )
    amount_vnd = models.PositiveBigIntegerField(_("số tiền hoàn (đồng)"))
    reason = models.CharField(_("lý do"), max_length=30, help_text=_("Sự kiện làm phát sinh việc hoàn phí."))
    origin_event = models.ForeignKey(
        "dossiers.Event", verbose_name=_("sự kiện phát sinh"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING)
    method = models.CharField(_("hình thức hoàn"), max_length=10, choices=Method.choices, blank=True)
    reference = models.CharField(_("số chứng từ hoàn"), max_length=100, blank=True)
    refunded_on = models.DateField(_("ngày hoàn"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người hoàn"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("thời điểm ghi nhận hoàn"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm phát sinh"), default=timezone.now)

    class Meta:
        verbose_name = _("khoản hoàn phí")
        verbose_name_plural = _("khoản hoàn phí")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["agency", "state", "created_at"], name="refund_agency_state")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.amount_vnd} {self.state}"


class ReceiptDocument(models.Model):
    """The paper of one paid online payment: a legal electronic receipt (biên lai điện tử, NĐ
    123/2020, TT 78/2021) numbered in the agency's series when the agency has configured one,
    else a payment confirmation (not a receipt). Allocated once, when the payment is recorded
    on its dossier; its number is never re-used."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Biên lai thu phí, lệ phí")
        CONFIRMATION = "confirmation", _("Xác nhận thanh toán")

    payment = models.OneToOneField(Payment, verbose_name=_("giao dịch"), on_delete=models.PROTECT,
                                   related_name="receipt")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan thu"), on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(_("loại"), max_length=15, choices=Kind.choices)
    form_number = models.CharField(_("mẫu số"), max_length=20, blank=True)
    series = models.CharField(_("ký hiệu"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    issued_at = models.DateTimeField(_("ngày lập"))

    class Meta:
        verbose_name = _("biên lai / xác nhận thanh toán")
        verbose_name_plural = _("biên lai / xác nhận thanh toán")
        constraints = [
            models.UniqueConstraint(fields=["agency", "series", "year", "number"],
                                    condition=Q(number__isnull=False), name="uniq_receipt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number}" if self.number else f"confirmation {self.payment_id}"

    @property
    def number_text(self) -> str:
        return f"{self.number:07d}" if self.number else ""
