"""The procedure catalogue: procedures (TTHC) and their versions.

Everything that may change about a procedure lives on a ProcedureVersion (draft ->
published -> retired). A dossier keeps the version it was received under, so improving a
procedure never changes dossiers already in progress (docs/architecture.md §2). A Procedure has at most
one published version at a time; `Procedure.published` points to it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold, lower_words, padded

procedure_code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z._-]{0,49}$",
    _("Mã thủ tục chỉ gồm chữ, số, dấu chấm, gạch ngang, ví dụ 1.001193."),
)


class Sector(models.Model):
    code = models.CharField(
        _("mã lĩnh vực"), max_length=30, unique=True, help_text=_("Mã lĩnh vực, ví dụ HT (Hộ tịch).")
    )
    name = models.CharField(_("tên lĩnh vực"), max_length=255, help_text=_("Tên lĩnh vực."))

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(
        _("mã thủ tục"),
        max_length=50,
        unique=True,
        validators=[procedure_code_validator],
        help_text=_("Mã TTHC trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193."),
    )
    published = models.OneToOneField(
        "ProcedureVersion",
        verbose_name=_("phiên bản đang áp dụng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Phiên bản đã công bố mà cổng và bộ phận một cửa đang dùng."),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.published.name if self.published_id else ''}".strip()

    def get_absolute_url(self) -> str:
        return reverse("portal:procedure", args=[self.code])


class ServiceLevel(models.IntegerChoices):
    INFORMATION = 1, _("Mức độ 1: cung cấp thông tin")
    FORMS = 2, _("Mức độ 2: tải biểu mẫu")
    PARTLY_ONLINE = 3, _("Mức độ 3: nộp hồ sơ trực tuyến")
    FULLY_ONLINE = 4, _("Mức độ 4: trực tuyến toàn trình")


class ProcedureVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đang áp dụng")
        RETIRED = "retired", _("Đã thay thế")

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(
        _("số phiên bản"), help_text=_("Tăng dần từ 1 trong mỗi thủ tục.")
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.DRAFT,
        help_text=_("Bản nháp chưa dùng được; chỉ một phiên bản được áp dụng tại một thời điểm."),
    )
    published_at = models.DateTimeField(_("ngày công bố"), null=True, blank=True)
    retired_at = models.DateTimeField(_("ngày thay thế"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True)
    change_note = models.CharField(
        _("nội dung thay đổi"), max_length=500, blank=True,
        help_text=_("Tóm tắt điều đã đổi so với phiên bản trước."),
    )

    name = models.CharField(_("tên thủ tục"), max_length=500, help_text=_("Tên đầy đủ của thủ tục."))
    sector = models.ForeignKey(
        Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="versions"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan thực hiện"),
        on_delete=models.PROTECT,
        related_name="procedure_versions",
        help_text=_("Cơ quan có thẩm quyền giải quyết."),
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("nơi tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="received_procedure_versions",
        help_text=_("Nơi người dân nộp hồ sơ và nhận kết quả (Trung tâm PVHCC, UBND xã…)."),
    )
    level = models.PositiveSmallIntegerField(
        _("mức độ dịch vụ"), choices=ServiceLevel.choices, default=ServiceLevel.FORMS,
        help_text=_("Mức độ dịch vụ công trực tuyến mà cổng cung cấp cho thủ tục này."),
    )
    public_service_code = models.CharField(
        _("mã dịch vụ công"), max_length=50, blank=True,
        help_text=_("Mã của dịch vụ trên Cổng Dịch vụ công quốc gia, nếu có."),
    )
    for_citizens = models.BooleanField(_("dành cho công dân"), default=True)
    for_businesses = models.BooleanField(_("dành cho tổ chức, doanh nghiệp"), default=False)
    legal_basis = models.TextField(
        _("căn cứ pháp lý"), blank=True, help_text=_("Mỗi văn bản trên một dòng.")
    )
    requirements = models.TextField(
        _("yêu cầu, điều kiện"), blank=True, help_text=_("Điều kiện người nộp phải đáp ứng.")
    )
    result = models.TextField(_("kết quả"), blank=True, help_text=_("Giấy tờ người dân nhận được."))
    how_to_submit = models.TextField(
        _("cách thức thực hiện"), blank=True,
        help_text=_("Nộp trực tiếp, qua bưu chính hoặc trực tuyến; các bước người dân thực hiện."),
    )
    source_hash = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text=_("Dấu vân tay nội dung khi nhập từ danh mục, để biết khi nào có thay đổi."),
    )
    # Four eyes (Agency.publication_review): who asked for the draft to be published and who approved
    # it. A draft with review_requested_at set is locked (catalog.actions.lock_draft) until it is
    # approved (published) or sent back (both cleared).
    review_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đề nghị công bố"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    review_requested_at = models.DateTimeField(_("ngày đề nghị công bố"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người duyệt công bố"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Folded copies for search (docs/architecture.md §10): padded with spaces so " word" finds a word start.
    search_name = models.TextField(blank=True, editable=False)
    search_name_accented = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="uniq_procedure_version_number"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(state="published"), name="one_published_version",
            ),
        ]
        indexes = [models.Index(fields=["state", "level"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.get_state_display()})"

    @property
    def awaiting_review(self) -> bool:
        """A draft submitted for a second admin's approval (locked until approved or sent back)."""
        return self.state == self.State.DRAFT and self.review_requested_at is not None

    @property
    def legal_basis_list(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    @property
    def service_class_2022(self) -> str:
        """The NĐ 42/2022 class: fully online, partly online, or information only."""
        if self.level >= ServiceLevel.FULLY_ONLINE:
            return str(_("Dịch vụ công trực tuyến toàn trình"))
        if self.level == ServiceLevel.PARTLY_ONLINE:
            return str(_("Dịch vụ công trực tuyến một phần"))
        return str(_("Cung cấp thông tin"))

    def refresh_search_fields(self) -> None:
        """Recompute the folded search columns from the version's own text and its children."""
        self.search_name = padded(fold(self.name))
        self.search_name_accented = padded(lower_words(self.name))
        # The body repeats the name so that matching needs one LIKE per word.
        parts = [self.name, self.procedure.code, self.requirements, self.result, self.legal_basis]
        if self.sector_id:
            parts.append(self.sector.name)
        if self.pk:
            parts += [c.name for c in self.components.all()]
            parts += [c.name for c in self.cases.all()]
        self.search_body = padded(fold(" ".join(p for p in parts if p)))


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    DAYS = "days", _("ngày")
    MONTHS = "months", _("tháng")
    SAME_DAY = "same_day", _("trong ngày")


class ProcedureCase(models.Model):
    """A variant of a procedure (trường hợp giải quyết) with its own legal time and workflow."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="cases"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên trường hợp"), max_length=500)
    time_amount = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Thời hạn tối đa theo quy định, theo đơn vị bên cạnh."),
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS,
        help_text=_("Ngày làm việc, giờ làm việc, ngày (lịch), tháng, hoặc trong ngày."),
    )
    cutoff_time = models.TimeField(
        _("giờ chốt tiếp nhận"), null=True, blank=True,
        help_text=_("Hồ sơ nhận sau giờ này được tính từ ngày làm việc tiếp theo (thường 15:00)."),
    )

    class Meta:
        verbose_name = _("trường hợp giải quyết")
        verbose_name_plural = _("trường hợp giải quyết")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def time_amount_display(self) -> str:
        amount = self.time_amount
        return f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount}"


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Cán bộ một cửa")
    OFFICER = "officer", _("Chuyên viên")
    DEPARTMENT_HEAD = "department_head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    CLERK = "clerk", _("Văn thư")


class WorkflowStep(models.Model):
    """One fixed step of a case's ISO workflow (quy trình nội bộ)."""

    case = models.ForeignKey(
        ProcedureCase, verbose_name=_("trường hợp"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên bước"), max_length=255)
    role = models.CharField(
        _("vai trò thực hiện"), max_length=20, choices=Role.choices,
        help_text=_("Ai trong cơ quan thực hiện bước này."),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan thực hiện bước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: cơ quan thực hiện thủ tục. Chọn cơ quan khác cho bước liên thông."),
    )
    quota_hours = models.DecimalField(
        _("thời gian định mức (giờ làm việc)"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Tổng định mức các bước không được vượt quá thời hạn giải quyết."),
    )
    approval = models.BooleanField(
        _("bước ký duyệt"), default=False,
        help_text=_("Người giữ bước này duyệt và ký số kết quả (chữ ký chứng thực); văn thư ở bước sau "
                    "điền số, ngày và đóng dấu số của cơ quan."),
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["case", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FormTemplate(models.Model):
    """A downloadable application form (tờ khai, đơn), shared by the versions that use it."""

    filename = models.CharField(
        _("tên tệp"), max_length=255, unique=True,
        help_text=_("Tên tệp khi người dân tải về, ví dụ to-khai-dang-ky-khai-sinh.docx."),
    )
    title = models.CharField(_("tên biểu mẫu"), max_length=500, blank=True)
    file = models.FileField(_("tệp"), upload_to="forms/%Y/", blank=True)
    content_type = models.CharField(max_length=120, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    uploaded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("biểu mẫu")
        verbose_name_plural = _("biểu mẫu")
        ordering = ["filename"]

    def __str__(self) -> str:
        return self.title or self.filename

    def get_absolute_url(self) -> str:
        return reverse("portal:form_download", args=[self.pk, self.filename])

    @property
    def available(self) -> bool:
        return bool(self.file)


class PaperKind(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    ORIGINAL_OR_CERTIFIED_COPY = "original_or_certified_copy", _("Bản chính hoặc bản sao chứng thực")


DEFAULT_ACCEPTED_TYPES = "pdf,jpg,png,tif"


class Component(models.Model):
    """One document of the dossier (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE,
        related_name="components",
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=1000)
    paper = models.CharField(
        _("loại bản"), max_length=30, choices=PaperKind.choices, default=PaperKind.ORIGINAL,
        help_text=_("Bản chính, bản sao hay bản sao chứng thực."),
    )
    copies = models.PositiveSmallIntegerField(
        _("số lượng"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    required = models.BooleanField(_("bắt buộc"), default=True)
    accepted_types = models.CharField(
        _("loại tệp nhận"), max_length=100, default=DEFAULT_ACCEPTED_TYPES,
        help_text=_("Phần mở rộng tệp được nộp trực tuyến, ngăn bởi dấu phẩy."),
    )
    help_text = models.TextField(_("hướng dẫn"), blank=True)
    form = models.ForeignKey(
        FormTemplate, verbose_name=_("biểu mẫu"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="components", help_text=_("Mẫu đơn, tờ khai để tải về, nếu có."),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    class When(models.TextChoices):
        AT_RECEPTION = "at_reception", _("Khi nộp hồ sơ")
        AT_RETURN = "at_return", _("Khi nhận kết quả")

    class Basis(models.TextChoices):
        DOSSIER = "dossier", _("Mỗi hồ sơ")
        COPY = "copy", _("Mỗi bản")
        PAGE = "page", _("Mỗi trang")

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="fees"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên phí, lệ phí"), max_length=500)
    amount_vnd = models.PositiveBigIntegerField(
        _("mức thu (đồng)"), default=0, help_text=_("0 nghĩa là miễn phí.")
    )
    note = models.TextField(_("ghi chú"), blank=True, help_text=_("Đối tượng miễn, giảm; cách tính."))
    collected = models.CharField(
        _("thời điểm thu"), max_length=20, choices=When.choices, default=When.AT_RECEPTION
    )
    # The rule of the amount (catalog/fees.py computes it; issue #17).
    basis = models.CharField(_("cách tính"), max_length=10, choices=Basis.choices, default=Basis.DOSSIER)
    tiers = models.JSONField(
        _("bậc theo trang"), default=list, blank=True,
        help_text=_('Danh sách {"from_page": 3, "amount_vnd": 1000}: từ trang đó, mức thu mỗi trang.'),
    )
    cap_vnd = models.PositiveBigIntegerField(
        _("mức tối đa mỗi bản (đồng)"), null=True, blank=True, help_text=_("Để trống nếu không giới hạn.")
    )
    reductions = models.JSONField(
        _("đối tượng giảm phí"), default=list, blank=True,
        help_text=_('Danh sách {"kind": "Sinh viên", "amount_vnd": 100000}: mức thu của đối tượng đó.'),
    )
    online_exempt = models.BooleanField(_("miễn khi nộp trực tuyến"), default=False)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Guide(models.Model):
    """A guide for citizens: text, and a video clip (an uploaded file or a link)."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="guides"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    video = models.FileField(
        _("tệp video"), upload_to="guides/%Y/", blank=True, help_text=_("Video MP4 hoặc WebM.")
    )
    # The uploaded file's own name (the stored path is a random token): what the publish diff and the
    # admin pages call the video.
    video_name = models.CharField(_("tên tệp video"), max_length=255, blank=True, editable=False)
    video_url = models.URLField(_("đường dẫn video"), blank=True, help_text=_("Hoặc liên kết tới video."))

    class Meta:
        verbose_name = _("hướng dẫn")
        verbose_name_plural = _("hướng dẫn")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.title


class FAQ(models.Model):
    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="faqs"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    question = models.CharField(_("câu hỏi"), max_length=500)
    answer = models.TextField(_("trả lời"))

    class Meta:
        verbose_name = _("câu hỏi thường gặp")
        verbose_name_plural = _("câu hỏi thường gặp")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.question


# --- search (issue #18) -----------------------------------------------------------------------------


class CatalogVersion(models.Model):
    """One row: a counter bumped by every change of what the catalogue search reads (a publication,
    a retirement, an import, a synonym or colloquial-name edit), in the same transaction. Each
    process keeps an in-memory search index and rebuilds it when this changes; page caches may key
    on it too. `stamp` is random per bump, so a rolled-back bump never matches a newer one."""

    number = models.PositiveBigIntegerField(default=0)
    stamp = models.CharField(max_length=32, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phiên bản danh mục")
        verbose_name_plural = _("phiên bản danh mục")

    def __str__(self) -> str:
        return f"{self.number}"


class Synonym(models.Model):
    """A province-wide synonym or abbreviation: what people type -> what the catalogue calls it."""

    phrase = models.CharField(
        _("cách người dân gõ"), max_length=100,
        help_text=_("Từ viết tắt, tên thường gọi hoặc cách nói, ví dụ «sổ đỏ», «cccd», «gpxd»."),
    )
    meaning = models.CharField(
        _("nghĩa trong danh mục"), max_length=200, blank=True,
        help_text=_("Từ ngữ trong tên thủ tục, ví dụ «giấy chứng nhận quyền sử dụng đất»."),
    )
    key = models.CharField(max_length=200, unique=True, editable=False)
    updated_at = models.DateTimeField(_("ngày sửa"), auto_now=True)

    class Meta:
        verbose_name = _("từ đồng nghĩa")
        verbose_name_plural = _("từ đồng nghĩa")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.phrase} = {self.meaning}"


class ColloquialName(models.Model):
    """A name people use for a procedure (tên thường gọi), by the procedure's national code, so it
    outlives versions and catalogue re-imports."""

    procedure_code = models.CharField(_("mã thủ tục"), max_length=50, db_index=True)
    name = models.CharField(_("tên thường gọi"), max_length=200)
    key = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("tên thường gọi")
        verbose_name_plural = _("tên thường gọi")
        ordering = ["procedure_code", "key"]
        constraints = [
            models.UniqueConstraint(fields=["procedure_code", "key"], name="uniq_colloquial_name"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_code}: {self.name}"


class ZeroResultQuery(models.Model):
    """A normalised query that matched no procedure, counted per month (no personal data: digits
    runs and e-mail-like words are removed before it is stored; the table is bounded)."""

    month = models.DateField(_("tháng"))
    query = models.CharField(_("câu tìm kiếm"), max_length=100)
    count = models.PositiveIntegerField(_("số lần"), default=0)
    last_seen = models.DateTimeField(_("lần cuối"))

    class Meta:
        verbose_name = _("câu tìm kiếm không có kết quả")
        verbose_name_plural = _("câu tìm kiếm không có kết quả")
        ordering = ["-month", "-count", "query"]
        constraints = [models.UniqueConstraint(fields=["month", "query"], name="uniq_zero_result_month_query")]
        indexes = [models.Index(fields=["month", "-count"])]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.query} ({self.count})"
