"""Signing certificates: the development CA made here, the agencies' files, the trust roots.

Development (``python -m motcua dev_certificate``): one CA per installation
(``<cert dir>/dev-ca.crt`` and ``dev-ca.key``) signs one certificate per agency, written as an
encrypted PKCS#12 file with a random passphrase in a file beside it (both mode 0600), and
registered as an ``AgencyCertificate`` that points at them. They have no legal value.

Production: the agency's PKCS#12 (or PEM key + certificate) issued by a licensed CA, registered
with ``python -m motcua register_certificate`` or in the admin; the passphrase comes from an
environment variable (or a file, or a setting) named on the row, never from the database. The
CA's root goes into ``MOTCUA_SIGNING_TRUST_ROOTS`` so that verification trusts it.

Relative paths are taken from the certificate folder (``MOTCUA_SIGNING_CERT_DIR``, by default
``<data dir>/certs``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import CertificateUnavailable
from .models import AgencyCertificate, CertificateFormat

logger = logging.getLogger(__name__)

DEV_CA_CERT = "dev-ca.crt"
DEV_CA_KEY = "dev-ca.key"
DEV_FOLDER = "dev"
DEV_CA_NAME = "motcua CA thử nghiệm (không có giá trị pháp lý)"
DEV_CA_DAYS = 10 * 365
DEV_CERT_DAYS = 3 * 365
RSA_BITS = 2048

# Short names for the subject attributes shown to people.
_ATTR_NAMES = {
    NameOID.COMMON_NAME: "CN",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.COUNTRY_NAME: "C",
    NameOID.USER_ID: "UID",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.EMAIL_ADDRESS: "E",
}


# --- paths and passphrases --------------------------------------------------------------------


def cert_dir() -> Path:
    return Path(settings.MOTCUA_SIGNING_CERT_DIR)


def resolve_path(path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else cert_dir() / p


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    file = os.environ.get(f"{name}_FILE")
    if file:
        return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
    return None


def resolve_passphrase(ref: str) -> bytes | None:
    """The passphrase named by ``ref`` (env:NAME, NAME, setting:NAME, file:PATH); None if ``ref`` is empty."""
    ref = (ref or "").strip()
    if not ref:
        return None
    kind, _sep, name = ref.partition(":") if ":" in ref else ("env", ":", ref)
    try:
        if kind == "env":
            value = _env(name)
            where = _("biến môi trường %(name)s (hoặc %(name)s_FILE)") % {"name": name}
        elif kind == "setting":
            value = getattr(settings, name, None)
            where = _("cài đặt %(name)s") % {"name": name}
        elif kind == "file":
            path = resolve_path(name)
            value = path.read_text(encoding="utf-8").rstrip("\r\n") if path.is_file() else None
            where = _("tệp %(path)s") % {"path": path}
        else:
            raise CertificateUnavailable(_("Nơi lấy mật khẩu chứng thư «%(ref)s» không hợp lệ.") % {"ref": kind})
    except OSError as exc:
        raise CertificateUnavailable(_("Không đọc được mật khẩu chứng thư: %(error)s") % {"error": exc}) from exc
    if not value:
        raise CertificateUnavailable(
            _("Chưa có mật khẩu của chứng thư số: cần đặt %(where)s trên máy chủ.") % {"where": where}
        )
    return value.encode() if isinstance(value, str) else bytes(value)


# --- certificate facts -------------------------------------------------------------------------


def name_text(name: x509.Name) -> str:
    """"CN=Sở Tư pháp tỉnh Cà Mau, O=UBND tỉnh Cà Mau, C=VN": readable, Unicode kept."""
    parts = []
    order = list(_ATTR_NAMES)
    for attribute in sorted(name, key=lambda a: order.index(a.oid) if a.oid in order else len(order)):
        label = _ATTR_NAMES.get(attribute.oid, attribute.oid.dotted_string)
        value = attribute.value if isinstance(attribute.value, str) else attribute.value.hex()
        parts.append(f"{label}={value}")
    return ", ".join(parts)


def common_name(name: x509.Name) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return name_text(name)


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    common_name: str
    issuer: str
    serial_number: str
    fingerprint: str
    valid_from: dt.datetime
    valid_to: dt.datetime


def facts_of(cert: x509.Certificate | asn1_x509.Certificate) -> CertificateFacts:
    if isinstance(cert, asn1_x509.Certificate):
        cert = x509.load_der_x509_certificate(cert.dump())
    der = cert.public_bytes(serialization.Encoding.DER)
    return CertificateFacts(
        subject=name_text(cert.subject)[:500],
        common_name=common_name(cert.subject)[:500],
        issuer=name_text(cert.issuer)[:500],
        serial_number=format(cert.serial_number, "x")[:100],
        fingerprint=hashlib.sha256(der).hexdigest(),
        valid_from=cert.not_valid_before_utc,
        valid_to=cert.not_valid_after_utc,
    )


def fill_facts(record: AgencyCertificate, facts: CertificateFacts) -> None:
    record.subject = facts.subject
    record.issuer = facts.issuer
    record.serial_number = facts.serial_number
    record.fingerprint = facts.fingerprint
    record.valid_from = facts.valid_from
    record.valid_to = facts.valid_to


# --- loading a registered certificate ---------------------------------------------------------


@dataclass(frozen=True)
class Material:
    key: object
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class LoadedCertificate:
    record: AgencyCertificate
    facts: CertificateFacts
    signer: object  # pyhanko.sign.signers.SimpleSigner


def _read(path_text: str, what: str) -> bytes:
    if not path_text:
        raise CertificateUnavailable(_("Chứng thư số chưa khai báo %(what)s.") % {"what": what})
    path = resolve_path(path_text)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateUnavailable(
            _("Không đọc được %(what)s %(path)s: %(error)s") % {"what": what, "path": path, "error": exc.strerror}
        ) from exc


def _certs_from(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return list(x509.load_pem_x509_certificates(data))
    return [x509.load_der_x509_certificate(data)]


def read_material(record: AgencyCertificate) -> Material:
    """The key, certificate and chain from the record's files; CertificateUnavailable with the reason otherwise."""
    passphrase = resolve_passphrase(record.passphrase_ref)
    chain: list[x509.Certificate] = []
    try:
        if record.format == CertificateFormat.PEM:
            key_data = _read(record.key_path, _("tệp khóa"))
            loader = serialization.load_pem_private_key if b"-----BEGIN" in key_data else \
                serialization.load_der_private_key
            key = loader(key_data, password=passphrase)
            certs = _certs_from(_read(record.cert_path, _("tệp chứng thư")))
            cert, chain = certs[0], certs[1:]
        else:
            key, cert, extra = pkcs12.load_key_and_certificates(_read(record.pkcs12_path, _("tệp PKCS#12")),
                                                                 passphrase)
            chain = list(extra or [])
        if record.chain_path:
            chain += _certs_from(_read(record.chain_path, _("tệp chuỗi chứng thư")))
    except CertificateUnavailable:
        raise
    except (ValueError, TypeError) as exc:
        raise CertificateUnavailable(
            _("Không mở được chứng thư số «%(name)s»: mật khẩu sai hoặc tệp không đúng định dạng.")
            % {"name": record.label or record.pkcs12_path or record.cert_path}
        ) from exc
    if key is None or cert is None:
        raise CertificateUnavailable(_("Tệp chứng thư số không có khóa bí mật hoặc chứng thư của người ký."))
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != cert.public_key().public_bytes(*public):
        raise CertificateUnavailable(_("Khóa bí mật không khớp với chứng thư số."))
    return Material(key=key, cert=cert, chain=tuple(chain))


def _signer_of(material: Material):
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der_key = material.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    to_asn1 = lambda c: asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
    return SimpleSigner(
        signing_cert=to_asn1(material.cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in material.chain]),
    )


_cache: dict[tuple, LoadedCertificate] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 64


def _file_stamp(path_text: str) -> tuple:
    if not path_text:
        return ()
    try:
        st = resolve_path(path_text).stat()
    except OSError:
        return (path_text,)
    return (path_text, st.st_mtime_ns, st.st_size)


def load(record: AgencyCertificate) -> LoadedCertificate:
    """The record's signer, loaded once per process (again when a file changes)."""
    key = (
        record.pk, record.format, record.passphrase_ref, _file_stamp(record.pkcs12_path), _file_stamp(record.key_path),
        _file_stamp(record.cert_path), _file_stamp(record.chain_path),
    )
    with _cache_lock:
        loaded = _cache.get(key) if record.pk else None
    if loaded is not None:
        return replace(loaded, record=record)
    material = read_material(record)
    loaded = LoadedCertificate(record=record, facts=facts_of(material.cert), signer=_signer_of(material))
    if record.pk is None:
        return loaded
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = loaded
    return loaded


def inspect(record: AgencyCertificate) -> CertificateFacts:
    """Open the record's files (with its passphrase) and copy the certificate's facts onto it (not saved)."""
    facts = facts_of(read_material(record).cert)
    fill_facts(record, facts)
    return facts


def usable(agency_id: int, at: dt.datetime | None = None):
    """Active certificates of an agency valid at ``at`` (now), newest first."""
    at = at or timezone.now()
    return AgencyCertificate.objects.filter(
        agency_id=agency_id, active=True, valid_from__lte=at, valid_to__gt=at
    ).order_by("-valid_from", "-id")


# --- trust roots -------------------------------------------------------------------------------


def trust_root_paths() -> list[Path]:
    paths = [resolve_path(str(p)) for p in settings.MOTCUA_SIGNING_TRUST_ROOTS]
    if settings.MOTCUA_SIGNING_TRUST_DEV_CA:
        dev_ca = cert_dir() / DEV_CA_CERT
        if dev_ca.is_file():
            paths.append(dev_ca)
    return paths


_roots_cache: dict[tuple, list] = {}


def trust_roots() -> list[asn1_x509.Certificate]:
    """The CA certificates that verification trusts (asn1crypto objects, for pyHanko)."""
    stamps = tuple(_file_stamp(str(p)) for p in trust_root_paths())
    cached = _roots_cache.get(stamps)
    if cached is not None:
        return cached
    roots: list[asn1_x509.Certificate] = []
    for path in trust_root_paths():
        try:
            for cert in _certs_from(path.read_bytes()):
                roots.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
        except (OSError, ValueError) as exc:
            logger.error("signing: cannot read trust root %s: %s", path, exc)
    _roots_cache.clear()
    _roots_cache[stamps] = roots
    return roots


# --- development certificates ------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
    )


def ensure_dev_ca(directory: Path | None = None, *, now: dt.datetime | None = None):
    """The development CA (key, certificate), made on first use."""
    directory = directory or cert_dir()
    cert_path, key_path = directory / DEV_CA_CERT, directory / DEV_CA_KEY
    if cert_path.is_file() and key_path.is_file():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    now = now or timezone.now()
    key = _new_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEV_CA_NAME),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=DEV_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    logger.info("signing: development CA created in %s", directory)
    return key, cert


def agency_subject(agency) -> x509.Name:
    """C=VN, O=<parent agency or itself>, CN=<agency name>, UID=<unit code>."""
    organisation = agency.parent.name if agency.parent_id else agency.name
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, agency.name[:64]),
        x509.NameAttribute(NameOID.USER_ID, agency.unit_code),
    ])


def make_dev_certificate(agency, *, days: int = DEV_CERT_DAYS, now: dt.datetime | None = None) -> AgencyCertificate:
    """A development certificate for ``agency`` signed by the development CA, written and registered."""
    directory = cert_dir()
    now = now or timezone.now()
    ca_key, ca_cert = ensure_dev_ca(directory, now=now)
    key = _new_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(agency_subject(agency)).issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    passphrase = secrets.token_urlsafe(24)
    stem = f"{DEV_FOLDER}/{agency.unit_code}-{cert.serial_number:x}"[:120]
    p12 = pkcs12.serialize_key_and_certificates(
        agency.unit_code.encode(), key, cert, [ca_cert], serialization.BestAvailableEncryption(passphrase.encode())
    )
    _write_private(directory / f"{stem}.p12", p12)
    _write_private(directory / f"{stem}.pass", passphrase.encode())
    record = AgencyCertificate(
        agency=agency, label=_("Chứng thư thử nghiệm %(unit)s") % {"unit": agency.unit_code},
        format=CertificateFormat.PKCS12, pkcs12_path=f"{stem}.p12", passphrase_ref=f"file:{stem}.pass",
        is_development=True, active=True,
    )
    fill_facts(record, facts_of(cert))
    record.save()
    return record
