"""Background jobs kept in the database: a transactional outbox with leases.

A job is enqueued in the same transaction as the change it follows (a status change, a
payment), so it exists exactly when the change does. Workers claim jobs with a lease; a
worker killed in the middle of a job leaves the lease to expire and the job runs again, so
handlers must be idempotent (they are written that way: a message knows whether it was sent).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Chờ chạy")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Thất bại")

    kind = models.CharField(_("loại tác vụ"), max_length=100, help_text=_("Tên trình xử lý đã đăng ký."))
    payload = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING)
    run_after = models.DateTimeField(
        _("chạy từ"), help_text=_("Không chạy trước thời điểm này (thử lại có giãn cách).")
    )
    attempts = models.PositiveIntegerField(_("số lần đã chạy"), default=0)
    max_attempts = models.PositiveIntegerField(_("số lần tối đa"), default=8)
    locked_until = models.DateTimeField(
        _("giữ đến"), null=True, blank=True,
        help_text=_("Hạn giữ của tiến trình đang chạy; quá hạn thì tiến trình khác chạy lại."),
    )
    locked_by = models.CharField(_("tiến trình"), max_length=100, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    dedupe_key = models.CharField(
        _("khóa chống trùng"), max_length=200, null=True, blank=True, unique=True,
        help_text=_("Hai tác vụ cùng khóa chỉ được tạo một lần."),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    finished_at = models.DateTimeField(_("ngày xong"), null=True, blank=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "run_after"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"


class PeriodicRun(models.Model):
    """When a periodic job last ran, so that several workers run it once per period."""

    name = models.CharField(_("tên"), max_length=100, unique=True)
    last_run = models.DateTimeField(_("lần chạy gần nhất"))

    class Meta:
        verbose_name = _("tác vụ định kỳ")
        verbose_name_plural = _("tác vụ định kỳ")

    def __str__(self) -> str:
        return self.name
