"""Fixtures for signed results: certificate folders, sample PDFs, a foreign CA, a completed dossier."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from tests.dossiers import conftest as _dossiers

# The dossier fixtures (sample province, staff with roles) and helpers, shared with tests/dossiers.
people = _dossiers.people
_fast_settings = _dossiers._fast_settings
at, counter_dossier, fresh = _dossiers.at, _dossiers.counter_dossier, _dossiers.fresh

COMMUNE = "000.21.01.H12"  # Tân Thành ward: receives and handles the birth registration (BIRTH)


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path):
    settings.MOTCUA_SIGNING_CERT_DIR = tmp_path / "certs"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    settings.MOTCUA_SIGNING_TRUST_DEV_CA = True
    settings.MOTCUA_SIGNING_VISIBLE = True
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.invalid"


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """A one-page result made with WeasyPrint (Vietnamese text, embedded fonts)."""
    import weasyprint

    html = "<h1>Giấy khai sinh</h1><p>Họ và tên: Nguyễn Văn Bình. Ngày sinh: 01/03/2026.</p>"
    return weasyprint.HTML(string=html).write_pdf()


def minimal_pdf(text: str = "Ket qua", page_extra: bytes = b"") -> bytes:
    """A hand-made one-page PDF with a correct cross-reference table."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def tamper(signed: bytes) -> bytes:
    """Flip one byte in the middle of a stream of the original document (covered by the signature)."""
    first_range_end = int(re.search(rb"/ByteRange\s*\[\s*\d+\s+(\d+)", signed).group(1))
    for match in re.finditer(rb"<<(?:(?!>>\s*stream).)*?/Length (\d+)(?:(?!stream).)*?>>\s*stream\r?\n", signed,
                             re.S):
        header = match.group(0)
        start, length = match.end(), int(match.group(1))
        if b"/ObjStm" in header or b"/XRef" in header or start + length >= first_range_end or length < 8:
            continue
        position = start + length // 2
        changed = bytearray(signed)
        changed[position] ^= 0x01
        return bytes(changed)
    raise AssertionError("no stream to tamper with")


def foreign_signer(common_name: str = "Cơ quan giả mạo"):
    """A pyHanko signer whose certificate comes from a CA nobody trusts here."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    from pyhanko.sign.signers import SimpleSigner

    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA không rõ nguồn gốc")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(b"x", key, cert, [ca], serialization.NoEncryption())
    return SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=None), (ca, ca_key, key, cert)


def sign_request(**overrides):
    from django.utils import timezone

    from motcua.signing import pades

    values = {
        "signed_at": timezone.now().replace(microsecond=0), "reason": "Kết quả giải quyết TTHC",
        "location": "Phường Tân Thành, Cà Mau", "name": "Ủy ban nhân dân phường Tân Thành",
        "stamp": pades.StampText("Ủy ban nhân dân phường Tân Thành", ("Mã hồ sơ: 000.21.01.H12-260309-0001",)),
    }
    values.update(overrides)
    return pades.SignatureRequest(**values)


@pytest.fixture
def commune_certificate(people):
    """A development certificate for the ward (and the development CA, trusted)."""
    from motcua.signing import certificates

    return certificates.make_dev_certificate(people.commune)


def completed_dossier(people, result: bytes, name: str = "giay-khai-sinh.pdf"):
    """A birth registration taken through its workflow with `result` as its result file, then completed."""
    from motcua.dossiers import actions

    d = counter_dossier(people)
    for actor in (people.receptionist, people.officer, people.leader):
        actions.handover(fresh(d), actor=actor, at=at(9, 10))
    actions.add_file(fresh(d), actor=people.clerk, upload=io.BytesIO(result), name=name, kind="result",
                     at=at(9, 10, 30))
    return actions.complete(fresh(d), actor=people.clerk, at=at(9, 11))


# --- personal certificates (issue #17) --------------------------------------------------------------


@pytest.fixture
def ca(tmp_path, settings):
    """A test CA for leaders' certificates, with an empty CRL, configured and trusted."""
    from .personal_ca import make_ca

    authority = make_ca(tmp_path / "personal-ca")
    settings.MOTCUA_SIGNING_PERSONAL_CA = [str(authority.cert_path)]
    settings.MOTCUA_SIGNING_PERSONAL_CRL = str(authority.write_crl())
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(authority.cert_path)]
    return authority


@pytest.fixture
def leader_certificate(people, ca):
    """The commune leader's personal certificate, uploaded (PIN: personal_ca.PIN)."""
    from motcua.signing import personal

    from .personal_ca import PIN

    p12, _cert = ca.issue()
    return personal.upload(people.leader, p12, name="lanh-dao.p12", password=PIN)
