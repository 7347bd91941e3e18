"""Signing and verification: valid, tampered, unknown signer, unsigned, broken; certificates."""

from __future__ import annotations

import datetime as dt
import io
import re
import stat

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.signing import certificates, pades
from motcua.signing.errors import CertificateUnavailable, NotSignable
from motcua.signing.models import AgencyCertificate, CertificateFormat
from motcua.signing.verify import TrustProblem, Verdict, verify_pdf

from .conftest import COMMUNE, foreign_signer, minimal_pdf, sign_request, tamper

pytestmark = pytest.mark.django_db


# --- certificates -----------------------------------------------------------------------------


def test_it_makes_development_certificates_with_the_agency_name(people, settings):
    out = io.StringIO()
    call_command("dev_certificate", agency=[COMMUNE], stdout=out)
    assert "1 mới" in out.getvalue()
    record = AgencyCertificate.objects.get(agency=people.commune)
    assert record.is_development and record.active and record.format == CertificateFormat.PKCS12
    assert f"CN={people.commune.name}" in record.subject and f"UID={COMMUNE}" in record.subject
    assert "motcua CA thử nghiệm" in record.issuer
    assert record.valid_from <= timezone.now() < record.valid_to
    assert not record.passphrase_ref.startswith("env:") and record.passphrase_ref.startswith("file:")
    # The key material is readable by its owner only; the database holds no secret.
    cert_dir = settings.MOTCUA_SIGNING_CERT_DIR
    for path in (cert_dir / record.pkcs12_path, cert_dir / record.passphrase_ref[5:], cert_dir / "dev-ca.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    passphrase = (cert_dir / record.passphrase_ref[5:]).read_text()
    assert passphrase not in str(AgencyCertificate.objects.filter(pk=record.pk).values().get())
    loaded = certificates.load(record)
    assert loaded.facts.fingerprint == record.fingerprint and loaded.facts.common_name == people.commune.name

    # A second run keeps it; --force replaces it.
    call_command("dev_certificate", agency=[COMMUNE], stdout=io.StringIO())
    assert AgencyCertificate.objects.filter(agency=people.commune).count() == 1
    call_command("dev_certificate", agency=[COMMUNE], force=True, stdout=io.StringIO())
    assert list(AgencyCertificate.objects.filter(agency=people.commune).values_list("active", flat=True)
                .order_by("id")) == [False, True]


def test_it_makes_one_for_every_agency_by_default(people):
    from motcua.agencies.models import Agency

    call_command("dev_certificate", stdout=io.StringIO())
    assert AgencyCertificate.objects.filter(active=True).count() == Agency.objects.count()
    with pytest.raises(Exception, match="000.99.99.H99"):
        call_command("dev_certificate", agency=["000.99.99.H99"], stdout=io.StringIO())


def test_it_reads_the_passphrase_from_the_environment_never_the_database(people, settings, tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    _signer, (ca, _ca_key, key, cert) = foreign_signer("Sở Tư pháp tỉnh Cà Mau")
    p12 = tmp_path / "so-tu-phap.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"stp", key, cert, [ca], serialization.BestAvailableEncryption(b"mat-khau-dung")))
    record = AgencyCertificate(agency=people.justice, pkcs12_path=str(p12), passphrase_ref="env:STP_P12_PASS")

    monkeypatch.delenv("STP_P12_PASS", raising=False)
    with pytest.raises(CertificateUnavailable, match="STP_P12_PASS"):
        certificates.inspect(record)
    monkeypatch.setenv("STP_P12_PASS", "mat-khau-sai")
    with pytest.raises(CertificateUnavailable, match="mật khẩu sai"):
        certificates.inspect(record)
    monkeypatch.setenv("STP_P12_PASS", "mat-khau-dung")
    facts = certificates.inspect(record)
    assert facts.common_name == "Sở Tư pháp tỉnh Cà Mau" and record.fingerprint == facts.fingerprint

    # PEM key + certificate, the key encrypted; the passphrase from a *_FILE variable.
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(b"khoa-pem")))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "pass.txt").write_text("khoa-pem\n")
    monkeypatch.setenv("STP_PEM_PASS_FILE", str(tmp_path / "pass.txt"))
    pem = AgencyCertificate(agency=people.justice, format=CertificateFormat.PEM, key_path=str(key_path),
                            cert_path=str(cert_path), passphrase_ref="STP_PEM_PASS")
    assert certificates.inspect(pem).fingerprint == facts.fingerprint


def test_register_certificate_checks_the_files_and_the_trust_root(people, settings, tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    _signer, (ca, _ca_key, key, cert) = foreign_signer("Sở Tư pháp tỉnh Cà Mau")
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"a", key, cert, [ca], serialization.BestAvailableEncryption(b"bi-mat")))
    monkeypatch.setenv("JUSTICE_P12_PASS", "bi-mat")
    args = ["register_certificate", "--agency", "000.00.15.H12", "--pkcs12", str(p12),
            "--passphrase-ref", "env:JUSTICE_P12_PASS"]

    # A passphrase typed in place of its reference is refused before anything uses it.
    with pytest.raises(Exception, match="không ghi chính mật khẩu"):
        call_command(*args[:-1], "bi-mat", stdout=io.StringIO())

    out = io.StringIO()
    call_command(*args, stdout=out)
    assert "CẢNH BÁO" in out.getvalue()  # its CA is not a trust root yet
    root = tmp_path / "root.pem"
    root.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(root)]
    out = io.StringIO()
    call_command(*args, "--replace", stdout=out)
    assert "thành công" in out.getvalue()
    assert list(AgencyCertificate.objects.filter(agency=people.justice).values_list("active", flat=True)
                .order_by("id")) == [False, True]


# --- signing and verifying ---------------------------------------------------------------------


def test_a_signed_weasyprint_pdf_is_valid(commune_certificate, sample_pdf):
    loaded = certificates.load(commune_certificate)
    request = sign_request()
    signed = pades.sign_pdf(sample_pdf, loaded.signer, request)
    assert signed.startswith(sample_pdf)  # an incremental update: the source bytes are kept
    result = verify_pdf(signed)
    assert result.verdict == Verdict.VALID, result
    assert result.headline == "Chữ ký hợp lệ"
    [signature] = result.signatures
    assert signature.signer == commune_certificate.agency.name
    assert signature.fingerprint == commune_certificate.fingerprint
    assert signature.signed_at == request.signed_at  # the stamp's time is the signature's
    assert signature.covers_whole_file and signature.intact and signature.trusted
    assert result.issued is None  # signed outside a dossier: not a file we issued


def test_a_minimal_pdf_signs_invisibly_too(commune_certificate):
    loaded = certificates.load(commune_certificate)
    signed = pades.sign_pdf(minimal_pdf(), loaded.signer, sign_request(stamp=None))
    assert verify_pdf(signed).verdict == Verdict.VALID
    assert re.search(rb"/Rect \[\s*0 0 0 0\s*\]", signed)  # no widget on the page


def test_the_stamp_sits_in_the_bottom_margin_unless_the_page_is_rotated(commune_certificate):
    loaded = certificates.load(commune_certificate)
    signed = pades.sign_pdf(minimal_pdf(), loaded.signer, sign_request())
    x1, y1, x2, y2 = map(float, re.search(rb"/Rect \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\s*\]", signed).groups())
    assert (x2 - x1, y2 - y1) == (pades.STAMP_WIDTH, pades.STAMP_HEIGHT)
    assert x2 <= 595 - pades.STAMP_MARGIN and y1 >= 0 and y2 <= 57  # within the 20 mm bottom margin
    rotated = pades.sign_pdf(minimal_pdf(page_extra=b"/Rotate 90 "), loaded.signer, sign_request())
    assert re.search(rb"/Rect \[\s*0 0 0 0\s*\]", rotated)
    assert verify_pdf(rotated).verdict == Verdict.VALID


def test_one_byte_changed_after_signing_is_tampered(commune_certificate, sample_pdf):
    signed = pades.sign_pdf(sample_pdf, certificates.load(commune_certificate).signer, sign_request())
    for source in (signed, pades.sign_pdf(minimal_pdf(), certificates.load(commune_certificate).signer,
                                          sign_request())):
        changed = tamper(source)
        assert sum(a != b for a, b in zip(changed, source, strict=True)) == 1
        result = verify_pdf(changed)
        assert result.verdict == Verdict.TAMPERED
        assert result.headline == "Tệp đã bị sửa sau khi ký"
        assert not result.signatures[0].intact


def test_a_later_revision_that_changes_the_document_is_tampered(commune_certificate, sample_pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = pades.sign_pdf(sample_pdf, certificates.load(commune_certificate).signer, sign_request())
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert result.verdict == Verdict.TAMPERED
    assert not result.signatures[0].covers_whole_file


def test_a_signer_from_an_unknown_ca_is_untrusted(people, commune_certificate, sample_pdf):
    signer, _material = foreign_signer()
    result = verify_pdf(pades.sign_pdf(sample_pdf, signer, sign_request()))
    assert result.verdict == Verdict.UNTRUSTED
    assert result.headline == "Người ký không thuộc danh sách tin cậy"
    assert result.signatures[0].trust_problem == TrustProblem.UNKNOWN_CA
    assert result.signatures[0].intact and result.signatures[0].signer == "Cơ quan giả mạo"


def test_the_development_ca_is_trusted_only_when_allowed(settings, commune_certificate, sample_pdf):
    signed = pades.sign_pdf(sample_pdf, certificates.load(commune_certificate).signer, sign_request())
    settings.MOTCUA_SIGNING_TRUST_DEV_CA = False
    assert verify_pdf(signed).verdict == Verdict.UNTRUSTED


def test_an_expired_certificate_of_a_file_we_issued_is_judged_at_signing_time(people, sample_pdf, monkeypatch):
    from motcua.signing import verify

    now = timezone.now()
    old = certificates.make_dev_certificate(people.commune, now=now - dt.timedelta(days=40), days=30)
    signed = pades.sign_pdf(sample_pdf, certificates.load(old).signer,
                            sign_request(signed_at=(now - dt.timedelta(days=20)).replace(microsecond=0)))
    result = verify_pdf(signed)
    assert result.verdict == Verdict.UNTRUSTED and result.signatures[0].trust_problem == TrustProblem.EXPIRED
    assert "hết hạn" in result.explanation
    issued = verify.IssuedInfo("X", "1.001193", "Đăng ký khai sinh", people.commune.name,
                               now - dt.timedelta(days=20), old.subject)
    monkeypatch.setattr(verify, "_issued", lambda digest: issued)
    result = verify_pdf(signed)
    assert result.verdict == Verdict.VALID and result.signatures[0].trusted_at_signing
    assert "hết hạn" in result.explanation


@pytest.mark.parametrize(
    ("data", "verdict"),
    [
        (b"", Verdict.NOT_PDF),
        (b"PK\x03\x04 a zip file", Verdict.NOT_PDF),
        (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", Verdict.BROKEN),
        (b"%PDF-1.7\n" + b"\x00" * 100, Verdict.BROKEN),
        (minimal_pdf(), Verdict.UNSIGNED),
    ],
)
def test_files_that_are_not_signed_pdfs(data, verdict):
    assert verify_pdf(data).verdict == verdict


def test_a_truncated_signed_file_is_not_valid(commune_certificate, sample_pdf):
    signed = pades.sign_pdf(sample_pdf, certificates.load(commune_certificate).signer, sign_request())
    assert verify_pdf(signed[:-200]).verdict in (Verdict.BROKEN, Verdict.TAMPERED)


def test_only_readable_pdfs_and_images_are_signed(commune_certificate):
    signer = certificates.load(commune_certificate).signer
    with pytest.raises(NotSignable):
        pades.sign_pdf(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", signer, sign_request())
    with pytest.raises(NotSignable):
        pades.sign_pdf(b"\x89PNG\r\n\x1a\n", signer, sign_request())
    with pytest.raises(NotSignable):
        pades.image_to_pdf(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
