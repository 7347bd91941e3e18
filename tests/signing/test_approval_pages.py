"""The back office's approval section (Ký duyệt) and the personal certificate page (issue #17)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers.models import Status
from motcua.signing.models import PersonalCertificate

from .conftest import fresh
from .personal_ca import PIN
from .test_approval import _approval_dossier

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(html: str, name: str) -> dict:
    block = html[html.index(f'id="thao-tac-{name}"'):]
    return {
        f"{name}-version": re.search(rf'name="{name}-version" value="(\d+)"', block).group(1),
        f"{name}-token": re.search(rf'name="{name}-token" value="(\w+)"', block).group(1),
    }


def test_the_leader_sees_the_pages_and_signs_with_the_pin(people, commune_certificate, leader_certificate,
                                                          sample_pdf):
    d = _approval_dossier(people, sample_pdf)
    leader = _client(people.leader)
    html = leader.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert 'id="thao-tac-approve" open' in html and "Duyệt và ký số" in html and "Ký duyệt" in html
    assert 'id="thao-tac-return_to_previous"' in html and 'id="thao-tac-handover"' not in html
    assert "Mã PIN chứng thư số cá nhân" in html and 'type="password"' in html
    [image] = re.findall(r'src="(/can-bo/ho-so/[^"]+/trang-1\.png)"', html)
    page = leader.get(image)
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    assert b"".join(page.streaming_content).startswith(b"\x89PNG")
    # Someone who may not see the file gets no image.
    assert _client(people.other_officer).get(image).status_code == 404
    assert leader.get(image.replace("trang-1", "trang-99")).status_code == 404

    # A wrong PIN: the form again with the error on the PIN field (400), nothing signed.
    wrong = leader.post(f"/can-bo/ho-so/{d.code}/thao-tac/approve/", {**_form(html, "approve"), "approve-pin": "1"})
    assert wrong.status_code == 400
    text = wrong.content.decode()
    assert "Mã PIN không đúng" in text and 'aria-invalid="true"' in text and 'name="approve-pin" value' not in text
    assert fresh(d).status == Status.PROCESSING and fresh(d).current_step.approval

    right = leader.post(f"/can-bo/ho-so/{d.code}/thao-tac/approve/", {**_form(html, "approve"), "approve-pin": PIN},
                        follow=True)
    assert "Đã duyệt và ký số kết quả" in right.content.decode()
    assert fresh(d).current_step.role == "clerk"


def test_the_leader_uploads_a_personal_certificate(people, ca):
    p12, _cert = ca.issue()
    page = _client(people.leader)
    assert page.get("/can-bo/chung-thu-so-ca-nhan/").status_code == 200
    wrong = page.post("/can-bo/chung-thu-so-ca-nhan/", {
        "file": SimpleUploadedFile("ld.p12", p12, "application/x-pkcs12"), "password": "sai"})
    assert wrong.status_code == 400 and "Mật khẩu không đúng" in wrong.content.decode()
    odd = page.post("/can-bo/chung-thu-so-ca-nhan/", {
        "file": SimpleUploadedFile("ld.txt", b"abc", "text/plain"), "password": PIN})
    assert odd.status_code == 400 and "Chỉ nhận tệp .p12 hoặc .pfx" in odd.content.decode()
    assert not PersonalCertificate.objects.exists()
    done = page.post("/can-bo/chung-thu-so-ca-nhan/", {
        "file": SimpleUploadedFile("ld.p12", p12, "application/x-pkcs12"), "password": PIN}, follow=True)
    html = done.content.decode()
    assert "Nguyễn Văn Lãnh" in html and "CA chứng thư cá nhân thử nghiệm" in html and "Sẵn sàng ký" in html
    assert PIN not in html
    page.post("/can-bo/chung-thu-so-ca-nhan/ngung-dung/")
    assert not PersonalCertificate.objects.filter(active=True).exists()
