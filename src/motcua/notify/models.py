"""One row per notification to one address: what it says, where it goes, and how sending went.

A message is created in the transaction of the change it reports (a dossier event, a request
for a verification code) together with its `notify.send` job; the job renders it (once) and
hands it to the channel's backend. The same event never produces the same message twice
(unique event + channel + template).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class State(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Message(models.Model):
    channel = models.CharField(
        _("kênh"), max_length=10, choices=Channel.choices, help_text=_("Thư điện tử hoặc tin nhắn SMS.")
    )
    recipient = models.CharField(
        _("người nhận"), max_length=254,
        help_text=_("Địa chỉ thư điện tử, hoặc số điện thoại dạng 0xxxxxxxxx."),
    )
    template = models.CharField(
        _("mẫu thông báo"), max_length=50,
        help_text=_("Tên mẫu trong notify/templates/notify/<tên>.<kênh>.txt, ví dụ received."),
    )
    context = models.JSONField(
        _("dữ liệu điền mẫu"), default=dict, blank=True, encoder=DjangoJSONEncoder,
        help_text=_("Các giá trị tại thời điểm xảy ra sự việc (mã hồ sơ, ngày hẹn…), dùng để soạn nội dung."),
    )
    subject = models.CharField(
        _("tiêu đề"), max_length=255, blank=True, help_text=_("Tiêu đề thư điện tử; để trống với SMS.")
    )
    body = models.TextField(
        _("nội dung"), blank=True,
        help_text=_("Nội dung đã soạn từ mẫu (SMS: không dấu); trống cho đến lần gửi đầu tiên."),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="messages", help_text=_("Hồ sơ mà thông báo nói đến, nếu có."),
    )
    event = models.ForeignKey(
        "dossiers.Event", verbose_name=_("sự kiện hồ sơ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Sự kiện đã sinh ra thông báo, nếu có."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="messages", help_text=_("Tài khoản của người nhận, nếu có."),
    )
    sensitive = models.BooleanField(
        _("nội dung bí mật"), default=False,
        help_text=_("Mã xác thực, mã đặt lại mật khẩu: không hiển thị, xóa khỏi nội dung sau khi gửi."),
    )
    expires_at = models.DateTimeField(
        _("hết hạn lúc"), null=True, blank=True,
        help_text=_("Không gửi sau thời điểm này (mã xác thực hết hiệu lực)."),
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.QUEUED,
        help_text=_("Chờ gửi, đã gửi, hoặc gửi không thành công sau số lần thử tối đa."),
    )
    attempts = models.PositiveIntegerField(_("số lần đã gửi"), default=0, help_text=_("Số lần đã thử gửi."))
    max_attempts = models.PositiveIntegerField(
        _("số lần tối đa"), default=8, help_text=_("Sau số lần thử này thông báo được đánh dấu không thành công.")
    )
    claimed_until = models.DateTimeField(
        _("đang gửi đến"), null=True, blank=True,
        help_text=_("Một tiến trình đang gửi thông báo này cho đến thời điểm đó."),
    )
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, help_text=_("Lỗi của lần gửi gần nhất."))
    provider_id = models.CharField(
        _("mã của nhà cung cấp"), max_length=255, blank=True,
        help_text=_("Mã tin do cổng SMS hoặc máy chủ thư trả về, để đối soát."),
    )
    resends = models.PositiveSmallIntegerField(
        _("số lần gửi lại"), default=0, help_text=_("Số lần quản trị viên bấm «gửi lại».")
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "template"], condition=Q(event__isnull=False),
                name="uniq_message_event_channel_template",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="message_state")]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.get_state_display()})"


class DailyWarning(models.Model):
    """One daily warning to one staff member (hồ sơ sắp đến hạn / quá hạn): sent once per day
    (`motcua.notify.warnings`); the row is what makes a second run the same day send nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="+",
    )
    day = models.DateField(_("ngày"), help_text=_("Ngày (giờ Việt Nam) của lần cảnh báo."))
    due_soon = models.PositiveIntegerField(_("số hồ sơ sắp đến hạn"), default=0)
    late = models.PositiveIntegerField(_("số hồ sơ quá hạn"), default=0)
    codes = models.JSONField(_("mã hồ sơ"), default=list, blank=True, help_text=_("Các hồ sơ nêu trong cảnh báo."))
    channels = models.JSONField(_("kênh đã gửi"), default=list, blank=True)
    created_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)

    class Meta:
        verbose_name = _("cảnh báo hằng ngày")
        verbose_name_plural = _("cảnh báo hằng ngày")
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="uniq_daily_warning_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.due_soon} sắp đến hạn, {self.late} quá hạn"
