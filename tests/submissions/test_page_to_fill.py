"""The one page to fill (issue #18): the start address is that page when there is no draft to
resume (a GET makes no draft; the first save does), each section is saved as it is left without
touching the others, sign-in returns to it, and the review shows the application as page images."""

from __future__ import annotations

import re
import shutil

import pytest

from motcua.submissions import services
from motcua.submissions.models import Draft

from .conftest import BIRTH, BIRTH_ANSWERS, CRIMINAL_RECORD, PASSWORD, ready_birth_draft, start_draft

XHR = {"X-Requested-With": "XMLHttpRequest"}
PART_1 = "I. Người yêu cầu"
PART_3 = "III. Thông tin người mẹ"


def test_a_get_of_the_start_address_makes_no_draft_even_for_a_crawler(web, eforms):
    from django.test import Client

    for _ in range(2):
        response = web.get(f"/nop-ho-so/{BIRTH}/")
        assert response.status_code == 200 and "Phần 1/6" in response.content.decode()
    assert web.head(f"/nop-ho-so/{BIRTH}/").status_code == 200
    assert Client().get(f"/nop-ho-so/{BIRTH}/").status_code == 302  # signed out: to the sign-in page
    assert not Draft.objects.exists()


def test_the_first_section_saved_makes_the_draft_and_answers_its_address(web, citizen):
    response = web.post(f"/nop-ho-so/{BIRTH}/", {"_fill": "1", "_section_kind": "form", "_section": PART_1,
                                                 "f-requester_name": "Nguyễn Văn An", "f-relationship": "me"},
                        headers=XHR)
    assert response.status_code == 200, response.content[:500]
    draft = Draft.objects.get(owner=citizen)
    body = response.json()
    assert body["form_url"] == f"/nop-ho-so/nhap/{draft.pk}/to-khai/"
    assert body["upload_url"] == f"/nop-ho-so/nhap/{draft.pk}/giay-to/tai-len/"
    assert draft.form_data["requester_name"] == "Nguyễn Văn An" and draft.form_data["relationship"] == "me"
    assert set(draft.form_data) == set(services.section_keys(services.spec_for(draft).schema, PART_1))
    # With a draft to resume, the start address offers it (and a new one) instead.
    page = web.get(f"/nop-ho-so/{BIRTH}/").content.decode()
    assert f"/nop-ho-so/nhap/{draft.pk}/" in page and "Tạo hồ sơ mới" in page
    # The mother's part, never opened, is prefilled because the requester is the mother.
    form = web.get(body["form_url"]).content.decode()
    assert 'id="id-f-mother_name" value="Nguyễn Văn An"' in form


def test_a_section_save_keeps_the_other_sections(web):
    draft, url = start_draft(web)
    services.save_form(draft, {"child_name": "Nguyễn Ngọc Hân", "mother_name": "Trần Thị Mai"})
    # A page open since before (its part 3 still empty) saves part 1: part 3 is not wiped.
    response = web.post(url, {"_fill": "1", "_section_kind": "form", "_section": PART_1,
                              "f-requester_name": "Nguyễn Văn An", "f-mother_name": ""}, headers=XHR)
    assert response.status_code == 200 and response.json()["saved"] is True
    draft.refresh_from_db()
    assert draft.form_data["mother_name"] == "Trần Thị Mai" and draft.form_data["child_name"] == "Nguyễn Ngọc Hân"
    assert draft.form_data["requester_name"] == "Nguyễn Văn An"
    web.post(url, {"_fill": "1", "_section_kind": "form", "_section": PART_3, "f-mother_name": "Trần Thị Mơ",
                   "f-mother_address-same": "1"}, headers=XHR)
    draft.refresh_from_db()
    assert draft.form_data["mother_name"] == "Trần Thị Mơ" and draft.form_data["mother_address"]["same"] == "1"
    assert draft.form_data["requester_name"] == "Nguyễn Văn An"


def test_save_section_rule(web):
    draft, _url = start_draft(web)
    schema = services.spec_for(draft).schema
    services.save_form(draft, {"child_name": "Hân", "requester_name": "An"})
    assert services.save_section(draft, schema, "Không có phần này", {"child_name": "X"}) == []
    keys = services.save_section(draft, schema, PART_3, {"mother_name": "Mai", "child_name": "X"})
    assert keys[0] == "mother_name" and "child_name" not in keys
    draft.refresh_from_db()
    assert draft.form_data == {"child_name": "Hân", "requester_name": "An", "mother_name": "Mai"}
    assert draft.submit_key == ""  # a change forgets the review page's key


def test_a_section_save_of_another_citizens_draft_is_not_found(web, web2):
    draft, url = start_draft(web)
    response = web2.post(url, {"_fill": "1", "_section_kind": "form", "_section": PART_1,
                               "f-requester_name": "X"}, headers=XHR)
    assert response.status_code == 404
    draft.refresh_from_db()
    assert "requester_name" not in draft.form_data


def test_the_fee_and_delivery_sections_save_too(web):
    draft, url = start_draft(web, CRIMINAL_RECORD)
    case = {"_fill": "1", "_section_kind": "case", "_section": ""}
    response = web.post(url, {**case, "kind": "Sinh viên, người có công"}, headers=XHR)
    assert response.status_code == 200 and response.json()["error"] == ""
    response = web.post(url, {**case, "kind": "Hưu trí"}, headers=XHR)
    assert response.status_code == 400  # the page's script shows a 4xx answer's `error`
    assert "không thuộc các đối tượng được giảm phí" in response.json()["error"]  # refused, with the reason
    files = {"_fill": "1", "_section_kind": "files", "_section": ""}
    web.post(url, {**files, "delivery": "post", "delivery_address": " Số 5 "}, headers=XHR)
    web.post(url, {**files, "delivery": "drone"}, headers=XHR)  # not an option
    draft.refresh_from_db()
    assert draft.fee_inputs == {"kind": "Sinh viên, người có công"}
    assert (draft.delivery, draft.delivery_address) == ("post", "")  # kept the choice; the address was cleared
    assert services.delivery_problem(draft) == "Hãy ghi địa chỉ nhận kết quả qua bưu chính."


def test_the_page_without_script_sends_everything_at_once_files_too(web, citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PDF, component

    cert = component(BIRTH, "Giấy chứng sinh")
    response = web.post(f"/nop-ho-so/{BIRTH}/", {
        **BIRTH_ANSWERS, "_fill": "page", "_continue": "1", "delivery": "counter",
        f"files-{cert.pk}": SimpleUploadedFile("giay-chung-sinh.pdf", PDF),
    })
    draft = Draft.objects.get(owner=citizen)
    assert response.status_code == 302 and response["Location"] == f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"
    assert draft.files.get().original_name == "giay-chung-sinh.pdf" and draft.delivery == "counter"


def test_signing_in_returns_to_the_page_to_fill(client, citizen):
    response = client.get(f"/nop-ho-so/{BIRTH}/")
    login = response["Location"]
    assert login == f"/dang-nhap/?next=%2Fnop-ho-so%2F{BIRTH}%2F"
    assert 'name="next" value="/nop-ho-so/1.001193/"' in client.get(login).content.decode()
    response = client.post(login, {"username": "congdan1", "password": PASSWORD, "next": f"/nop-ho-so/{BIRTH}/"})
    assert response.status_code == 302 and response["Location"] == f"/nop-ho-so/{BIRTH}/"
    assert "Phần 1/6" in client.get(response["Location"]).content.decode()


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed")
def test_the_review_shows_the_application_as_page_images(web, web2):
    draft = ready_birth_draft(web)
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    urls = re.findall(r'<img src="(/nop-ho-so/nhap/[^"]+\.png)"', page)
    assert urls and urls[0].endswith("/1.png")
    assert page.index("preview-pages") < page.index('name="confirm"')  # before the pledge
    image = web.get(urls[0])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert web2.get(urls[0]).status_code == 404  # another citizen
    sha = re.search(r"to-khai-([0-9a-f]{64})/", urls[0])[1]
    for bad in (urls[0].replace(sha, "0" * 64), urls[0].replace("/1.png", "/11.png"),
                urls[0].replace(sha, "..%2F..%2Fsecret")):
        assert web.get(bad).status_code == 404, bad


def test_the_buttons_read_submit_online_in_english(eforms):
    from django.test import Client

    vietnamese = Client().get("/thu-tuc/?q=khai+sinh").content.decode()
    assert f'href="/nop-ho-so/{BIRTH}/">Nộp trực tuyến<span' in vietnamese
    client = Client()
    client.get("/ngon-ngu/en/", {"next": "/"})
    page = client.get(f"/thu-tuc/{BIRTH}/").content.decode()
    assert f'href="/nop-ho-so/{BIRTH}/">Submit online</a>' in page and "Submitted online" not in page
    results = client.get("/thu-tuc/?q=khai+sinh").content.decode()
    assert f'href="/nop-ho-so/{BIRTH}/">Submit online<span class="visually-hidden">' in results
    assert '/nop-ho-so/2.000815/"' not in client.get("/thu-tuc/?q=chung+thuc").content.decode()  # level 2
