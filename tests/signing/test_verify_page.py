"""The public verify page /xac-thuc/: upload a PDF, or a dossier code with its tracking key."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.signing import certificates, pades

from .conftest import completed_dossier, foreign_signer, minimal_pdf, sign_request, tamper

pytestmark = pytest.mark.django_db

URL = "/xac-thuc/"


def upload(client, data: bytes, name: str = "ket-qua.pdf"):
    return client.post(URL, {"mode": "file", "tep": SimpleUploadedFile(name, data, "application/pdf")})


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def issued(people, commune_certificate, sample_pdf):
    """A completed birth registration whose result was signed: (dossier, signed bytes)."""
    from django.core.files.storage import default_storage

    from motcua.signing.models import SignedResult

    d = completed_dossier(people, sample_pdf).dossier
    record = SignedResult.objects.select_related("signed_file").get(dossier=d)
    with default_storage.open(record.signed_file.storage_key, "rb") as handle:
        return d, handle.read()


def test_the_page_offers_both_checks(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "Xác thực kết quả điện tử" in body
    assert 'enctype="multipart/form-data"' in body and 'name="tep"' in body and 'name="ma"' in body
    assert body.count("csrfmiddlewaretoken") == 2
    assert 'for="verify-file"' in body and 'for="verify-code"' in body and 'for="verify-key"' in body
    assert response["X-Robots-Tag"] == "noindex"


def test_a_file_we_issued_is_valid_and_named(client, issued):
    d, signed = issued
    response = upload(client, signed, "giay-khai-sinh-ky-so.pdf")
    assert response.status_code == 200
    body = text(response)
    assert "Chữ ký hợp lệ" in body
    assert f"Tệp này do {d.agency.name} cấp cho hồ sơ {d.code}." in body
    assert "1.001193" in body and d.procedure_version.name in body
    assert d.applicant_name not in body and d.applicant_id_number not in body  # no personal data
    assert "giay-khai-sinh-ky-so.pdf" in body


def test_a_tampered_file(client, issued):
    _d, signed = issued
    response = upload(client, tamper(signed))
    assert response.status_code == 200
    body = text(response)
    assert "Tệp đã bị sửa sau khi ký" in body and "Tệp này do" not in body


def test_a_signer_nobody_trusts(client, commune_certificate, sample_pdf):
    signer, _material = foreign_signer()
    response = upload(client, pades.sign_pdf(sample_pdf, signer, sign_request()))
    assert response.status_code == 200
    body = text(response)
    assert "Người ký không thuộc danh sách tin cậy" in body and "Cơ quan giả mạo" in body
    assert "Hệ thống không có bản ghi đã cấp đúng tệp này" in body


def test_a_valid_signature_on_a_file_we_did_not_issue(client, commune_certificate):
    signed = pades.sign_pdf(minimal_pdf(), certificates.load(commune_certificate).signer, sign_request())
    body = text(upload(client, signed))
    assert "Chữ ký hợp lệ" in body and "Hệ thống không có bản ghi đã cấp đúng tệp này" in body


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (b"\xff\xd8\xff\xe0 a photo", "anh.pdf", 400, "Tệp «anh.pdf» không phải PDF"),
        (b"<html>not a pdf</html>", "trang.html", 400, "không phải PDF"),
        (b"", "rong.pdf", 400, "rỗng"),
        (b"%PDF-1.7\n" + b"\x00" * 64, "hong.pdf", 200, "Không đọc được tệp PDF"),
        (minimal_pdf(), "chua-ky.pdf", 200, "Tệp không có chữ ký số"),
    ],
)
def test_files_that_cannot_be_verified_get_a_clear_message(client, data, name, status, message):
    response = upload(client, data, name)
    assert response.status_code == status
    assert message in text(response)


def test_no_file_chosen(client):
    response = client.post(URL, {"mode": "file"})
    assert response.status_code == 400
    assert "Chưa chọn tệp" in text(response)


def test_a_file_over_the_limit_is_refused_without_reading_it_all(client, settings, sample_pdf):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 4096
    response = upload(client, b"%PDF-1.7\n" + b"0" * 200_000)
    assert response.status_code == 413
    body = text(response)
    assert "Tệp lớn hơn giới hạn 0.00390625 MB" in body
    assert 'aria-invalid="true"' in body
    # Up to the limit is fine.
    settings.MOTCUA_MAX_UPLOAD_BYTES = len(sample_pdf)
    assert upload(client, sample_pdf).status_code == 200


def test_the_post_is_csrf_protected(issued):
    _d, signed = issued
    strict = Client(enforce_csrf_checks=True)
    assert upload(strict, signed).status_code == 403
    page = strict.get(URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = strict.post(URL, {"csrfmiddlewaretoken": token, "mode": "file",
                                 "tep": SimpleUploadedFile("kq.pdf", signed, "application/pdf")})
    assert response.status_code == 200 and "Chữ ký hợp lệ" in text(response)


def test_by_code_and_tracking_key(client, issued):
    from motcua.signing.models import SignedResult

    d, _signed = issued
    record = SignedResult.objects.get(dossier=d)
    response = client.post(URL, {"mode": "code", "ma": d.code.lower(), "key": d.tracking_key})
    assert response.status_code == 200
    body = text(response)
    assert f'Kết quả điện tử của hồ sơ <span class="code">{d.code}</span>' in body and record.signed_sha256 in body
    assert "Kết quả số 1" in body and d.applicant_name not in body


def test_a_wrong_key_looks_exactly_like_an_unknown_code(client, issued):
    d, _signed = issued
    unknown_code = d.code[:-4] + "9999"

    def page(code, key):
        response = client.post(URL, {"mode": "code", "ma": code, "key": key})
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return response.status_code, body.replace(code, "<CODE>")

    wrong_key = page(d.code, "ZZZZZZ")
    assert wrong_key == page(unknown_code, "ZZZZZZ")
    assert wrong_key[0] == 404 and "Không tìm thấy hồ sơ" in wrong_key[1]
    assert page(d.code, "")[0] == 400


def test_guessing_keys_is_limited_like_tracking(client, issued, settings):
    """It tested keys without any limit; now the tracking pages' limiter and counters apply."""
    settings.MOTCUA_TRACK_FAILURES_PER_IP = 5
    d, _signed = issued
    for i in range(5):
        assert client.post(URL, {"mode": "code", "ma": d.code, "key": f"ZZZZZ{i}"}).status_code == 404
    response = client.post(URL, {"mode": "code", "ma": d.code, "key": d.tracking_key})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "quá nhiều lần" in text(response) and "Vui lòng thử lại sau" in text(response)
    # The same address is stopped on the tracking page too: one budget for both doors.
    assert client.get(f"/tra-cuu/{d.code}?key={d.tracking_key}").status_code == 429


def test_other_methods_are_refused(client):
    assert client.put(URL).status_code == 405


def test_a_pdf_too_costly_to_read_gets_an_answer_not_a_stuck_page(client, settings):
    """The public page took 13 s of a server's CPU for one hostile 20 MB file; the reading now runs in
    a child stopped at MOTCUA_PDF_CHECK_CPU_SECONDS, and the person is told what to do."""
    from tests.dossiers.test_pdf_bounds import with_xref

    settings.MOTCUA_PDF_CHECK_CPU_SECONDS = 1
    settings.MOTCUA_PDF_MAX_OBJECTS = 10_000_000  # let the parser meet it: the CPU limit stops it
    settings.MOTCUA_MAX_UPLOAD_MB = 40
    settings.MOTCUA_MAX_UPLOAD_BYTES = 40 * 1024 * 1024
    response = upload(client, with_xref(1_000_000))
    assert response.status_code == 200
    assert "quá phức tạp để kiểm tra" in text(response) and "tải lại tệp gốc" in text(response)
