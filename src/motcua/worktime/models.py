"""The working calendar's data: national days off per year, and per-agency office hours.

Days off are national (every agency follows the Government's announcements); office hours
are per agency, inherited from the parent agency unless the agency sets its own. Each year is
generated from the `holidays` package (`generate_calendar`), then reviewed and confirmed by an
admin; an unconfirmed year is still used, but flagged.

Note for bulk updates: the calendar cache notices changes by `updated_at` (see services), so a
`queryset.update()` on these tables must set `updated_at` too.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motcua.core.dates import WEEKDAYS

from .holidays_vn import DayKind as _DayKind


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(
        _("năm"),
        unique=True,
        validators=[MinValueValidator(1995), MaxValueValidator(2099)],
        help_text=_("Năm dương lịch của lịch làm việc, ví dụ 2026."),
    )
    confirmed = models.BooleanField(
        _("đã xác nhận"),
        default=False,
        help_text=_(
            "Quản trị đã đối chiếu lịch với thông báo nghỉ lễ của Chính phủ. Lịch chưa xác nhận "
            "vẫn được dùng để tính hạn, nhưng kết quả được đánh dấu là chưa chắc chắn."
        ),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Tài khoản đã xác nhận lịch năm."),
    )
    confirmed_at = models.DateTimeField(
        _("thời điểm xác nhận"), null=True, blank=True, help_text=_("Khi lịch năm được xác nhận.")
    )
    generated_at = models.DateTimeField(
        _("thời điểm sinh lịch"),
        null=True,
        blank=True,
        help_text=_("Lần cuối các ngày nghỉ được sinh tự động từ thư viện holidays."),
    )
    note = models.TextField(
        _("ghi chú"),
        blank=True,
        help_text=_("Căn cứ đã đối chiếu (số công văn, thông báo nghỉ lễ, Tết), nếu có."),
    )
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True, help_text=_("Lần sửa cuối, để làm mới bộ nhớ đệm."))

    class Meta:
        verbose_name = _("lịch năm")
        verbose_name_plural = _("lịch năm")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One exception to the weekly office hours: a day off, or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = _DayKind.HOLIDAY.value, _("Nghỉ lễ, Tết")
        COMPENSATORY = _DayKind.COMPENSATORY.value, _("Nghỉ bù")
        EXTRA_DAY_OFF = _DayKind.EXTRA_DAY_OFF.value, _("Nghỉ hoán đổi (thêm)")
        MAKEUP_WORKING_DAY = _DayKind.MAKEUP_WORKING_DAY.value, _("Làm bù")

    class Source(models.TextChoices):
        GENERATED = "generated", _("Sinh tự động")
        MANUAL = "manual", _("Nhập, sửa tay")

    calendar_year = models.ForeignKey(
        CalendarYear,
        verbose_name=_("lịch năm"),
        on_delete=models.CASCADE,
        related_name="days",
        editable=False,
        help_text=_("Năm chứa ngày này (tự điền theo ngày)."),
    )
    date = models.DateField(_("ngày"), unique=True, help_text=_("Ngày dương lịch; mỗi ngày chỉ có một dòng."))
    kind = models.CharField(
        _("loại ngày"),
        max_length=20,
        choices=Kind.choices,
        help_text=_(
            "Nghỉ lễ, Tết; nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần; nghỉ hoán đổi theo "
            "thông báo của Chính phủ; hoặc ngày làm bù (thứ Bảy làm việc thay)."
        ),
    )
    name = models.CharField(_("tên"), max_length=200, help_text=_("Tên hiển thị, ví dụ Tết Nguyên Đán, Quốc khánh."))
    source = models.CharField(
        _("nguồn"),
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
        help_text=_("Dòng sinh tự động được cập nhật khi sinh lại lịch; dòng nhập hoặc sửa tay thì giữ nguyên."),
    )
    active = models.BooleanField(
        _("áp dụng"),
        default=True,
        help_text=_(
            "Bỏ chọn để giữ dòng nhưng không áp dụng (ví dụ Ngày Văn hóa Việt Nam 24/11 khi "
            "chưa có hiệu lực); sinh lại lịch không bật lại."
        ),
    )
    swapped_with = models.DateField(
        _("ngày hoán đổi"),
        null=True,
        blank=True,
        help_text=_("Với ngày nghỉ hoán đổi hoặc ngày làm bù: ngày tương ứng của cặp hoán đổi."),
    )
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True, help_text=_("Lần sửa cuối, để làm mới bộ nhớ đệm."))

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    def save(self, *args, **kwargs):
        # The year row follows the date, so a day can be added from anywhere (admin, import).
        if self.date and (self.calendar_year_id is None or self.calendar_year.year != self.date.year):
            self.calendar_year, _created = CalendarYear.objects.get_or_create(year=self.date.year)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "calendar_year"}
        super().save(*args, **kwargs)

    @property
    def is_day_off(self) -> bool:
        return self.kind != self.Kind.MAKEUP_WORKING_DAY


class OfficeHours(models.Model):
    """An agency's weekly office hours; agencies without a row follow their parent agency."""

    agency = models.OneToOneField(
        "agencies.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        related_name="office_hours",
        help_text=_("Cơ quan áp dụng giờ làm việc này."),
    )
    follow_parent = models.BooleanField(
        _("theo lịch cơ quan cấp trên"),
        default=False,
        help_text=_(
            "Chọn để bỏ qua các khung giờ dưới đây và dùng giờ làm việc của cơ quan cấp trên "
            "(cơ quan không có dòng này cũng theo cấp trên; cấp cao nhất theo giờ mặc định "
            "thứ Hai đến thứ Sáu, 07:00–11:00 và 13:00–17:00)."
        ),
    )
    daily_working_hours = models.DecimalField(
        _("số giờ của một ngày làm việc"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal(24))],
        help_text=_(
            "Dùng khi quy đổi thời hạn tính bằng ngày làm việc ra giờ; để trống thì lấy số giờ "
            "phổ biến nhất trong tuần (8 giờ với giờ mặc định)."
        ),
    )
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True, help_text=_("Lần sửa cuối, để làm mới bộ nhớ đệm."))

    class Meta:
        verbose_name = _("giờ làm việc của cơ quan")
        verbose_name_plural = _("giờ làm việc của cơ quan")
        ordering = ["agency__unit_code"]

    def __str__(self) -> str:
        return str(self.agency)


class OfficePeriod(models.Model):
    class Weekday(models.IntegerChoices):
        # The one spelling of weekdays (core.dates), translated lazily; same labels, no migration.
        MONDAY = 0, _(WEEKDAYS[0])
        TUESDAY = 1, _(WEEKDAYS[1])
        WEDNESDAY = 2, _(WEEKDAYS[2])
        THURSDAY = 3, _(WEEKDAYS[3])
        FRIDAY = 4, _(WEEKDAYS[4])
        SATURDAY = 5, _(WEEKDAYS[5])
        SUNDAY = 6, _(WEEKDAYS[6])

    office_hours = models.ForeignKey(
        OfficeHours,
        verbose_name=_("giờ làm việc"),
        on_delete=models.CASCADE,
        related_name="periods",
        help_text=_("Lịch giờ làm việc chứa khung giờ này."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("thứ"), choices=Weekday.choices, help_text=_("Ngày trong tuần của khung giờ.")
    )
    opens = models.TimeField(_("giờ mở cửa"), help_text=_("Giờ bắt đầu tiếp nhận, ví dụ 07:00."))
    closes = models.TimeField(_("giờ đóng cửa"), help_text=_("Giờ kết thúc, ví dụ 11:00."))
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True, help_text=_("Lần sửa cuối, để làm mới bộ nhớ đệm."))

    class Meta:
        verbose_name = _("khung giờ làm việc")
        verbose_name_plural = _("khung giờ làm việc")
        ordering = ["office_hours", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="worktime_period_opens_before_closes"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and not self.opens < self.closes:
            raise ValidationError(_("Giờ mở cửa phải trước giờ đóng cửa."))
        if self.office_hours_id and self.opens and self.closes:
            overlapping = OfficePeriod.objects.filter(
                office_hours_id=self.office_hours_id,
                weekday=self.weekday,
                opens__lt=self.closes,
                closes__gt=self.opens,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("Khung giờ này trùng với một khung giờ khác cùng ngày."))
