"""The reports' summary of ended dossiers (see `summary.py`).

A dossier that has ended (processed, refused, withdrawn or stopped) hardly changes any more, so
its part in every figure is worked out once and added to one row per day and group
(`DailyFigures`); the dashboards then read a few thousand summary rows for a year instead of a
million dossiers. `DossierFact` remembers each ended dossier's part, so that a later change (a
result returned, a payment, a complaint) moves the dossier's counts exactly: the old part is taken
off, the new one added. Open dossiers are never summarised: they are counted live.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierFact(models.Model):
    """One ended dossier's part in the summary, as last added to `DailyFigures`."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="report_fact",
        verbose_name=_("hồ sơ"),
    )
    version = models.PositiveIntegerField(_("phiên bản hồ sơ"), help_text=_(
        "Phiên bản (Dossier.version) của hồ sơ khi tính; khác phiên bản hiện tại thì tính lại."))
    agency_id = models.IntegerField(_("cơ quan tiếp nhận"))
    handling_agency_id = models.IntegerField(_("cơ quan xử lý"), default=0, help_text=_("0: chưa có."))
    procedure_version_id = models.IntegerField(_("phiên bản thủ tục"))
    channel = models.PositiveSmallIntegerField(_("kênh"))
    received_day = models.DateField(_("ngày tiếp nhận"), null=True, help_text=_("Ngày (giờ Việt Nam) tiếp nhận."))
    received_bits = models.PositiveIntegerField(_("chỉ tiêu theo ngày tiếp nhận"), default=0, help_text=_(
        "Mỗi bit một chỉ tiêu của summary.RECEIVED_KEYS mà hồ sơ được tính vào ngày tiếp nhận."))
    end_day = models.DateField(_("ngày kết thúc"), help_text=_("Ngày (giờ Việt Nam) xử lý xong hoặc kết thúc."))
    end_bits = models.PositiveIntegerField(_("chỉ tiêu theo ngày kết thúc"), default=0, help_text=_(
        "Mỗi bit một chỉ tiêu của summary.ENDED_KEYS mà hồ sơ được tính vào ngày kết thúc."))

    class Meta:
        verbose_name = _("phần của hồ sơ trong số liệu tổng hợp")
        verbose_name_plural = _("phần của hồ sơ trong số liệu tổng hợp")

    def __str__(self) -> str:
        return f"#{self.dossier_id} v{self.version}: {self.received_day} / {self.end_day}"


class DailyFigures(models.Model):
    """Counts of ended dossiers for one day and group: by the day they were received (received,
    fees, online payment, digitised) and by the day they ended (everything else)."""

    day = models.DateField(_("ngày"))
    agency_id = models.IntegerField(_("cơ quan tiếp nhận"))
    handling_agency_id = models.IntegerField(_("cơ quan xử lý"), default=0, help_text=_("0: chưa có."))
    procedure_version_id = models.IntegerField(_("phiên bản thủ tục"))
    channel = models.PositiveSmallIntegerField(_("kênh"))
    # By the day received.
    received = models.IntegerField(default=0)
    i_fee = models.IntegerField(default=0)
    i_paid = models.IntegerField(default=0)
    i_digitised = models.IntegerField(default=0)
    i_fee_paid = models.IntegerField(default=0)  # paid online or at the counter (#17)
    # By the day ended.
    finished = models.IntegerField(default=0)
    finished_early = models.IntegerField(default=0)
    finished_on_time = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    i_base = models.IntegerField(default=0)
    i_on_time = models.IntegerField(default=0)
    i_late = models.IntegerField(default=0)
    i_result = models.IntegerField(default=0)
    i_complained = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp theo ngày")
        verbose_name_plural = _("số liệu tổng hợp theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency_id", "handling_agency_id", "procedure_version_id", "channel"],
                name="dailyfigures_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}/{self.handling_agency_id} v{self.procedure_version_id} k{self.channel}"


class SummaryState(models.Model):
    """The one row saying how far the summary is up to date."""

    checked_until = models.DateTimeField(_("đã xét thay đổi đến"), null=True, help_text=_(
        "Lần tổng hợp gần nhất đã xét mọi hồ sơ sửa trước mốc này (trừ một khoảng an toàn)."))
    rating_id = models.BigIntegerField(_("đánh giá cuối đã xét"), default=0)
    feedback_id = models.BigIntegerField(_("phản ánh cuối đã xét"), default=0)
    built_at = models.DateTimeField(_("dựng lại toàn bộ lúc"), null=True)

    class Meta:
        verbose_name = _("trạng thái số liệu tổng hợp")
        verbose_name_plural = _("trạng thái số liệu tổng hợp")

    def __str__(self) -> str:
        return f"{self.checked_until}"
