"""Satisfaction ratings of handled dossiers, and citizens' feedback (phản ánh, kiến nghị: PAKN).

Both feed group 5 of the QĐ 766 indicators: 5.1–5.3 count and time the PAKN, 5.4 subtracts the
dossiers with a "Không hài lòng" rating or a PAKN (`feedback.indicators`). Ratings are written
only by `services.record_rating`; PAKN by the public form and answered in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.tracking import mask_name

from .criteria import CRITERIA, SATISFACTION_LABELS

SCORE_CHOICES = [(2, _("2 điểm")), (1, _("1 điểm")), (0, _("0 điểm"))]
SATISFACTION_CHOICES = list(SATISFACTION_LABELS.items())


def _criterion_field(number: int) -> models.PositiveSmallIntegerField:
    criterion = CRITERIA[number - 1]
    choices = SATISFACTION_CHOICES if criterion.kind == "satisfaction" else SCORE_CHOICES
    return models.PositiveSmallIntegerField(
        _("chỉ số %(n)d") % {"n": number}, choices=choices, help_text=criterion.title
    )


class Rating(models.Model):
    """One rating per dossier (đánh giá mức độ hài lòng), after the result is returned."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="rating"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="+",
        help_text=_("Cơ quan tiếp nhận hồ sơ (sao từ hồ sơ, để thống kê theo đơn vị)."),
    )
    c1 = _criterion_field(1)
    c2 = _criterion_field(2)
    c3 = _criterion_field(3)
    c4 = _criterion_field(4)
    c5 = _criterion_field(5)
    c6 = _criterion_field(6)
    c7 = _criterion_field(7)
    c8 = _criterion_field(8)
    c9 = _criterion_field(9)
    score = models.PositiveSmallIntegerField(_("tổng điểm chỉ số 1-7"), help_text=_("Từ 0 đến 14."))
    unsatisfied = models.BooleanField(
        _("không hài lòng"), default=False,
        help_text=_("Chỉ số 8 hoặc 9 được đánh giá «Không hài lòng» (tính vào chỉ số 5.4)."),
    )
    comment = models.TextField(_("ý kiến khác"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi nhận"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    on_behalf = models.BooleanField(
        _("cán bộ ghi thay"), default=False,
        help_text=_("Cán bộ một cửa ghi nhận đánh giá thay người nộp hồ sơ."),
    )
    created_at = models.DateTimeField(_("thời điểm đánh giá"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "created_at"], name="rating_agency_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"c{n}__lte": 2 for n in range(1, 10)}), name="rating_values_0_to_2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}/14"

    def answers(self) -> dict[str, int]:
        return {c.code: getattr(self, c.code) for c in CRITERIA}

    def rows(self) -> list[dict]:
        """Each criterion with the option chosen, for showing a stored rating."""
        rows = []
        for c in CRITERIA:
            value = getattr(self, c.code)
            option = next((o for o in c.options if o.value == value), None)
            rows.append({"criterion": c, "value": value, "label": option.label if option else value})
        return rows


class Category(models.TextChoices):
    REGULATION = "regulation", _("Quy định, thủ tục hành chính (hồ sơ, biểu mẫu, phí)")
    CONDUCT = "conduct", _("Hành vi, thái độ của cán bộ, công chức")
    PROGRESS = "progress", _("Tiến độ, kết quả giải quyết hồ sơ")
    ONLINE = "online", _("Cổng dịch vụ công, dịch vụ trực tuyến")
    SUGGESTION = "suggestion", _("Kiến nghị, đề xuất")
    OTHER = "other", _("Khác")


class Feedback(models.Model):
    """A phản ánh, kiến nghị from anyone; staff answer it and the answer is published."""

    name = models.CharField(_("họ tên người gửi"), max_length=100)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản gửi"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    dossier_code = models.CharField(
        _("mã hồ sơ (người gửi nhập)"), max_length=50, blank=True,
        help_text=_("Như người gửi đã nhập; có thể không khớp hồ sơ nào."),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ liên quan"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="feedback", help_text=_("Hồ sơ có mã trùng với mã người gửi nhập, nếu có."),
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan liên quan"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Cơ quan được phản ánh; mặc định là nơi tiếp nhận hồ sơ liên quan."),
    )
    category = models.CharField(_("phân loại"), max_length=20, choices=Category.choices)
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời điểm gửi"), default=timezone.now)

    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người trả lời"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    publish = models.BooleanField(
        _("công khai"), default=True,
        help_text=_("Công khai câu hỏi và câu trả lời trên trang Góp ý (tên người gửi được che)."),
    )
    public_content = models.TextField(
        _("nội dung công khai"), blank=True,
        help_text=_("Để trống: công khai nội dung gốc (số điện thoại, thư điện tử, số định danh được tự động che). "
                    "Sửa ở đây nếu nội dung có thông tin riêng khác."),
    )
    published_at = models.DateTimeField(_("thời điểm công khai"), null=True, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["published_at"], name="feedback_published"),
            models.Index(fields=["category", "created_at"], name="feedback_category_at"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"PAKN-{self.pk:06d}" if self.pk else "PAKN"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def answered(self) -> bool:
        return bool(self.answer.strip()) and self.answered_at is not None
