"""Leaders' personal certificates (chứng thư số cá nhân): upload, unlock with the PIN, checks.

* ``read_upload(data, password)``: the facts of an uploaded PKCS#12 (size and parse bounded, in
  a child process stopped after a few CPU seconds: a file with an absurd key-derivation count
  must not hold a worker); wrong password, no key, no password at all -> CertificateUploadError.
* ``upload(user, data, name, password, at)``: stores the file exactly as uploaded (encrypted under
  its own password) and deactivates the user's earlier certificate; logged.
* ``unlock(certificate, pin, actor, dossier, at)``: opens the key for one signing. In its own
  transaction, under the certificate's row lock: locked -> refused; a wrong PIN counts, and
  MOTCUA_SIGNING_PIN_ATTEMPTS wrong ones in a row lock the key until an administrator unlocks it;
  expired, revoked (flag, or the configured CRL), not issued by the configured CA -> refused.
  Every attempt is logged (``PersonalCertificateUse``), the PIN never.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import bounded

from . import certificates
from .errors import CertificateUploadError, SigningRefused, WrongPin
from .models import PersonalCertificate, PersonalCertificateUse, UseOutcome

logger = logging.getLogger(__name__)

MAX_PKCS12_BYTES = 64 * 1024
MAX_PIN_CHARS = 100
PARSE_CPU_SECONDS = 5


@dataclass(frozen=True)
class Uploaded:
    facts: certificates.CertificateFacts


def _parse(data: bytes, password: bytes) -> tuple[bytes, list[bytes]] | str:
    """In the child: the signer's certificate and the chain (DER), or a problem code."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        return "wrong_password"
    if key is None or cert is None:
        return "no_key"
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != cert.public_key().public_bytes(*public):
        return "no_key"
    der = serialization.Encoding.DER
    return cert.public_bytes(der), [c.public_bytes(der) for c in (extra or [])]


def _open(data: bytes, password: bytes):
    """The key, certificate and chain (in this process, after the bounded check)."""
    return pkcs12.load_key_and_certificates(data, password)


def read_upload(data: bytes, password: str) -> Uploaded:
    if not data:
        raise CertificateUploadError(_("Tệp chứng thư số trống."))
    if len(data) > MAX_PKCS12_BYTES:
        raise CertificateUploadError(_("Tệp chứng thư số lớn quá %(kb)d KB; tệp .p12/.pfx thường chỉ vài KB.")
                                     % {"kb": MAX_PKCS12_BYTES // 1024})
    if not password:
        raise CertificateUploadError(_("Cần nhập mật khẩu (PIN) của tệp chứng thư số."))
    if len(password) > MAX_PIN_CHARS:
        raise CertificateUploadError(_("Mật khẩu dài quá %(n)d ký tự.") % {"n": MAX_PIN_CHARS})
    try:
        answer = bounded.run(_parse, data, password.encode(), cpu_seconds=PARSE_CPU_SECONDS)
    except bounded.TooExpensive:
        raise CertificateUploadError(_("Tệp chứng thư số quá phức tạp để mở; hãy xuất lại tệp .p12.")) from None
    except bounded.ChildFailed:
        raise CertificateUploadError(_("Không đọc được tệp: cần tệp PKCS#12 (.p12 hoặc .pfx).")) from None
    if answer == "wrong_password":
        raise CertificateUploadError(_("Mật khẩu không đúng, hoặc tệp không phải PKCS#12 (.p12, .pfx)."))
    if answer == "no_key":
        raise CertificateUploadError(_("Tệp không có khóa bí mật khớp với chứng thư của người ký."))
    # A file that opens without any password would be stored unprotected: refuse it.
    try:
        if not isinstance(bounded.run(_parse, data, b"", cpu_seconds=PARSE_CPU_SECONDS), str):
            raise CertificateUploadError(_("Tệp chứng thư số phải được bảo vệ bằng mật khẩu (PIN)."))
    except (bounded.TooExpensive, bounded.ChildFailed):
        pass
    cert_der, _chain = answer
    return Uploaded(facts=certificates.facts_of(x509.load_der_x509_certificate(cert_der)))


def _log(cert: PersonalCertificate, outcome: str, *, actor=None, dossier=None, detail: str = "",
         at: dt.datetime | None = None) -> None:
    PersonalCertificateUse.objects.create(certificate=cert, actor=actor, dossier=dossier, outcome=outcome,
                                          detail=detail[:500], at=at or timezone.now())


def current(user) -> PersonalCertificate | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return PersonalCertificate.objects.filter(user_id=user.pk, active=True).order_by("-created_at", "-id").first()


@transaction.atomic
def upload(user, data: bytes, *, name: str, password: str, at: dt.datetime | None = None) -> PersonalCertificate:
    """Check and store ``user``'s certificate; the earlier one stops being used."""
    at = at or timezone.now()
    facts = read_upload(data, password).facts
    for old in PersonalCertificate.objects.select_for_update().filter(user_id=user.pk, active=True):
        old.active = False
        old.save(update_fields=["active"])
        _log(old, UseOutcome.DEACTIVATED, actor=user, detail=_("thay bằng chứng thư mới"), at=at)
    cert = PersonalCertificate.objects.create(
        user=user, pkcs12=data, original_name=(name or "")[:255], subject=facts.subject,
        common_name=facts.common_name, issuer=facts.issuer, serial_number=facts.serial_number,
        fingerprint=facts.fingerprint, valid_from=facts.valid_from, valid_to=facts.valid_to,
    )
    _log(cert, UseOutcome.UPLOADED, actor=user, detail=facts.subject, at=at)
    return cert


@transaction.atomic
def deactivate(cert: PersonalCertificate, *, actor, at: dt.datetime | None = None) -> None:
    row = PersonalCertificate.objects.select_for_update().get(pk=cert.pk)
    if row.active:
        row.active = False
        row.save(update_fields=["active"])
        _log(row, UseOutcome.DEACTIVATED, actor=actor, at=at)


@transaction.atomic
def admin_unlock(cert: PersonalCertificate, *, actor, at: dt.datetime | None = None) -> None:
    """An administrator lifts a PIN lock (logged)."""
    row = PersonalCertificate.objects.select_for_update().get(pk=cert.pk)
    row.locked, row.locked_at, row.failed_attempts = False, None, 0
    row.save(update_fields=["locked", "locked_at", "failed_attempts"])
    _log(row, UseOutcome.UNLOCKED, actor=actor, at=at)


@transaction.atomic
def admin_revoke(cert: PersonalCertificate, *, actor, at: dt.datetime | None = None) -> bool:
    """An administrator marks a certificate revoked (under its row lock, logged with the actor);
    it can no longer sign. False when it was revoked already (nothing written)."""
    row = PersonalCertificate.objects.select_for_update().get(pk=cert.pk)
    if row.revoked:
        return False
    row.revoked = True
    row.save(update_fields=["revoked"])
    _log(row, UseOutcome.REVOKED, actor=actor, detail=_("quản trị viên đánh dấu thu hồi"), at=at)
    return True


# --- revocation and issuer -------------------------------------------------------------------------


def _certs_of(paths) -> list:
    from asn1crypto import x509 as asn1_x509

    out = []
    for path in paths:
        data = certificates.resolve_path(str(path)).read_bytes()
        for cert in certificates._certs_from(data):
            out.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
    return out


def _crl_of(path_text: str) -> bytes:
    from asn1crypto import pem

    data = certificates.resolve_path(path_text).read_bytes()
    if pem.detect(data):
        _type, _headers, data = pem.unarmor(data)
    return data


def trust_problem(cert: x509.Certificate, chain: list[x509.Certificate], at: dt.datetime) -> str | None:
    """None when the configured CA issued ``cert`` and its CRL does not list it; else "revoked" or
    "untrusted". Nothing configured: not checked (None). Offline: the CRL is a local file."""
    ca_paths = list(settings.MOTCUA_SIGNING_PERSONAL_CA)
    crl_path = settings.MOTCUA_SIGNING_PERSONAL_CRL
    if not ca_paths and not crl_path:
        return None
    if crl_path and not ca_paths:  # a CRL is checked against its CA (system check signing.E001)
        logger.error("signing: MOTCUA_SIGNING_PERSONAL_CRL is set without MOTCUA_SIGNING_PERSONAL_CA")
        return "crl_without_ca"
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathValidationError, RevokedError

    try:
        roots = _certs_of(ca_paths)
        crls = [_crl_of(crl_path)] if crl_path else []
    except OSError as exc:
        logger.error("signing: personal CA or CRL unreadable: %s", exc)
        return "untrusted"
    if crls and crl_stale(crls[0], at):
        logger.error("signing: the personal CRL %s is out of date (nextUpdate passed)", crl_path)
        return "crl_stale"
    der = serialization.Encoding.DER
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    # With a CRL configured, the leader's certificate must be checked against it (whatever the
    # certificate declares); without one, only the chain to the configured CA.
    rule = RevocationCheckingRule.CRL_REQUIRED if crls else RevocationCheckingRule.NO_CHECK
    policy = CertRevTrustPolicy(RevocationCheckingPolicy(
        ee_certificate_rule=rule, intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK))
    context = ValidationContext(
        trust_roots=roots or None, crls=crls, allow_fetching=False, moment=at, revinfo_policy=policy,
    )
    validator = CertificateValidator(
        asn1_x509.Certificate.load(cert.public_bytes(der)),
        intermediate_certs=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain],
        validation_context=context,
    )
    try:
        _run_async(validator.async_validate_usage(set()))
    except RevokedError:
        return "revoked"
    except (PathValidationError, Exception) as exc:  # noqa: BLE001 - any other failure: not trusted
        logger.info("signing: personal certificate not validated: %s", exc)
        return "untrusted"
    return None


def crl_stale(der: bytes, at: dt.datetime) -> bool:
    """The CRL's nextUpdate has passed at ``at`` (an unreadable CRL is left to the validator)."""
    try:
        crl = x509.load_der_x509_crl(der)
    except ValueError:
        return False
    next_update = crl.next_update_utc
    return next_update is not None and next_update <= at


def _run_async(coroutine):
    """Run a coroutine to its end, in a worker thread when this thread already runs an event loop."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- unlocking for a signature ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unlocked:
    certificate: PersonalCertificate
    facts: certificates.CertificateFacts
    signer: object


def _signer(key, cert, chain):
    return certificates._signer_of(certificates.Material(key=key, cert=cert, chain=tuple(chain)))


def unlock(cert: PersonalCertificate, pin: str | None, *, actor, dossier=None,
           at: dt.datetime | None = None) -> Unlocked:
    """Open the key with ``pin`` for one signing, or raise SigningRefused / WrongPin (logged)."""
    at = at or timezone.now()
    refusal: Exception | None = None
    result: Unlocked | None = None
    # Durable: a wrong PIN's count must be committed even though the signing is refused, so this
    # never runs inside an outer transaction (RuntimeError if it does).
    with transaction.atomic(durable=True):
        row = PersonalCertificate.objects.select_for_update().get(pk=cert.pk)
        if not pin:
            raise WrongPin(_("Cần nhập mã PIN của chứng thư số cá nhân để ký."), code="pin_required")
        if not row.active:
            refusal = SigningRefused(_("Chứng thư số cá nhân này đã ngừng sử dụng."), code="certificate_inactive")
            _log(row, UseOutcome.LOCKED, actor=actor, dossier=dossier, detail="inactive", at=at)
        elif row.locked:
            refusal = SigningRefused(
                _("Chứng thư số cá nhân đang bị khóa do nhập sai PIN nhiều lần; đề nghị quản trị viên mở khóa."),
                code="certificate_locked")
            _log(row, UseOutcome.LOCKED, actor=actor, dossier=dossier, at=at)
        elif row.revoked:
            refusal = SigningRefused(_("Chứng thư số cá nhân đã bị thu hồi; không thể ký. Hãy tải lên chứng thư mới."),
                                     code="certificate_revoked")
            _log(row, UseOutcome.REVOKED, actor=actor, dossier=dossier, detail="flag", at=at)
        elif not (row.valid_from <= at < row.valid_to):
            refusal = SigningRefused(
                _("Chứng thư số cá nhân đã hết hạn (hoặc chưa có hiệu lực) ngày %(date)s; không thể ký.")
                % {"date": timezone.localtime(row.valid_to).strftime("%d/%m/%Y")}, code="certificate_expired")
            _log(row, UseOutcome.EXPIRED, actor=actor, dossier=dossier, at=at)
        else:
            try:
                key, x509_cert, chain = _open(bytes(row.pkcs12), str(pin)[:MAX_PIN_CHARS].encode())
            except (ValueError, TypeError):
                key = None
            if key is None:
                row.failed_attempts += 1
                limit = settings.MOTCUA_SIGNING_PIN_ATTEMPTS
                fields = ["failed_attempts"]
                if row.failed_attempts >= limit:
                    row.locked, row.locked_at = True, at
                    fields += ["locked", "locked_at"]
                row.save(update_fields=fields)
                _log(row, UseOutcome.WRONG_PIN, actor=actor, dossier=dossier,
                     detail=f"{row.failed_attempts}/{limit}", at=at)
                if row.locked:
                    refusal = SigningRefused(
                        _("Sai mã PIN %(n)d lần liên tiếp: chứng thư số cá nhân đã bị khóa; đề nghị quản trị viên "
                          "mở khóa.") % {"n": row.failed_attempts}, code="certificate_locked")
                else:
                    refusal = WrongPin(_("Mã PIN không đúng (còn %(left)d lần thử trước khi chứng thư bị khóa).")
                                       % {"left": limit - row.failed_attempts})
            else:
                problem = trust_problem(x509_cert, list(chain or []), at)
                if problem == "revoked":
                    refusal = SigningRefused(
                        _("Chứng thư số cá nhân đã bị tổ chức cấp thu hồi (theo danh sách thu hồi CRL); không thể "
                          "ký."), code="certificate_revoked")
                    _log(row, UseOutcome.REVOKED, actor=actor, dossier=dossier, detail="crl", at=at)
                elif problem == "crl_stale":
                    refusal = SigningRefused(
                        _("Danh sách thu hồi chứng thư (CRL) đã quá hạn cập nhật (nextUpdate đã qua); không kiểm tra "
                          "được chứng thư số cá nhân nên chưa thể ký. Đề nghị quản trị viên cập nhật tệp CRL từ tổ "
                          "chức chứng thực."), code="crl_outdated")
                    _log(row, UseOutcome.UNTRUSTED, actor=actor, dossier=dossier, detail=problem, at=at)
                elif problem == "crl_without_ca":
                    refusal = SigningRefused(
                        _("Cấu hình ký số chưa đúng: có danh sách thu hồi (CRL) nhưng chưa cấu hình chứng thư của tổ "
                          "chức chứng thực (MOTCUA_SIGNING_PERSONAL_CA); đề nghị quản trị viên bổ sung."),
                        code="signing_misconfigured")
                    _log(row, UseOutcome.UNTRUSTED, actor=actor, dossier=dossier, detail=problem, at=at)
                elif problem:
                    refusal = SigningRefused(
                        _("Không xác nhận được chứng thư số cá nhân do tổ chức chứng thực được cấu hình cấp; không "
                          "thể ký."), code="certificate_untrusted")
                    _log(row, UseOutcome.UNTRUSTED, actor=actor, dossier=dossier, at=at)
                else:
                    if row.failed_attempts:
                        row.failed_attempts = 0
                        row.save(update_fields=["failed_attempts"])
                    result = Unlocked(certificate=row, facts=certificates.facts_of(x509_cert),
                                      signer=_signer(key, x509_cert, list(chain or [])))
    if refusal is not None:
        raise refusal
    assert result is not None
    return result


def record_signed(unlocked: Unlocked, *, actor, dossier, files: int, at: dt.datetime) -> None:
    _log(unlocked.certificate, UseOutcome.SIGNED, actor=actor, dossier=dossier,
         detail=_("%(n)d tệp") % {"n": files}, at=at)


def path_exists(path_text: str) -> bool:
    return bool(path_text) and Path(certificates.resolve_path(path_text)).is_file()
