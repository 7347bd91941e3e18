from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold

# QCVN 102:2016: groups of letters and digits separated by dots, at most 13 characters.
unit_code_validator = RegexValidator(
    r"^[A-Z0-9]{1,3}(\.[A-Z0-9]{1,3}){0,4}$",
    _("Mã định danh đơn vị gồm chữ in hoa và số, ngăn bởi dấu chấm, ví dụ 000.00.25.H12."),
)


_PROVINCE_TITLES = ("ủy ban nhân dân tỉnh", "uỷ ban nhân dân tỉnh", "ubnd tỉnh", "ủy ban nhân dân thành phố",
                    "uỷ ban nhân dân thành phố", "ubnd thành phố", "tỉnh", "thành phố")


def province_place(name: str) -> str:
    """"Ủy ban nhân dân tỉnh Cà Mau" -> "Cà Mau" (a name without a known title is kept)."""
    name = " ".join(name.split())
    lowered = name.lower()
    for title in _PROVINCE_TITLES:
        if lowered.startswith(title + " "):
            return name[len(title) + 1:]
    return name


class Agency(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Bộ, ngành")
        PROVINCE = "province", _("Ủy ban nhân dân tỉnh")
        SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        COMMUNE = "commune", _("Ủy ban nhân dân cấp xã")

    unit_code = models.CharField(
        _("mã định danh đơn vị"),
        max_length=13,
        unique=True,
        validators=[unit_code_validator],
        help_text=_("Mã định danh theo QCVN 102:2016, dùng trong mã hồ sơ, ví dụ 000.00.25.H12."),
    )
    name = models.CharField(_("tên"), max_length=255, help_text=_("Tên đầy đủ của cơ quan."))
    kind = models.CharField(
        _("loại"), max_length=20, choices=Kind.choices, help_text=_("Cấp và loại cơ quan.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Cơ quan quản lý trực tiếp; để trống với cơ quan cấp cao nhất."),
    )
    address = models.CharField(
        _("địa chỉ"), max_length=500, blank=True, help_text=_("Nơi người dân đến nộp hồ sơ.")
    )
    phone = models.CharField(_("điện thoại"), max_length=50, blank=True, help_text=_("Số điện thoại liên hệ."))
    email = models.EmailField(_("thư điện tử"), blank=True, help_text=_("Địa chỉ thư điện tử liên hệ."))
    valid_from = models.DateField(
        _("hiệu lực từ ngày"), null=True, blank=True, help_text=_("Ngày cơ quan bắt đầu hoạt động.")
    )
    valid_to = models.DateField(
        _("hiệu lực đến ngày"),
        null=True,
        blank=True,
        help_text=_("Ngày cơ quan thôi hoạt động (sáp nhập, giải thể); để trống nếu còn hoạt động."),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("Cơ quan nhận lại nhiệm vụ sau khi sáp nhập; hồ sơ cũ vẫn giữ cơ quan cũ."),
    )
    # What the official forms print (TT 03/2025/TT-VPCP): the place of the date line, and the head
    # of the agency who signs its letters (form 04). Edited by the agency's admin.
    place_name = models.CharField(
        _("địa danh"), max_length=100, blank=True,
        help_text=_("In ở dòng ngày tháng của các mẫu, ví dụ «Cà Mau»; để trống: lấy theo tên tỉnh."),
    )
    abbreviation = models.CharField(
        _("chữ viết tắt tên cơ quan"), max_length=20, blank=True,
        help_text=_("Dùng trong số, ký hiệu văn bản (NĐ 30/2020), ví dụ «STP»: mẫu 04 in «Số: 12/STP», "
                    "mẫu 05 «Số: 12/TB-STP»."),
    )
    head_name = models.CharField(
        _("họ tên thủ trưởng"), max_length=120, blank=True,
        help_text=_("Người ký văn bản xin lỗi và gia hạn (mẫu 04); để trống thì để dòng ký trống."),
    )
    head_title = models.CharField(
        _("chức danh thủ trưởng"), max_length=120, blank=True,
        help_text=_("Ví dụ «Giám đốc», «Chủ tịch»; để trống: «Thủ trưởng cơ quan»."),
    )
    soon_share = models.PositiveSmallIntegerField(
        _("cảnh báo sắp đến hạn (%)"), default=25, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Hồ sơ «sắp đến hạn» khi thời gian làm việc còn lại không quá phần này (%) thời gian được "
                    "giao (tối đa 50 %)."),
    )
    # Level 4, fee due at submission (docs/payments.md): how long the applicant has to pay online,
    # when they are reminded, and what happens when the time passes. Empty: the province's default
    # (MOTCUA_FEE_DEADLINE_WORKING_HOURS, MOTCUA_FEE_REMINDER_WORKING_HOURS, MOTCUA_FEE_EXPIRY_ACTION).
    fee_deadline_amount = models.PositiveSmallIntegerField(
        _("hạn nộp phí sau khi nộp hồ sơ"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text=_("Số giờ hoặc ngày làm việc (đơn vị bên dưới) kể từ lúc nộp trực tuyến; để trống: theo "
                    "mặc định của tỉnh."),
    )
    fee_deadline_unit = models.CharField(
        _("đơn vị hạn nộp phí"), max_length=20, default="working_hours",
        choices=[("working_hours", _("giờ làm việc")), ("working_days", _("ngày làm việc"))],
    )
    fee_reminder_hours = models.PositiveSmallIntegerField(
        _("nhắc nộp phí trước hạn (giờ làm việc)"), null=True, blank=True, validators=[MaxValueValidator(999)],
        help_text=_("Gửi một thư và một tin nhắn nhắc người nộp trước hạn bấy nhiêu giờ làm việc; 0: không "
                    "nhắc; để trống: theo mặc định của tỉnh."),
    )
    fee_expiry_action = models.CharField(
        _("khi quá hạn nộp phí"), max_length=10, blank=True,
        choices=[("counter", _("Để bộ phận một cửa quyết định (đánh dấu «quá hạn nộp phí»)")),
                 ("refuse", _("Tự động từ chối tiếp nhận"))],
        help_text=_("Để trống: theo mặc định của tỉnh."),
    )
    # The agency's registered electronic receipt (biên lai điện tử, NĐ 123/2020, TT 78/2021):
    # its form number and series. Both set: online payments get a numbered receipt; else a
    # payment confirmation that is not a receipt. Edited by the agency's admin.
    e_receipt_form_number = models.CharField(
        _("mẫu số biên lai điện tử"), max_length=20, blank=True,
        help_text=_("Mẫu số biên lai đã đăng ký/thông báo phát hành, ví dụ «01BLP0-001»."),
    )
    e_receipt_series = models.CharField(
        _("ký hiệu biên lai điện tử"), max_length=20, blank=True,
        help_text=_("Ký hiệu biên lai, ví dụ «AB-26E»; để trống: chỉ cấp xác nhận thanh toán (không phải biên lai)."),
    )
    # Four eyes on the catalogue: a draft of this agency's procedures is published only when a second
    # admin (of the agency or a parent agency) approves what another proposed (catalog.actions).
    publication_review = models.BooleanField(
        _("cần người thứ hai duyệt khi công bố thủ tục"), default=False,
        help_text=_("Bật: người soạn gửi bản nháp đề nghị công bố; bản nháp bị khóa cho đến khi một quản trị "
                    "khác của cơ quan (hoặc cơ quan cấp trên) duyệt công bố hoặc trả lại kèm lý do."),
    )
    search_name = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["unit_code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("portal:agency", args=[self.unit_code])

    def place(self) -> str:
        """The place of the forms' date line: the agency's own, else its province's name without
        the title ("Ủy ban nhân dân tỉnh Cà Mau" -> "Cà Mau")."""
        agency, seen = self, set()
        while agency is not None and agency.pk not in seen:
            if agency.place_name:
                return agency.place_name
            seen.add(agency.pk)
            if agency.kind == self.Kind.PROVINCE or agency.parent_id is None:
                return province_place(agency.name)
            agency = agency.parent
        return ""

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)
