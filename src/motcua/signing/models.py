"""Agencies' signing certificates and the record of every signed result.

The private key never enters the database: a certificate row holds the paths of the agency's
files (PKCS#12, or PEM key + certificate) and a *reference* to the passphrase (an environment
variable, a file, or a setting), plus the certificate's public facts read from the files.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# env:NAME, setting:NAME, file:PATH, or a bare NAME (an environment variable). Names are
# upper case, so that a passphrase typed here by mistake is refused rather than stored.
passphrase_ref_validator = RegexValidator(
    r"^((env:|setting:)?[A-Z_][A-Z0-9_]*|file:\S.*)$",
    _("Ghi nơi lấy mật khẩu, không ghi chính mật khẩu: env:TEN_BIEN, setting:TEN_CAI_DAT hoặc file:/duong/dan."),
)


class CertificateFormat(models.TextChoices):
    PKCS12 = "pkcs12", _("PKCS#12 (.p12, .pfx)")
    PEM = "pem", _("Khóa và chứng thư PEM")


class AgencyCertificate(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="signing_certificates",
        help_text=_("Cơ quan ký kết quả bằng chứng thư này."),
    )
    label = models.CharField(_("tên gọi"), max_length=200, blank=True, help_text=_("Ghi chú để nhận ra chứng thư."))
    format = models.CharField(
        _("định dạng"), max_length=10, choices=CertificateFormat.choices, default=CertificateFormat.PKCS12
    )
    pkcs12_path = models.CharField(
        _("tệp PKCS#12"), max_length=500, blank=True,
        help_text=_("Đường dẫn tệp .p12/.pfx trên máy chủ; đường dẫn tương đối tính từ thư mục chứng thư."),
    )
    key_path = models.CharField(_("tệp khóa PEM"), max_length=500, blank=True)
    cert_path = models.CharField(_("tệp chứng thư PEM"), max_length=500, blank=True)
    chain_path = models.CharField(
        _("tệp chuỗi chứng thư"), max_length=500, blank=True,
        help_text=_("Chứng thư của tổ chức cấp (PEM), nếu tệp trên chưa có."),
    )
    passphrase_ref = models.CharField(
        _("nơi lấy mật khẩu"), max_length=300, blank=True, validators=[passphrase_ref_validator],
        help_text=_("Không lưu mật khẩu ở đây: env:TEN_BIEN (biến môi trường, hoặc TEN_BIEN_FILE), "
                    "setting:TEN_CAI_DAT, hoặc file:/duong/dan. Để trống nếu tệp không có mật khẩu."),
    )
    subject = models.CharField(_("chủ thể"), max_length=500, editable=False, blank=True)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500, editable=False, blank=True)
    serial_number = models.CharField(_("số hiệu"), max_length=100, editable=False, blank=True)
    fingerprint = models.CharField(
        _("dấu vân tay SHA-256"), max_length=64, editable=False, blank=True, db_index=True,
        help_text=_("SHA-256 của chứng thư (DER), chữ thường."),
    )
    valid_from = models.DateTimeField(_("hiệu lực từ"), null=True, editable=False)
    valid_to = models.DateTimeField(_("hiệu lực đến"), null=True, editable=False)
    is_development = models.BooleanField(
        _("chứng thư thử nghiệm"), default=False,
        help_text=_("Do lệnh dev_certificate tạo, ký bởi CA thử nghiệm của máy này; không có giá trị pháp lý."),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số của cơ quan")
        verbose_name_plural = _("chứng thư số của cơ quan")
        ordering = ["agency", "-valid_from", "-id"]
        indexes = [models.Index(fields=["agency", "active"], name="agencycert_active")]

    def __str__(self) -> str:
        return self.label or self.subject or f"#{self.pk}"


class SignedResult(models.Model):
    """One result file signed for a dossier: the source, the signed copy (a new stored file) and who signed."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="signed_results"
    )
    source_file = models.OneToOneField(
        "dossiers.DossierFile", verbose_name=_("tệp kết quả gốc"), on_delete=models.PROTECT,
        related_name="signed_result",
    )
    signed_file = models.OneToOneField(
        "dossiers.DossierFile", verbose_name=_("tệp đã ký"), on_delete=models.PROTECT, related_name="signed_from",
    )
    source_sha256 = models.CharField(_("SHA-256 tệp gốc"), max_length=64)
    signed_sha256 = models.CharField(_("SHA-256 tệp đã ký"), max_length=64, db_index=True)
    storage_key = models.CharField(_("khóa lưu trữ tệp đã ký"), max_length=300)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan ký"), on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        AgencyCertificate, verbose_name=_("chứng thư"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_subject = models.CharField(_("người ký"), max_length=500)
    signer_fingerprint = models.CharField(_("dấu vân tay chứng thư"), max_length=64)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    # Issue #17: who signed, with which kind of certificate, and what kind of signature.
    personal_certificate = models.ForeignKey(
        "PersonalCertificate", verbose_name=_("chứng thư cá nhân"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người duyệt ký"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("tên người ký"), max_length=500, blank=True)
    role = models.CharField(_("loại chữ ký"), max_length=20, default="single", choices=[
        ("single", _("chữ ký của cơ quan khi hoàn thành")),
        ("certification", _("chữ ký chứng thực của lãnh đạo (DocMDP 2)")),
        ("approval", _("chữ ký của cơ quan sau chữ ký lãnh đạo")),
    ])

    class Meta:
        verbose_name = _("kết quả đã ký số")
        verbose_name_plural = _("kết quả đã ký số")
        ordering = ["dossier", "signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.signed_sha256[:12]}"


class PersonalCertificate(models.Model):
    """A leader's own signing certificate (chứng thư số cá nhân), uploaded once as PKCS#12.

    The file is kept exactly as uploaded: encrypted under its own password (the PIN), which is asked
    at each signing and never stored. Repeated wrong PINs lock it until an administrator unlocks it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.PROTECT,
        related_name="personal_certificates",
    )
    pkcs12 = models.BinaryField(_("tệp PKCS#12 (đã mã hóa)"), editable=False)
    original_name = models.CharField(_("tên tệp tải lên"), max_length=255, blank=True)
    subject = models.CharField(_("chủ thể"), max_length=500, editable=False)
    common_name = models.CharField(_("tên người ký"), max_length=500, editable=False, blank=True)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500, editable=False)
    serial_number = models.CharField(_("số hiệu"), max_length=100, editable=False)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, editable=False, db_index=True)
    valid_from = models.DateTimeField(_("hiệu lực từ"), editable=False)
    valid_to = models.DateTimeField(_("hiệu lực đến"), editable=False)
    failed_attempts = models.PositiveSmallIntegerField(_("số lần nhập sai PIN liên tiếp"), default=0, editable=False)
    locked = models.BooleanField(_("đang khóa"), default=False,
                                 help_text=_("Khóa sau nhiều lần nhập sai PIN; quản trị viên mở khóa."))
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("đã thu hồi"), default=False,
                                  help_text=_("Đánh dấu khi tổ chức cấp đã thu hồi chứng thư; không ký được nữa."))
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("ngày tải lên"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số cá nhân")
        verbose_name_plural = _("chứng thư số cá nhân")
        ordering = ["user", "-created_at", "-id"]
        indexes = [models.Index(fields=["user", "active"], name="personalcert_active")]

    def __str__(self) -> str:
        return self.common_name or self.subject or f"#{self.pk}"


class UseOutcome(models.TextChoices):
    SIGNED = "signed", _("đã ký")
    WRONG_PIN = "wrong_pin", _("sai PIN")
    LOCKED = "locked", _("đang khóa")
    EXPIRED = "expired", _("hết hạn")
    REVOKED = "revoked", _("đã thu hồi")
    UNTRUSTED = "untrusted", _("không kiểm tra được nguồn cấp")
    UNLOCKED = "unlocked", _("quản trị viên mở khóa")
    UPLOADED = "uploaded", _("tải lên")
    DEACTIVATED = "deactivated", _("ngừng dùng")


class PersonalCertificateUse(models.Model):
    """Append-only log of every use of a personal certificate (successful or not), and of its
    administration (upload, unlock, deactivation). Never holds the PIN."""

    certificate = models.ForeignKey(PersonalCertificate, verbose_name=_("chứng thư"), on_delete=models.PROTECT,
                                    related_name="uses")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("kết quả"), max_length=20, choices=UseOutcome.choices)
    detail = models.CharField(_("chi tiết"), max_length=500, blank=True)
    at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("nhật ký dùng chứng thư cá nhân")
        verbose_name_plural = _("nhật ký dùng chứng thư cá nhân")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("the personal certificate log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the personal certificate log is append-only")
