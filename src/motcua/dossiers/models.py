"""Dossiers (hồ sơ), their files, their events, code sequences, idempotency keys, API tokens.

Only `actions.py` writes dossiers, files and events (docs/architecture.md §2): each change runs in one
transaction with its event, under a row lock and a version check. Events are append-only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import lifecycle

# The national portal's statuses: one definition, in the pure lifecycle module.
Status = lifecycle.Status


class Channel(models.IntegerChoices):
    """KenhThucHien of the national portal."""

    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính công ích")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class Delivery(models.TextChoices):
    COUNTER = "counter", _("Nhận tại Bộ phận Một cửa")
    POST = "post", _("Nhận qua bưu chính công ích")
    ONLINE = "online", _("Nhận kết quả điện tử")


class Punctuality(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


id_number_validator = RegexValidator(
    r"^(\d{12}|\d{10}(-?\d{3})?)$",
    _("Số định danh cá nhân gồm 12 chữ số; mã số thuế của tổ chức gồm 10 hoặc 13 chữ số."),
)


class Dossier(models.Model):
    code = models.CharField(
        _("mã hồ sơ"), max_length=50, unique=True,
        help_text=_("Mã hồ sơ theo mẫu <mã đơn vị>-<YYMMDD>-<số thứ tự>, cố định suốt đời hồ sơ."),
    )
    tracking_key = models.CharField(
        _("mã tra cứu"), max_length=12,
        help_text=_("Chuỗi ngẫu nhiên in trên giấy tiếp nhận; cùng mã hồ sơ cho phép tra cứu không cần đăng nhập."),
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", verbose_name=_("phiên bản thủ tục"), on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("Phiên bản thủ tục khi nộp; hồ sơ giữ phiên bản này đến khi kết thúc."),
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase", verbose_name=_("trường hợp giải quyết"), on_delete=models.PROTECT,
        related_name="dossiers", help_text=_("Trường hợp quyết định thời hạn và quy trình xử lý."),
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="dossiers",
        help_text=_("Cơ quan tiếp nhận hồ sơ và trả kết quả; mã đơn vị của nó nằm trong mã hồ sơ."),
    )
    handling_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan đang xử lý"), on_delete=models.PROTECT,
        related_name="handled_dossiers",
        help_text=_("Cơ quan của bước đang xử lý; đổi khi hồ sơ được chuyển liên thông."),
    )
    channel = models.PositiveSmallIntegerField(
        _("kênh nộp"), choices=Channel.choices, help_text=_("Trực tiếp (1), trực tuyến (2), bưu chính (3).")
    )
    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=Status.choices, default=Status.SUBMITTED,
        help_text=_("Trạng thái theo mã của Cổng Dịch vụ công quốc gia (1-10)."),
    )

    applicant_kind = models.CharField(
        _("loại người nộp"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.PERSON,
        help_text=_("Cá nhân hay tổ chức, doanh nghiệp."),
    )
    applicant_name = models.CharField(_("tên người nộp"), max_length=255, help_text=_("Họ tên hoặc tên tổ chức."))
    applicant_id_number = models.CharField(
        _("số định danh"), max_length=14, validators=[id_number_validator],
        help_text=_("Số CCCD 12 chữ số, hoặc mã số thuế của tổ chức."),
    )
    applicant_phone = models.CharField(
        _("điện thoại"), max_length=20, blank=True, help_text=_("Số điện thoại liên hệ.")
    )
    applicant_email = models.EmailField(_("thư điện tử"), blank=True, help_text=_("Địa chỉ nhận thông báo."))
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True, help_text=_("Địa chỉ liên hệ."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản nộp"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="dossiers",
        help_text=_("Tài khoản công dân đã nộp trực tuyến; để trống với hồ sơ nộp tại quầy."),
    )
    form_data = models.JSONField(
        _("dữ liệu tờ khai"), default=dict, blank=True, help_text=_("Nội dung biểu mẫu điện tử người dân điền.")
    )
    subject = models.CharField(
        _("đối tượng của hồ sơ"), max_length=255, blank=True, default="",
        help_text=_("Câu trả lời của trường đối tượng trong tờ khai (ví dụ tên của trẻ khi đăng ký khai sinh), "
                    "ghi lúc nộp; phân biệt các hồ sơ của cùng người nộp."),
    )

    submitted_at = models.DateTimeField(_("thời điểm nộp"), help_text=_("Khi hồ sơ được nộp (trực tuyến) hoặc tạo."))
    received_at = models.DateTimeField(
        _("thời điểm tiếp nhận"), null=True, blank=True, help_text=_("Ngày giờ tiếp nhận; thời hạn tính từ đây.")
    )
    due_at = models.DateTimeField(
        _("ngày hẹn trả"), null=True, blank=True,
        help_text=_("Thời hạn trả kết quả hiện tại (đã cộng thời gian tạm dừng và gia hạn)."),
    )
    original_due_at = models.DateTimeField(
        _("ngày hẹn trả ban đầu"), null=True, blank=True, help_text=_("Thời hạn tính lúc tiếp nhận.")
    )
    finished_at = models.DateTimeField(
        _("thời điểm xử lý xong"), null=True, blank=True, help_text=_("Khi hồ sơ chuyển sang trạng thái 9.")
    )
    returned_at = models.DateTimeField(
        _("thời điểm trả kết quả"), null=True, blank=True, help_text=_("Khi kết quả được trao (trạng thái 10).")
    )
    closed_at = models.DateTimeField(
        _("thời điểm kết thúc"), null=True, blank=True,
        help_text=_("Khi hồ sơ bị từ chối, rút hoặc dừng xử lý (trạng thái 3, 7, 8)."),
    )

    current_step = models.ForeignKey(
        "catalog.WorkflowStep", verbose_name=_("bước hiện tại"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Bước của quy trình đang xử lý hồ sơ."),
    )
    current_role = models.CharField(
        _("vai trò bước hiện tại"), max_length=20, blank=True,
        help_text=_("Bản sao vai trò của bước hiện tại, để lọc hộp việc theo vai trò."),
    )
    step_started_at = models.DateTimeField(_("bắt đầu bước"), null=True, blank=True)
    step_due_at = models.DateTimeField(
        _("hạn của bước"), null=True, blank=True, help_text=_("Theo định mức giờ làm việc của bước.")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xử lý"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assigned_dossiers",
        help_text=_("Để trống: mọi cán bộ giữ vai trò của bước tại cơ quan đang xử lý đều nhận được."),
    )

    reception_supplement_requested = models.BooleanField(
        _("đã yêu cầu bổ sung khi tiếp nhận"), default=False,
        help_text=_("Khi tiếp nhận chỉ được yêu cầu bổ sung một lần (mẫu 02)."),
    )
    supplement_count = models.PositiveSmallIntegerField(
        _("số lần yêu cầu bổ sung"), default=0,
        help_text=_("Số lần yêu cầu bổ sung sau khi tiếp nhận; từ lần thứ hai hồ sơ bị tính là quá hạn."),
    )
    counts_as_late = models.BooleanField(
        _("tính là quá hạn"), default=False,
        help_text=_("Đã yêu cầu bổ sung hơn một lần trong khi xử lý (QĐ 766)."),
    )
    resume_status = models.PositiveSmallIntegerField(
        _("trạng thái trước khi tạm dừng"), choices=Status.choices, null=True, blank=True,
        help_text=_("Trạng thái hồ sơ trở lại khi nhận bổ sung hoặc tiếp tục xử lý."),
    )
    paused_at = models.DateTimeField(
        _("tạm dừng từ"), null=True, blank=True, help_text=_("Đồng hồ đang dừng từ thời điểm này.")
    )
    paused_total = models.DurationField(
        _("tổng thời gian tạm dừng"), default=dt.timedelta(0),
        help_text=_("Thời gian làm việc đã tạm dừng (chờ bổ sung, nghĩa vụ tài chính…), không tính vào thời hạn."),
    )
    extension_count = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=0)

    delivery = models.CharField(
        _("hình thức nhận kết quả"), max_length=10, choices=Delivery.choices, default=Delivery.COUNTER,
        help_text=_("Tại quầy, qua bưu chính hoặc kết quả điện tử."),
    )
    delivery_address = models.CharField(
        _("địa chỉ nhận kết quả"), max_length=500, blank=True,
        help_text=_("Khi nhận qua bưu chính công ích: địa chỉ bưu điện giao kết quả."),
    )
    delivery_fee = models.PositiveBigIntegerField(
        _("cước bưu chính (đồng)"), default=0,
        help_text=_("Cước chuyển phát kết quả người nộp đã chọn; thu khi giao hoặc tại quầy."),
    )
    fee_inputs = models.JSONField(
        _("thông tin tính phí"), default=dict, blank=True,
        help_text=_("Người nộp khai khi nộp: số bản (copies), số trang mỗi bản (pages), đối tượng giảm phí (kind); "
                    "mức phí tính theo quy tắc của thủ tục (catalog/fees.py)."),
    )
    fee_collected = models.PositiveBigIntegerField(
        _("phí, lệ phí đã thu (đồng)"), default=0, help_text=_("Số tiền đã thu của người nộp.")
    )
    receipt_number = models.CharField(
        _("số biên lai"), max_length=50, blank=True, help_text=_("Số biên lai thu phí, lệ phí.")
    )
    # Form 01's number ("Số: 12/TNHS") and the dossier's entry in the ledger (form 07, one book per
    # year): given once at reception from the agency's series (numbers.py), never recomputed.
    reception_number = models.PositiveIntegerField(
        _("số giấy tiếp nhận"), null=True, blank=True,
        help_text=_("Số của Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01), cấp khi tiếp nhận."),
    )
    ledger_number = models.PositiveIntegerField(
        _("số thứ tự trong sổ"), null=True, blank=True,
        help_text=_("Số thứ tự trong Sổ theo dõi hồ sơ (mẫu 07) của năm tiếp nhận, cấp khi tiếp nhận."),
    )
    originals_checked = models.BooleanField(
        _("đã đối chiếu bản chính"), default=False,
        help_text=_("Khi trả kết quả, cán bộ đã đối chiếu bản chính với tệp đã nộp."),
    )
    applicant_signed = models.BooleanField(
        _("người nhận đã ký"), default=False, help_text=_("Người nhận đã ký nhận kết quả.")
    )

    version = models.PositiveIntegerField(
        _("phiên bản bản ghi"), default=1,
        help_text=_("Tăng sau mỗi thao tác; thao tác dựa trên bản cũ bị từ chối (khóa lạc quan)."),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="dossier_agency_status"),
            models.Index(fields=["handling_agency", "status"], name="dossier_handling_status"),
            models.Index(fields=["handling_agency", "current_role", "status"], name="dossier_pool"),
            models.Index(fields=["assignee", "status"], name="dossier_assignee_status"),
            models.Index(fields=["due_at"], name="dossier_due"),
            models.Index(fields=["owner", "-submitted_at"], name="dossier_owner"),
            # Reports (motcua.reports): period filters on the whole province and per agency.
            models.Index(fields=["received_at", "channel"], name="dossier_received"),
            models.Index(fields=["finished_at"], name="dossier_finished"),
            models.Index(fields=["closed_at"], name="dossier_closed"),
            models.Index(fields=["received_at"], name="dossier_unfinished",
                         condition=models.Q(finished_at__isnull=True, closed_at__isnull=True)),
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["agency", "finished_at"], name="dossier_agency_finished"),
            models.Index(fields=["handling_agency", "received_at"], name="dossier_handling_received"),
            # The reports' summary reads what was written since its last refresh.
            models.Index(fields=["updated_at"], name="dossier_updated"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def lifecycle_status(self) -> lifecycle.Status:
        return lifecycle.Status(self.status)

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class FileKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Giấy tờ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")


class FileSource(models.TextChoices):
    SCANNED = "scanned", _("Số hóa tại quầy")
    UPLOADED = "uploaded", _("Tải lên trực tuyến")
    WALLET = "wallet", _("Lấy từ kho dữ liệu")


class DossierFile(models.Model):
    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="files")
    component = models.ForeignKey(
        "catalog.Component", verbose_name=_("thành phần hồ sơ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Giấy tờ của thủ tục mà tệp này thể hiện; để trống với tệp kết quả."),
    )
    kind = models.CharField(_("loại tệp"), max_length=20, choices=FileKind.choices, default=FileKind.COMPONENT)
    original_name = models.CharField(
        _("tên tệp gốc"), max_length=255, help_text=_("Tên tệp khi tải lên; chỉ để hiển thị.")
    )
    content_type = models.CharField(
        _("kiểu nội dung"), max_length=100, help_text=_("Xác định theo nội dung tệp (PDF, JPEG, PNG, TIFF).")
    )
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, help_text=_("Để kiểm tra tính toàn vẹn."))
    storage_key = models.CharField(
        _("khóa lưu trữ"), max_length=300, unique=True, help_text=_("Tên tệp trong kho lưu trữ, do hệ thống sinh.")
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=FileSource.choices, default=FileSource.UPLOADED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))

    class Meta:
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")
        ordering = ["dossier", "uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "kind"], name="dossierfile_kind")]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Nộp hồ sơ")
    RECEIVED = "received", _("Tiếp nhận")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    SUPPLIED = "supplied", _("Nhận bổ sung")
    CLAIMED = "claimed", _("Nhận xử lý")
    HANDOVER = "handover", _("Chuyển bước")
    RETURNED_TO_PREVIOUS = "returned_to_previous", _("Trả lại bước trước")
    PAUSED = "paused", _("Tạm dừng")
    RESUMED = "resumed", _("Tiếp tục xử lý")
    EXTENDED = "extended", _("Gia hạn")
    STOPPED = "stopped", _("Dừng xử lý")
    COMPLETED = "completed", _("Hoàn thành xử lý")
    RESULT_RETURNED = "result_returned", _("Trả kết quả")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    FILE_ADDED = "file_added", _("Thêm tệp")
    PAYMENT_RECEIVED = "payment_received", _("Thanh toán trực tuyến")
    RESULT_DELIVERED = "result_delivered", _("Trả kết quả điện tử")
    RESULT_POSTED = "result_posted", _("Gửi kết quả qua bưu chính")
    POST_DELIVERED = "post_delivered", _("Bưu chính đã phát kết quả")
    PAPER_COPY_HANDED_OVER = "paper_copy_handed_over", _("Trao bản giấy kết quả điện tử")
    RESULT_DOWNLOADED = "result_downloaded", _("Người nộp tải kết quả")
    RATED = "rated", _("Đánh giá mức độ hài lòng")
    FEE_RECORDED = "fee_recorded", _("Thu phí, lệ phí tại quầy")
    FEE_REFUNDED = "fee_refunded", _("Hoàn phí, lệ phí")


class AppendOnlyError(Exception):
    """Events are never changed or deleted (the audit trail, docs/architecture.md §2)."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Event rows are append-only")

    def delete(self):
        raise AppendOnlyError("Event rows are append-only")


class Event(models.Model):
    """One change of a dossier: the process control sheet (form 06), the ledger (07), the audit trail."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="events")
    version = models.PositiveIntegerField(
        _("phiên bản hồ sơ"), help_text=_("Phiên bản của hồ sơ sau thao tác; mỗi phiên bản có đúng một sự kiện.")
    )
    kind = models.CharField(_("loại"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"))
    from_status = models.PositiveSmallIntegerField(_("từ trạng thái"), choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(_("sang trạng thái"), choices=Status.choices, null=True, blank=True)
    from_step = models.ForeignKey(
        "catalog.WorkflowStep", verbose_name=_("từ bước"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    to_step = models.ForeignKey(
        "catalog.WorkflowStep", verbose_name=_("sang bước"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    from_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("từ cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    to_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("sang cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người giao"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    to_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("nội dung, lý do"), blank=True)
    data = models.JSONField(
        _("dữ liệu"), default=dict, blank=True,
        help_text=_("Chi tiết của thao tác: giấy tờ thiếu, hạn cũ và mới, phí đã thu…"),
    )
    step_punctuality = models.CharField(
        _("tiến độ bước"), max_length=10, choices=Punctuality.choices, blank=True,
        help_text=_("Với chuyển bước: bước vừa xong trước hạn, đúng hạn hay quá hạn so với định mức."),
    )
    # Hash chain per dossier (motcua.audit.chain; checked by `python -m motcua verify_audit`).
    prev_hash = models.CharField(
        _("mã băm sự kiện trước"), max_length=64, blank=True, default="",
        help_text=_("Mã băm của sự kiện liền trước của hồ sơ; trống với sự kiện đầu tiên."),
    )
    hash = models.CharField(
        _("mã băm"), max_length=64, blank=True, default="",
        help_text=_("SHA-256 của nội dung sự kiện và mã băm trước; phát hiện sửa, xóa, chèn."),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["dossier", "version"]
        constraints = [
            # Two actions can never both succeed from the same version of a dossier.
            models.UniqueConstraint(fields=["dossier", "version"], name="uniq_event_dossier_version"),
        ]
        indexes = [
            models.Index(fields=["kind", "at"], name="event_kind_at"),
            models.Index(fields=["to_agency", "at"], name="event_to_agency_at"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} v{self.version} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Event rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Event rows are append-only")


class DossierSequence(models.Model):
    """The last sequence number of dossier codes per receiving agency and local day."""

    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("ngày"))
    last = models.PositiveIntegerField(_("số cuối"), default=0)

    class Meta:
        verbose_name = _("số thứ tự hồ sơ")
        verbose_name_plural = _("số thứ tự hồ sơ")
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="uniq_sequence_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


class FormSeries(models.Model):
    """The last number an agency issued of one numbered form in one year (TT 03/2025/TT-VPCP:
    01 TNHS, 02 HDHS, 03 TCHS, 04, 05, and 07 the ledger's order), allocated under a row lock."""

    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    form = models.CharField(_("mẫu"), max_length=2)
    year = models.PositiveSmallIntegerField(_("năm"))
    last = models.PositiveIntegerField(_("số cuối"), default=0)

    class Meta:
        verbose_name = _("sổ số văn bản")
        verbose_name_plural = _("sổ số văn bản")
        constraints = [models.UniqueConstraint(fields=["agency", "form", "year"], name="uniq_form_series")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.form} {self.year} {self.last}"


class FormNumber(models.Model):
    """The number of the paper an event issued (forms 02–05), taken from its agency's series."""

    event = models.OneToOneField(Event, verbose_name=_("sự kiện"), on_delete=models.PROTECT, related_name="form_number")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    form = models.CharField(_("mẫu"), max_length=2)
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))

    class Meta:
        verbose_name = _("số văn bản đã cấp")
        verbose_name_plural = _("số văn bản đã cấp")
        constraints = [models.UniqueConstraint(fields=["agency", "form", "year", "number"], name="uniq_form_number")]

    def __str__(self) -> str:
        return f"{self.number}/{self.form} {self.year}"


class IdempotencyKey(models.Model):
    """A client's key for one request: a retry returns the first result instead of acting twice."""

    key = models.CharField(_("khóa"), max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.CASCADE,
                              related_name="+")
    operation = models.CharField(_("thao tác"), max_length=40)
    fingerprint = models.CharField(_("dấu vân tay yêu cầu"), max_length=64)
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("khóa chống lặp")
        verbose_name_plural = _("khóa chống lặp")
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="uniq_idempotency_actor_key")]

    def __str__(self) -> str:
        return self.key


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    key_hash = models.CharField(_("mã băm"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("chấm dứt lúc"), null=True, blank=True)
    revoked_reason = models.CharField(_("lý do chấm dứt"), max_length=20, blank=True, choices=[
        ("owner", _("Người dùng tự thu hồi")),
        ("admin", _("Quản trị thu hồi")),
        ("password_changed", _("Mật khẩu đã đổi")),
        ("second_factor", _("Đã bật xác thực hai bước")),
    ])

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
