"""Fixtures for the submission wizard: the sample catalogue with the demo e-forms, citizens with a
profile, signed-in clients, small real files, and helpers that walk the wizard's steps."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib

import pytest

PASSWORD = "motcua-test-pw-2026"
BIRTH = "1.001193"  # level 4, one case, components: form (auto), birth certificate (required), mandate
CRIMINAL_RECORD = "2.000488"  # level 4, received at the service centre
CERTIFICATION = "2.000815"  # level 2: no online submission
COMPLAINT = "2.002234"  # level 1

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80" for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = _png()
DOCX = b"PK\x03\x04" + b"\x00" * 60  # a Word file: refused by content


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eforms(catalog):
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    return catalog


def make_citizen(username: str, **profile):
    from motcua.accounts.models import User

    values = {
        "full_name": "Nguyễn Văn An", "id_number": "096090001234", "date_of_birth": dt.date(1990, 5, 17),
        "address": "Khóm 2, Phường Tân Thành, tỉnh Cà Mau", "phone": "0912345678", "email": "an@example.invalid",
    }
    values.update(profile)
    return User.objects.create_user(username, password=PASSWORD, **values)


@pytest.fixture
def citizen(eforms):
    return make_citizen("congdan1")


@pytest.fixture
def citizen2(eforms):
    return make_citizen("congdan2", full_name="Trần Thị Bình", id_number="096190004321")


@pytest.fixture
def web(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def web2(citizen2):
    from django.test import Client

    other = Client()
    other.force_login(citizen2)
    return other


def version_of(code: str):
    from motcua.catalog.models import Procedure

    return Procedure.objects.get(code=code).published


def component(code: str, startswith: str):
    return version_of(code).components.get(name__startswith=startswith)


def upload_file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


BIRTH_ANSWERS = {
    "f-requester_name": "Nguyễn Văn An", "f-requester_id_number": "096090001234",
    "f-requester_address-province": "96", "f-requester_address-commune": "32025",
    "f-requester_address-detail": "Khóm 2", "f-requester_phone": "0912345678",
    "f-requester_email": "an@example.invalid", "f-relationship": "cha",
    "f-child_name": "Nguyễn Ngọc Hân", "f-child_dob": "2026-03-01", "f-child_gender": "nu",
    "f-child_ethnicity": "Kinh", "f-child_nationality": "Việt Nam", "f-birth_place_kind": "co_so_y_te",
    "f-birth_facility": "Bệnh viện Sản Nhi Cà Mau", "f-birth_place-province": "96",
    "f-birth_place-commune": "32002", "f-birth_place-detail": "", "f-hometown": "Cà Mau",
    "f-mother_name": "Trần Thị Mai", "f-mother_birth_year": "1995", "f-mother_id_number": "096195001111",
    "f-mother_ethnicity": "Kinh", "f-mother_nationality": "Việt Nam", "f-mother_address-province": "96",
    "f-mother_address-commune": "32025", "f-mother_address-detail": "Khóm 2",
    "f-has_father": "yes", "f-father_name": "Nguyễn Văn An", "f-father_birth_year": "1990",
    "f-father_id_number": "096090001234", "f-father_ethnicity": "Kinh", "f-father_nationality": "Việt Nam",
    "f-father_address-province": "96", "f-father_address-commune": "32025", "f-father_address-detail": "Khóm 2",
    "f-want_copies": "yes", "f-copies": "2",
}


def start_draft(client, code: str = BIRTH):
    """POST the start page: the new draft and the URL it redirected to."""
    from motcua.submissions.models import Draft

    response = client.post(f"/nop-ho-so/{code}/")
    assert response.status_code == 302, response.content[:500]
    draft = Draft.objects.order_by("-created_at").first()
    return draft, response["Location"]


def xhr_upload(client, draft, comp, name: str, content: bytes, **extra):
    data = {"component": str(comp.pk), "size": str(len(content)), "file": upload_file(name, content)}
    data.update(extra)
    return client.post(f"/nop-ho-so/nhap/{draft.pk}/giay-to/tai-len/", data,
                       headers={"X-Requested-With": "XMLHttpRequest"})


def submit_key(client, draft) -> str:
    page = client.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    match = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert match, page[:3000]
    return match[1]


def ready_birth_draft(client):
    """A birth-registration draft with the e-form filled and two files uploaded."""
    draft, _url = start_draft(client)
    # One page to fill: the page's script uploads each file as it is picked, then the whole page is sent.
    assert xhr_upload(client, draft, component(BIRTH, "Giấy chứng sinh"), "giay-chung-sinh.pdf", PDF).status_code == 201
    assert xhr_upload(client, draft, component(BIRTH, "Văn bản ủy quyền"), "uy-quyen.png", PNG).status_code == 201
    response = client.post(f"/nop-ho-so/nhap/{draft.pk}/to-khai/", {**BIRTH_ANSWERS, "_fill": "page", "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return draft


def pdf_text(pdf: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    if not tool:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is not installed")
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return " ".join(unicodedata.normalize("NFC", out.stdout.decode()).split())


def submit(client, draft, **extra):
    """POST the review page with its one-time key and the ticked pledge."""
    data = {"submit_key": submit_key(client, draft), "confirm": "yes", **extra}
    return client.post(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/", data)
