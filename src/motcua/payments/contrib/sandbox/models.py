"""The demo gateway's own books: it plays an external system, so it never reads our Payment rows."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SandboxTransaction(models.Model):
    """The built-in test gateway's own books (it plays an external system: it never reads Payment)."""

    class State(models.TextChoices):
        """A transaction's state in the test gateway's books (not a dossier status, not a Payment's)."""

        PENDING = "pending", _("Chờ thanh toán")
        PAID = "paid", _("Thành công")
        CANCELLED = "cancelled", _("Khách hàng hủy")
        FAILED = "failed", _("Không thành công")
        EXPIRED = "expired", _("Hết hạn")

    token = models.CharField(max_length=40, unique=True, help_text=_("Mã trang thanh toán (ngẫu nhiên)."))
    tmn_code = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=100)
    amount = models.PositiveBigIntegerField(help_text=_("vnp_Amount: số tiền × 100."))
    order_info = models.CharField(max_length=255)
    return_url = models.TextField()
    create_date = models.CharField(max_length=14, help_text=_("vnp_CreateDate của yêu cầu."))
    expire_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    response_code = models.CharField(max_length=2, blank=True)
    transaction_status = models.CharField(max_length=2, blank=True)
    transaction_no = models.CharField(max_length=20, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    pay_date = models.CharField(max_length=14, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("giao dịch cổng thử nghiệm")
        verbose_name_plural = _("giao dịch cổng thử nghiệm")
        db_table = "payments_sandboxtransaction"  # the table it had inside the payments app
        constraints = [models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="uniq_sandbox_txn")]

    def __str__(self) -> str:
        return f"{self.tmn_code}/{self.txn_ref}"
