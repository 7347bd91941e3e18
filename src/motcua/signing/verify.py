"""Check a signed result: is the signature valid, who signed and when, is it a file we issued.

``verify_pdf(data)`` validates every signature of a PDF with pyHanko against our trust roots
(the configured CA roots, and the development CA where it is trusted) and looks the file's
SHA-256 up among the results we signed. ``results_for(code, key)`` lists the signed results of a
dossier to whoever holds its code and tracking key; a wrong key answers exactly like an
unknown code (None). Neither shows personal data: a dossier is named by its code and procedure.

Verdicts, worst first: the file is not a PDF or cannot be read; it has no signature; a signature
no longer matches the bytes (tampered, or changed by a later revision beyond what signing
allows); the signer's certificate does not chain to a trusted root (or expired, or was
revoked); otherwise valid. No network is used (no revocation fetching) unless
MOTCUA_SIGNING_FETCH_REVOCATION is on.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.core import bounded
from motcua.dossiers.codes import tracking_key_matches
from motcua.dossiers.files import pdf_trailer
from motcua.dossiers.models import Dossier

from . import certificates
from .models import SignedResult

logger = logging.getLogger(__name__)

# pyHanko logs every untrusted chain as a warning with a traceback; on a public page that is noise.
for _name in ("pyhanko.sign.validation.generic_cms", "pyhanko_certvalidator"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.ERROR)

MAX_SIGNATURES = 20


class Verdict(enum.StrEnum):
    VALID = "valid"
    UNTRUSTED = "untrusted"
    TAMPERED = "tampered"
    UNSIGNED = "unsigned"
    BROKEN = "broken"
    TOO_COMPLEX = "too_complex"
    NOT_PDF = "not_pdf"


# Worst first: the file's verdict is the worst of its signatures'.
_SEVERITY = [Verdict.NOT_PDF, Verdict.TOO_COMPLEX, Verdict.BROKEN, Verdict.TAMPERED, Verdict.UNSIGNED,
             Verdict.UNTRUSTED, Verdict.VALID]


class TrustProblem(enum.StrEnum):
    UNKNOWN_CA = "unknown_ca"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    OTHER = "other"


@dataclass(frozen=True)
class SignatureReport:
    verdict: Verdict
    field_name: str = ""
    signer: str = ""  # common name (or organisation) of the signer's certificate
    signer_subject: str = ""
    issuer: str = ""
    fingerprint: str = ""
    signed_at: dt.datetime | None = None  # as the signer states it (PAdES B has no trusted time)
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    trust_problem: TrustProblem | None = None
    trusted_at_signing: bool = False  # untrusted now (expired) but valid when we recorded issuing it
    certifies: bool = False  # a certification signature (the leader's approval, DocMDP): later form filling allowed


@dataclass(frozen=True)
class IssuedInfo:
    dossier_code: str
    procedure_code: str
    procedure_name: str
    agency: str
    signed_at: dt.datetime
    signer_subject: str


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    sha256: str
    size: int
    signatures: list[SignatureReport] = field(default_factory=list)
    issued: IssuedInfo | None = None

    @property
    def headline(self) -> str:
        return str(HEADLINES[self.verdict])

    @property
    def explanation(self) -> str:
        if self.verdict == Verdict.VALID and any(s.trusted_at_signing for s in self.signatures):
            return str(_("Nội dung tệp còn nguyên như lúc ký, và chứng thư số của người ký hợp lệ vào lúc ký (hệ "
                         "thống đã ghi nhận cấp đúng tệp này khi đó); nay chứng thư đã hết hạn."))
        if self.verdict == Verdict.UNTRUSTED:
            problems = {s.trust_problem for s in self.signatures if s.trust_problem}
            for problem in (TrustProblem.REVOKED, TrustProblem.EXPIRED, TrustProblem.NOT_YET_VALID):
                if problem in problems:
                    return str(TRUST_EXPLANATIONS[problem])
        return str(EXPLANATIONS[self.verdict])


HEADLINES = {
    Verdict.VALID: _("Chữ ký hợp lệ"),
    Verdict.UNTRUSTED: _("Người ký không thuộc danh sách tin cậy"),
    Verdict.TAMPERED: _("Tệp đã bị sửa sau khi ký"),
    Verdict.UNSIGNED: _("Tệp không có chữ ký số"),
    Verdict.BROKEN: _("Không đọc được tệp PDF"),
    Verdict.TOO_COMPLEX: _("Tệp PDF quá phức tạp để kiểm tra"),
    Verdict.NOT_PDF: _("Tệp không phải PDF"),
}
EXPLANATIONS = {
    Verdict.VALID: _("Nội dung tệp còn nguyên như lúc ký, và chứng thư số của người ký do tổ chức chứng thực "
                     "được tin cậy cấp."),
    Verdict.UNTRUSTED: _("Nội dung tệp còn nguyên như lúc ký, nhưng chứng thư số của người ký không do tổ chức "
                         "chứng thực mà hệ thống tin cậy cấp. Không nên coi đây là kết quả chính thức."),
    Verdict.TAMPERED: _("Nội dung tệp không còn khớp với chữ ký số: tệp đã bị sửa (dù chỉ một ký tự) sau khi ký. "
                        "Không sử dụng tệp này; hãy tải lại kết quả hoặc liên hệ cơ quan đã cấp."),
    Verdict.UNSIGNED: _("Tệp PDF này không mang chữ ký số nào, nên không xác thực được nguồn gốc."),
    Verdict.BROKEN: _("Tệp bị hỏng, bị cắt cụt hoặc đã bị sửa đổi nên không đọc được. Hãy tải lại tệp gốc "
                      "rồi kiểm tra lại."),
    Verdict.TOO_COMPLEX: _("Việc đọc tệp này tốn quá nhiều thời gian nên đã dừng. Tệp kết quả do cơ quan cấp "
                           "không như vậy: hãy tải lại tệp gốc từ Cổng rồi kiểm tra lại."),
    Verdict.NOT_PDF: _("Trang này chỉ kiểm tra tệp PDF có chữ ký số."),
}
TRUST_EXPLANATIONS = {
    TrustProblem.REVOKED: _("Nội dung tệp còn nguyên như lúc ký, nhưng chứng thư số của người ký đã bị thu hồi."),
    TrustProblem.EXPIRED: _("Nội dung tệp còn nguyên như lúc ký, nhưng chứng thư số của người ký đã hết hạn."),
    TrustProblem.NOT_YET_VALID: _("Nội dung tệp còn nguyên như lúc ký, nhưng chứng thư số của người ký chưa có "
                                  "hiệu lực."),
}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _validation_context(moment: dt.datetime | None = None):
    from pyhanko_certvalidator import ValidationContext

    # Always an explicit list: None would make pyHanko fall back to the system's trust store.
    return ValidationContext(
        trust_roots=list(certificates.trust_roots()),
        allow_fetching=settings.MOTCUA_SIGNING_FETCH_REVOCATION,
        moment=moment,
    )


def _trust_problem(status) -> TrustProblem | None:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

    if status.revoked:
        return TrustProblem.REVOKED
    if status.trusted:
        return None
    indic = status.trust_problem_indic
    if indic in (AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND, AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE):
        return TrustProblem.UNKNOWN_CA
    if indic in (AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
                 AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED):
        return TrustProblem.EXPIRED
    if indic in (AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID):
        return TrustProblem.NOT_YET_VALID
    if indic in (AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        return TrustProblem.REVOKED
    return TrustProblem.OTHER


def _judge(status) -> Verdict:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    if not (status.intact and status.valid):
        return Verdict.TAMPERED
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
            return Verdict.TAMPERED  # holes in the signed range: not a signature we can vouch for
        if not status.docmdp_ok or status.modification_level in (None, ModificationLevel.OTHER):
            return Verdict.TAMPERED  # a later revision changed the content
    return Verdict.VALID if status.trusted and not status.revoked else Verdict.UNTRUSTED


def _report(embedded, issued_at: dt.datetime | None) -> SignatureReport:
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature

    name = str(embedded.field_name or "")
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=_validation_context())
    except Exception as exc:  # a damaged signature value or CMS structure
        logger.info("signing: signature %s cannot be validated: %s", name, exc)
        return SignatureReport(verdict=Verdict.TAMPERED, field_name=name, **_signer_facts(embedded))
    verdict = _judge(status)
    problem = _trust_problem(status) if verdict == Verdict.UNTRUSTED else None
    trusted_at_signing = False
    if problem == TrustProblem.EXPIRED and issued_at is not None:
        # We recorded issuing exactly these bytes at `issued_at`: judge the chain at that time.
        try:
            again = validate_pdf_signature(embedded, signer_validation_context=_validation_context(issued_at))
        except Exception:  # noqa: BLE001 - the first answer stands
            again = None
        if again is not None and _judge(again) == Verdict.VALID:
            trusted_at_signing = True
    return SignatureReport(
        verdict=verdict,
        field_name=name,
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trust_problem=problem,
        trusted_at_signing=trusted_at_signing,
        certifies=_certifies(embedded),
        **_signer_facts(embedded, status.signing_cert),
    )


def _certifies(embedded) -> bool:
    try:
        return embedded.docmdp_level is not None
    except Exception:  # noqa: BLE001 - an odd signature dictionary: not a certification
        return False


def _signer_facts(embedded, cert=None) -> dict:
    try:
        facts = certificates.facts_of(cert if cert is not None else embedded.signer_cert)
    except Exception:  # noqa: BLE001 - no readable certificate: report without it
        return {}
    return {"signer": facts.common_name, "signer_subject": facts.subject, "issuer": facts.issuer,
            "fingerprint": facts.fingerprint}


def _issued(digest: str) -> IssuedInfo | None:
    record = (
        SignedResult.objects.filter(signed_sha256=digest)
        .select_related("dossier__procedure_version__procedure", "agency")
        .order_by("signed_at", "id").first()
    )
    if record is None:
        return None
    version = record.dossier.procedure_version
    return IssuedInfo(
        dossier_code=record.dossier.code, procedure_code=version.procedure.code, procedure_name=version.name,
        agency=record.agency.name, signed_at=record.signed_at, signer_subject=record.signer_subject,
    )


def verify_pdf(data: bytes) -> Verification:
    """The verdict on a PDF's signatures and whether we issued this exact file. Never raises on bad input."""
    digest, size = sha256_of(data), len(data)
    if not data.startswith(b"%PDF-"):
        return Verification(Verdict.NOT_PDF, digest, size)
    issued = _issued(digest)
    trailer = pdf_trailer(io.BytesIO(data))
    if trailer != "ok":  # judged from the file's last bytes, before any parser runs
        return Verification(Verdict.BROKEN if trailer == "missing" else Verdict.TOO_COMPLEX, digest, size,
                            issued=issued)
    # The parsing and the cryptography run in a child stopped at MOTCUA_PDF_CHECK_CPU_SECONDS: a
    # hostile file (this page is public) can make the reader spin for minutes. The child never
    # touches the database (the issued record is read above).
    try:
        reports = bounded.run(_signature_reports, data, issued.signed_at if issued else None,
                              cpu_seconds=settings.MOTCUA_PDF_CHECK_CPU_SECONDS)
    except bounded.TooExpensive:
        logger.warning("signing: PDF too costly to verify (%s bytes)", size)
        return Verification(Verdict.TOO_COMPLEX, digest, size, issued=issued)
    except bounded.ChildFailed as exc:  # pyHanko raises many kinds of errors on a damaged file
        logger.info("signing: unreadable PDF (%s bytes): %s", size, exc)
        return Verification(Verdict.BROKEN, digest, size, issued=issued)
    if not reports:
        return Verification(Verdict.UNSIGNED, digest, size, issued=issued)
    verdict = min((r.verdict for r in reports), key=_SEVERITY.index)
    if verdict == Verdict.UNTRUSTED and all(r.verdict == Verdict.VALID or r.trusted_at_signing for r in reports):
        verdict = Verdict.VALID
    return Verification(verdict, digest, size, signatures=reports, issued=issued)


def _signature_reports(data: bytes, issued_at: dt.datetime | None) -> list[SignatureReport]:
    """One report per embedded signature (at most MAX_SIGNATURES); raises on an unreadable file."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reports = []
    for signature in list(reader.embedded_signatures)[:MAX_SIGNATURES]:
        try:
            reports.append(_report(signature, issued_at))
        except Exception as exc:  # noqa: BLE001 - a hostile file must never make a 500
            logger.warning("signing: verification failed on a signature: %s", exc)
            reports.append(SignatureReport(verdict=Verdict.TAMPERED, field_name=str(signature.field_name or "")))
    return reports


# --- by dossier code ------------------------------------------------------------------------------


def _signers(record: SignedResult, by_copy: dict) -> tuple[str, ...]:
    names = []
    seen = set()
    while record is not None and record.pk not in seen:
        seen.add(record.pk)
        names.append(record.signer_name or record.signer_subject)
        record = by_copy.get(record.source_file_id)
    return tuple(reversed(names))


@dataclass(frozen=True)
class IssuedResult:
    number: int
    sha256: str
    size: int
    signed_at: dt.datetime
    signer_subject: str
    agency: str
    signers: tuple[str, ...] = ()  # every signer of the file, first first (the leader, then the agency)


@dataclass(frozen=True)
class DossierResults:
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    results: list[IssuedResult]


def results_for(code: str, key: str) -> DossierResults | None:
    """The signed results of a dossier, or None when the code is unknown or the key is wrong."""
    code = (code or "").strip().upper()[:50]
    if not code or not key:
        return None
    dossier = (
        Dossier.objects.filter(code=code)
        .select_related("procedure_version__procedure", "agency").only(
            "code", "tracking_key", "procedure_version__name", "procedure_version__procedure__code", "agency__name",
        ).first()
    )
    if dossier is None or not tracking_key_matches(dossier.tracking_key, key):
        return None
    every = list(
        SignedResult.objects.filter(dossier=dossier).select_related("signed_file", "agency").order_by("signed_at", "id")
    )
    by_copy = {r.signed_file_id: r for r in every}
    # A leader-signed copy countersigned by the agency is not issued itself: the final copy is.
    countersigned = {r.source_file_id for r in every}
    records = [r for r in every if r.signed_file_id not in countersigned]
    return DossierResults(
        code=dossier.code,
        procedure_code=dossier.procedure_version.procedure.code,
        procedure_name=dossier.procedure_version.name,
        agency=dossier.agency.name,
        results=[
            IssuedResult(number=i, sha256=r.signed_sha256, size=r.signed_file.size, signed_at=r.signed_at,
                         signer_subject=r.signer_subject, agency=r.agency.name, signers=_signers(r, by_copy))
            for i, r in enumerate(records, 1)
        ],
    )
