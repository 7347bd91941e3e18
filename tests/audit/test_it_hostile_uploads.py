"""Hostile uploads through the real entry points: the API, the citizen's supplement page, the online
submission wizard and the counter. Each is refused with a Vietnamese message naming the file, nothing
is stored, and nothing answers 500. Files that are kept are served as attachments with nosniff."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.api.auth import issue_token
from motcua.dossiers import actions, files
from motcua.dossiers.errors import FileRefused
from motcua.dossiers.models import Dossier, DossierFile, Status
from tests.backoffice.conftest import BIRTH, PDF, PNG, counter_dossier, fresh, online_dossier, version_of

from .hostile import (
    EICAR,
    POLYGLOT,
    POLYGLOT_DEEP,
    FakeClamd,
    pdf_lying_about_pages,
    pdf_with_pages,
    png_header,
    zip_bomb,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clamd():
    server = FakeClamd()
    yield server
    server.close()


# (id, file name, content, settings, fragments one of which the message holds)
CASES = [
    ("wrong-magic", "giay-to.pdf", b"MZ\x90\x00 this is an .exe", {}, ["không phải PDF", "chỉ nhận tệp"]),
    ("html-named-pdf", "to-khai.pdf", b"<!DOCTYPE html><script>alert(1)</script>", {},
     ["không phải PDF", "chỉ nhận tệp"]),
    ("oversize", "ban-quet.pdf", PDF + b"0" * 8192, {"MOTCUA_MAX_UPLOAD_BYTES": 4096}, ["lớn hơn giới hạn"]),
    ("zip-bomb", "to-khai.pdf", zip_bomb(20), {}, ["không phải PDF", "chỉ nhận tệp"]),
    ("polyglot", "to-khai.pdf", POLYGLOT, {}, ["chứa mã HTML hoặc mã lệnh"]),
    ("polyglot-deep", "to-khai.pdf", POLYGLOT_DEEP, {}, ["chứa mã HTML hoặc mã lệnh"]),
    ("too-many-pages", "day.pdf", pdf_with_pages(6), {"MOTCUA_MAX_PDF_PAGES": 5}, ["6 trang", "giới hạn 5 trang"]),
    ("lying-page-tree", "day.pdf", pdf_lying_about_pages(7), {"MOTCUA_MAX_PDF_PAGES": 5}, ["7 trang"]),
    ("image-bomb", "anh.png", png_header(100_000, 100_000), {}, ["triệu điểm ảnh"]),
    ("huge-image", "anh.png", png_header(9_000, 6_000), {"MOTCUA_MAX_IMAGE_PIXELS": 50_000_000},
     ["tối đa 50 triệu điểm ảnh"]),
    ("virus", "to-khai.pdf", PDF + EICAR, {"MOTCUA_CLAMD": "fake"}, ["có mã độc (Eicar-Test-Signature)"]),
]


def _setup(settings, overrides, clamd):
    for key, value in overrides.items():
        setattr(settings, key, clamd.address if value == "fake" else value)


def _component(dossier, extension: str):
    """A component of the dossier's version that accepts the extension (or any type)."""
    for component in dossier.procedure_version.components.order_by("order", "id"):
        allowed = files.accepted_extensions(component.accepted_types)
        if not allowed or extension in allowed:
            return component
    raise AssertionError(f"no component accepts {extension}")


def _number(dossier, component) -> int:
    """The API names components by their 1-based position in the procedure version."""
    return list(dossier.procedure_version.components.order_by("order", "id")).index(component) + 1


def _ext(name: str) -> str:
    return "png" if name.endswith(".png") else "pdf"


@pytest.mark.parametrize(("case", "name", "content", "overrides", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_the_api_refuses(people, client, settings, clamd, case, name, content, overrides, fragments):
    _setup(settings, overrides, clamd)
    dossier = online_dossier(people)
    token, _row = issue_token(people.citizen)
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/files",
        {"component": _number(dossier, _component(dossier, _ext(name))), "file": SimpleUploadedFile(name, content)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert 400 <= response.status_code < 500, response.content[:500]
    error = response.json()["error"]
    assert error["code"].startswith("file_") and f"«{name}»" in error["message"]
    assert any(f in error["message"] for f in fragments), error["message"]
    assert not DossierFile.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize(("case", "name", "content", "overrides", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_the_supplement_page_refuses(people, login, settings, clamd, case, name, content, overrides, fragments):
    _setup(settings, overrides, clamd)
    dossier = online_dossier(people)
    actions.receive(dossier, actor=people.receptionist)
    actions.request_supplement(fresh(dossier), actor=people.receptionist, missing=["Giấy chứng sinh"])
    dossier = fresh(dossier)
    response = login(people.citizen).post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/",
                                          {"version": dossier.version, "note": "Bổ sung giấy chứng sinh",
                                           "tep-1": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"«{name}»" in text and any(f in text for f in fragments)
    assert "Bổ sung giấy chứng sinh" in text  # the note typed is kept
    assert not DossierFile.objects.filter(dossier=dossier).exists()
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


@pytest.fixture
def wizard(eforms):
    from django.test import Client

    from tests.submissions.conftest import make_citizen

    c = Client()
    c.force_login(make_citizen("congdan_nop"))
    return c


@pytest.mark.parametrize(("case", "name", "content", "overrides", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_the_submission_wizard_refuses(wizard, settings, clamd, tmp_path, case, name, content, overrides,
                                       fragments):
    from motcua.submissions.models import DraftFile
    from tests.submissions.conftest import start_draft, xhr_upload

    settings.MEDIA_ROOT = tmp_path / "media"
    _setup(settings, overrides, clamd)
    draft, _url = start_draft(wizard)
    from tests.submissions.conftest import component as component_named

    component = component_named(BIRTH, "Văn bản ủy quyền" if _ext(name) == "png" else "Giấy chứng sinh")
    response = xhr_upload(wizard, draft, component, name, content)
    assert 400 <= response.status_code < 500
    message = response.json()["error"]
    assert f"«{name}»" in message and any(f in message for f in fragments), message
    assert not DraftFile.objects.filter(draft=draft).exists()
    assert not (tmp_path / "media" / "drafts").exists() or not any((tmp_path / "media" / "drafts").rglob("*.*"))


def _counter_data(**overrides) -> dict:
    data = {
        "token": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "applicant_kind": "person", "name": "Nguyễn Văn An",
        "id_number": "096090001234", "phone": "0912345678", "email": "an@example.invalid",
        "address": "Phường Tân Thành, Cà Mau", "delivery": "counter", "missing_extra": "", "refuse_reason": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("case", "name", "content", "overrides", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_the_counter_refuses(people, login, settings, clamd, case, name, content, overrides, fragments):
    """The counter re-renders its form with the message (status 200 by the back office's convention;
    see the report) and keeps what was typed; no dossier is made."""
    _setup(settings, overrides, clamd)
    comps = list(version_of(BIRTH).components.order_by("order", "id"))
    target = next(c for c in comps if not files.accepted_extensions(c.accepted_types)
                  or _ext(name) in files.accepted_extensions(c.accepted_types))
    data = _counter_data(outcome="receive", present=[c.pk for c in comps])
    data[f"files-{target.pk}"] = SimpleUploadedFile(name, content)
    response = login(people.receptionist).post(f"/can-bo/tiep-nhan/{BIRTH}/", data)
    assert response.status_code in (200, 400)
    text = response.content.decode()
    assert f"«{name}»" in text and any(f in text for f in fragments)
    assert 'value="Nguyễn Văn An"' in text
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


# --- names, storage, serving ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("/var/lib/motcua/media/dossiers/x.pdf", "x.pdf"),
    ("to\x00khai.pdf", "tokhai.pdf"),
    ("gi\u202eâý-tờ\u202c.pdf", "giâý-tờ.pdf"),  # a right-to-left override cannot disguise the extension
    ("a" * 1000 + ".pdf", "a" * 251 + ".pdf"),
    ("", "tep-khong-ten"),
])
def test_file_names_are_cleaned_for_display_and_never_used_as_paths(settings, tmp_path, raw, shown):
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = files.check_and_store(io.BytesIO(PDF), raw)
    assert stored.original_name == shown
    assert re.fullmatch(r"dossiers/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", stored.storage_key)
    written = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert len(written) == 1 and written[0].resolve().is_relative_to((tmp_path / "media").resolve())


def test_a_path_like_name_through_the_api_is_kept_only_for_display(people, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier = online_dossier(people)
    token, _row = issue_token(people.citizen)
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/files",
        {"component": _number(dossier, _component(dossier, "pdf")),
         "file": SimpleUploadedFile("../../../etc/passwd.pdf", PDF)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    row = DossierFile.objects.get(dossier=dossier)
    assert row.original_name == "passwd.pdf" and ".." not in row.storage_key and "passwd" not in row.storage_key


def test_clean_files_pass_the_scanner_and_a_dead_scanner_refuses_for_now(settings, tmp_path, clamd):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_CLAMD = clamd.address
    files.check_and_store(io.BytesIO(PDF), "sach.pdf")
    assert clamd.received and clamd.received[-1] == PDF  # the whole file went through INSTREAM
    with pytest.raises(FileRefused, match="mã độc"):
        files.check_and_store(io.BytesIO(PDF + EICAR), "virus.pdf")
    settings.MOTCUA_CLAMD = "127.0.0.1:1"  # nothing listens there
    with pytest.raises(FileRefused, match="thử lại sau") as refused:
        files.check_and_store(io.BytesIO(PDF), "sach.pdf")
    assert refused.value.code == "file_scan_unavailable"


def test_the_scanner_is_off_by_default(settings, tmp_path, clamd):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert not settings.MOTCUA_CLAMD
    files.check_and_store(io.BytesIO(PDF + EICAR), "eicar.pdf")
    assert clamd.received == []


def test_a_zip_bomb_form_template_is_recognised(tmp_path):
    assert files.zip_problem(io.BytesIO(zip_bomb(20)), "mau.docx") is not None
    small = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>Tờ khai</w:document>")
    assert files.zip_problem(small, "mau.docx") is None
    assert "không phải tệp nén" in files.zip_problem(io.BytesIO(b"PK\x03\x04broken"), "mau.docx")


def test_ordinary_files_still_pass(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert files.upload_problem(io.BytesIO(PDF), "a.pdf", None) is None
    assert files.upload_problem(io.BytesIO(PNG), "a.png", None) is None
    assert files.upload_problem(io.BytesIO(pdf_with_pages(300)), "a.pdf", None) is None
    assert files.pdf_page_count(io.BytesIO(pdf_with_pages(12))) == 12


def test_kept_files_are_served_as_attachments_with_nosniff(people, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier = counter_dossier(people)
    row = actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name="<b>x</b>.pdf",
                           component=_component(dossier, "pdf")).file
    for response in (
        login(people.receptionist).get(f"/can-bo/ho-so/{dossier.code}/tep/{row.pk}/"),
    ):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert "sandbox" in response["Content-Security-Policy"]
