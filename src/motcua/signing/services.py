"""Sign a dossier's result files when it is completed (and, at an approval step, when the leader
approves: ``sign_approval``, a certification signature; completion then fills the number and
date fields and countersigns with the agency's certificate, see docs/signing.md).

``sign_results`` is called by ``dossiers.actions`` inside the completion's transaction, under the
dossier's row lock. Each result file not yet signed is read back from storage (and checked
against its recorded SHA-256), turned into PDF if it is a scanned image, signed with the
agency's certificate, and stored as a NEW file: a result ``DossierFile`` uploaded at completion
time, so that ``GET /api/v1/dossiers/<code>/result`` (the latest result) serves the signed copy,
and a ``SignedResult`` linking source, copy and signer. The source file is never changed.

Which certificate: the first usable one of the agency that handled the last step (it decides),
then of the receiving agency (the one-stop unit, which may sign electronic copies of results).

What stops completion and what does not:
* no certificate registered for either agency: the dossier completes unsigned (the agency has
  not set up electronic signing); the event records why;
* a certificate is registered but cannot be used (missing file, passphrase not set, wrong
  passphrase): completion is refused with ``CertificateUnavailable`` (503) until an operator
  fixes it, so that results do not go out unsigned by accident;
* a file that cannot be signed (damaged or password-protected PDF, unreadable image): that file
  stays unsigned, named in the event with the reason; files cannot be removed from a dossier,
  so refusing completion here would block the dossier for good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import secrets
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.documents.formatting import long_date
from motcua.dossiers.models import Dossier, DossierFile, FileKind

from . import pades, personal, providers
from .errors import NotSignable
from .models import AgencyCertificate, SignedResult

logger = logging.getLogger(__name__)

PDF = "application/pdf"
IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff"}


def certificate_for(dossier: Dossier, now: dt.datetime | None = None) -> AgencyCertificate | None:
    """The agency certificate that signs this dossier's results now, or None."""
    return providers.AgencyCertificateProvider().certificate(dossier, now)


def unsigned_results(dossier: Dossier) -> list[DossierFile]:
    """Result files that are neither signed yet nor themselves a signed copy."""
    return list(
        DossierFile.objects.filter(
            dossier_id=dossier.pk, kind=FileKind.RESULT, signed_result__isnull=True, signed_from__isnull=True
        ).order_by("uploaded_at", "id")
    )


def sign_results(dossier: Dossier, at: dt.datetime, *, actor=None) -> dict[str, Any]:
    """Sign the dossier's unsigned result files; returns facts for the completion event's data.

    Must run inside the caller's transaction (the new rows are rolled back with it). Raises
    CertificateUnavailable when the agency's registered certificate cannot be used."""
    pending = unsigned_results(dossier)
    approved = awaiting_countersignature(dossier)
    if not pending and not approved:
        return {}
    provider = providers.agency()
    loaded = provider.signer_for(dossier) if provider is not None else None  # CertificateUnavailable
    if loaded is None:
        if pending:
            logger.warning("signing: no usable certificate for dossier %s; results left unsigned", dossier.code)
        # The leader's signed copies stay as they are (they are signed already).
        return {"unsigned_results": [
            {"file_id": f.pk, "reason": "no_certificate"} for f in pending
        ]} if pending else {}
    signed: list[dict[str, Any]] = []
    unsigned: list[dict[str, Any]] = []
    fields = {pades.NUMBER_FIELD: result_number(dossier), pades.DATE_FIELD: long_date(at)}
    work = [(source, "single") for source in pending] + [(source, "approval") for source in approved]
    for source, role in work:
        try:
            record = sign_file(source, loaded, dossier=dossier, at=at, actor=actor, role=role,
                               fill=fields if role == "approval" else None)
        except NotSignable as exc:
            logger.warning("signing: result file %s of %s not signed: %s", source.pk, dossier.code, exc)
            unsigned.append({"file_id": source.pk, "reason": "not_signable", "message": str(exc)[:300]})
            continue
        signed.append(_entry(record))
    data: dict[str, Any] = {}
    if signed:
        data["signed_results"] = signed
    if unsigned:
        data["unsigned_results"] = unsigned
    return data


def _entry(record: SignedResult) -> dict[str, Any]:
    entry = {
        "source_file_id": record.source_file_id, "file_id": record.signed_file_id, "sha256": record.signed_sha256,
        "certificate": record.signer_fingerprint, "signed_at": pades.iso_local(record.signed_at),
    }
    if record.role != "single":
        entry |= {"signature": record.role, "signer": record.signer_name}
    return entry


def awaiting_countersignature(dossier: Dossier) -> list[DossierFile]:
    """The leader-signed copies (certification signatures) the agency has not signed yet."""
    return list(
        DossierFile.objects.filter(
            dossier_id=dossier.pk, kind=FileKind.RESULT, signed_from__role="certification",
            signed_result__isnull=True,
        ).order_by("uploaded_at", "id")
    )


def result_number(dossier: Dossier) -> str:
    """The number written in the result's «Số» field: the dossier's result number where the
    project keeps one, else the dossier code."""
    return str(getattr(dossier, "result_number", "") or dossier.code)


def sign_approval(dossier: Dossier, at: dt.datetime, *, actor, loaded: providers.LoadedSigner | None
                  ) -> dict[str, Any]:
    """The leader's approval: each unsigned result file gets the number/date/agency fields and the
    leader's certification signature (DocMDP 2). Returns the `approved` event's data."""
    pending = unsigned_results(dossier)
    if not pending:
        return {}
    if loaded is None:
        return {"unsigned_results": [{"file_id": f.pk, "reason": "no_certificate"} for f in pending]}
    signed, unsigned = [], []
    for source in pending:
        try:
            record = sign_file(source, loaded, dossier=dossier, at=at, actor=actor, role="certification")
        except NotSignable as exc:
            logger.warning("signing: result file %s of %s not signed at approval: %s", source.pk, dossier.code, exc)
            unsigned.append({"file_id": source.pk, "reason": "not_signable", "message": str(exc)[:300]})
            continue
        signed.append(_entry(record))
    if loaded.unlocked is not None and signed:
        personal.record_signed(loaded.unlocked, actor=actor, dossier=dossier, files=len(signed), at=at)
    data: dict[str, Any] = {"signer": {"name": loaded.name, "subject": loaded.subject,
                                       "certificate": loaded.fingerprint, "provider": loaded.provider}}
    if signed:
        data["signed_results"] = signed
    if unsigned:
        data["unsigned_results"] = unsigned
    return data


def unlock_approver(dossier: Dossier, *, actor, pin: str | None, at: dt.datetime | None = None
                    ) -> providers.LoadedSigner | None:
    """The approving leader's signer (their personal certificate opened with ``pin``, else the
    agency's), or None when there is nothing to sign or no certificate at all."""
    if not unsigned_results(dossier):
        return None
    provider = providers.for_approval(dossier, actor)
    if provider is None:
        return None
    return provider.signer_for(dossier, actor, pin, at=at)


def signed_name(original: str) -> str:
    stem = PurePosixPath(original).stem or "ket-qua"
    return f"{stem[:200]}-ky-so.pdf"


def _verify_url() -> str:
    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    return f"{base}/xac-thuc/" if base else "/xac-thuc/"


def sign_file(
    source: DossierFile, loaded: providers.LoadedSigner, *, dossier: Dossier, at: dt.datetime, actor=None,
    role: str = "single", fill: dict[str, str] | None = None,
) -> SignedResult:
    """Sign one stored result file and store the signed copy as a new result file (NotSignable if it cannot be)."""
    with default_storage.open(source.storage_key, "rb") as handle:
        raw = handle.read()
    if hashlib.sha256(raw).hexdigest() != source.sha256:
        raise NotSignable(_("Tệp trong kho lưu trữ không còn khớp mã băm SHA-256 ghi lúc tải lên."))
    if source.content_type == PDF:
        pdf = raw
    elif source.content_type in IMAGE_TYPES:
        pdf = pades.image_to_pdf(raw)
    else:
        raise NotSignable(_("Chỉ ký được tệp PDF hoặc ảnh quét (JPEG, PNG, TIFF)."))
    agency = loaded.agency
    signed_at = timezone.now().replace(microsecond=0)
    visible = settings.MOTCUA_SIGNING_VISIBLE
    # A countersignature goes into the agency's field pre-placed by the approval (if it is there).
    existing = role == "approval" and pades.AGENCY_FIELD in _field_names(pdf)
    lines = (
        _("Mã hồ sơ: %(code)s") % {"code": dossier.code},
        _("Kiểm tra tại: %(url)s") % {"url": _verify_url()},
    )
    if role == "certification":  # the stamp holds four lines
        lines = (_("Phê duyệt: %(agency)s") % {"agency": agency.name}, lines[0])
    request = pades.SignatureRequest(
        signed_at=signed_at,
        reason=settings.MOTCUA_SIGNING_APPROVAL_REASON if role == "certification" else settings.MOTCUA_SIGNING_REASON,
        location=agency.address or agency.name,
        name=loaded.facts.common_name,
        stamp=pades.StampText(organisation=loaded.facts.common_name, lines=lines) if visible else None,
        field_name=pades.AGENCY_FIELD if existing else f"KySoKetQua_{signed_at:%Y%m%d%H%M%S}_{secrets.token_hex(3)}",
        certify=role == "certification",
        existing_field=existing,
    )
    prepare = None
    if role == "certification":
        def prepare(writer):
            pades.prepare_approval_fields(writer, number_label=_("Số"), date_label=_("Ngày"))
    elif fill:
        def prepare(writer):
            pades.fill_approval_fields(writer, fill, shown={pades.NUMBER_FIELD: _("Số: %(value)s")})
    data = pades.sign_pdf(pdf, loaded.signer, request, prepare=prepare)
    digest = hashlib.sha256(data).hexdigest()
    key = default_storage.save(f"dossiers/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.pdf", ContentFile(data))
    signed_file = DossierFile.objects.create(
        dossier_id=source.dossier_id, component=None, kind=FileKind.RESULT, original_name=signed_name(
            source.original_name), content_type=PDF, size=len(data), sha256=digest, storage_key=key,
        source=source.source, uploaded_by=actor, uploaded_at=max(at, source.uploaded_at),
    )
    return SignedResult.objects.create(
        dossier_id=source.dossier_id, source_file=source, signed_file=signed_file, source_sha256=source.sha256,
        signed_sha256=digest, storage_key=key, agency=agency, certificate=loaded.agency_certificate,
        signer_subject=loaded.facts.subject, signer_fingerprint=loaded.facts.fingerprint, signed_at=signed_at,
        personal_certificate=loaded.personal_certificate, signer=loaded.user if loaded.user is not None else None,
        signer_name=loaded.facts.common_name[:500], role=role,
    )


def _field_names(pdf: bytes) -> set[str]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return pades.field_names(PdfFileReader(io.BytesIO(pdf), strict=False))
    except Exception:  # noqa: BLE001 - unreadable: sign_pdf says why
        return set()
