"""Bad input gets a clear Vietnamese message, the rest of the draft stays, and nothing answers 500."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage

from motcua.submissions.models import DraftFile

from .conftest import BIRTH, BIRTH_ANSWERS, DOCX, PDF, PNG, component, start_draft, upload_file, xhr_upload


def test_a_wrong_type_is_refused_with_the_rule_and_the_name(web):
    draft, _url = start_draft(web)
    kept = xhr_upload(web, draft, component(BIRTH, "Giấy chứng sinh"), "giay-chung-sinh.pdf", PDF)
    assert kept.status_code == 201
    response = xhr_upload(web, draft, component(BIRTH, "Giấy chứng sinh"), "trang-2.pdf", DOCX)
    assert response.status_code == 400
    message = response.json()["error"]
    assert "«trang-2.pdf»" in message and "PDF, JPEG, PNG, TIFF" in message
    assert list(DraftFile.objects.filter(draft=draft).values_list("original_name", flat=True)) == [
        "giay-chung-sinh.pdf"]


def test_a_type_the_component_does_not_take_is_refused(web):
    comp = component(BIRTH, "Giấy chứng sinh")
    comp.accepted_types = "pdf"
    comp.save()
    draft, _url = start_draft(web)
    response = xhr_upload(web, draft, comp, "anh.png", PNG)
    assert response.status_code == 400
    assert response.json()["error"] == "Tệp «anh.png» là PNG, nhưng giấy tờ này chỉ nhận tệp PDF."


def test_an_oversized_file_is_refused_with_the_limit(web, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 1024
    draft, _url = start_draft(web)
    response = xhr_upload(web, draft, component(BIRTH, "Giấy chứng sinh"), "to.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "«to.pdf»" in response.json()["error"] and "giới hạn 0,0009765625 MB" not in response.json()["error"]
    assert "lớn hơn giới hạn" in response.json()["error"]
    assert not DraftFile.objects.exists()
    # A body far over the limit is refused before it is read.
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/giay-to/tai-len/", {"file": upload_file("x.pdf", PDF * 2000)},
                        headers={"X-Requested-With": "XMLHttpRequest", "X-File-Name": "h%E1%BB%93%20s%C6%A1.pdf"})
    assert response.status_code == 413 and "«hồ sơ.pdf»" in response.json()["error"]


def test_an_interrupted_upload_says_what_to_retry(web):
    draft, _url = start_draft(web)
    comp = component(BIRTH, "Giấy chứng sinh")
    assert xhr_upload(web, draft, comp, "trang-1.pdf", PDF).status_code == 201
    # The browser said 5000 bytes; fewer arrived.
    response = xhr_upload(web, draft, comp, "trang-2.pdf", PDF, size="5000")
    assert response.status_code == 400
    body = response.json()
    assert body["retry"] is True and "«trang-2.pdf» chưa tải lên trọn vẹn" in body["error"]
    # The body stops in the middle of the file part.
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"component\"\r\n\r\n{comp.pk}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"trang-3.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF[:20]
    response = web.generic("POST", f"/nop-ho-so/nhap/{draft.pk}/giay-to/tai-len/", body,
                           content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 400 and "Thử lại" in response.json()["error"]
    assert list(DraftFile.objects.filter(draft=draft).values_list("original_name", flat=True)) == ["trang-1.pdf"]
    assert all(default_storage.exists(f.storage_key) for f in DraftFile.objects.all())


def test_no_js_uploads_keep_the_good_files_and_name_the_bad_one(web):
    draft, url = start_draft(web)
    cert, mandate = component(BIRTH, "Giấy chứng sinh"), component(BIRTH, "Văn bản ủy quyền")
    response = web.post(url, {
        **BIRTH_ANSWERS, f"files-{cert.pk}": [upload_file("a.pdf", PDF), upload_file("b.docx", DOCX)],
        f"files-{mandate.pk}": [upload_file("c.png", PNG)], "_continue": "1", "_fill": "page",
    })
    assert response.status_code == 400
    assert "«b.docx»" in response.content.decode()
    assert sorted(DraftFile.objects.values_list("original_name", flat=True)) == ["a.pdf", "c.png"]
    response = web.post(url, {**BIRTH_ANSWERS, "_continue": "1", "_fill": "page"})
    assert response.status_code == 302 and response["Location"].endswith("/xem-lai/")


def test_the_old_documents_address_stores_the_files_and_goes_to_the_page(web):
    draft, _url = start_draft(web)
    cert = component(BIRTH, "Giấy chứng sinh")
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/giay-to/", {
        f"files-{cert.pk}": [upload_file("a.pdf", PDF), upload_file("b.docx", DOCX)], "_continue": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/to-khai/#phan-giay-to")
    assert list(DraftFile.objects.values_list("original_name", flat=True)) == ["a.pdf"]
    assert "«b.docx»" in web.get(response["Location"]).content.decode()  # the refusal, said on the page


def test_a_required_document_must_be_there_to_continue(web):
    draft, url = start_draft(web)
    response = web.post(url, {**BIRTH_ANSWERS, "_continue": "1", "_fill": "page"})
    assert response.status_code == 400
    assert "Cần tải lên ít nhất một tệp cho «Giấy chứng sinh" in response.content.decode()
    review = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    assert "Hồ sơ chưa nộp được" in review and 'name="submit_key"' not in review


def test_eform_errors_show_next_to_the_fields_keeping_typed_values(web):
    draft, url = start_draft(web)
    answers = {**BIRTH_ANSWERS, "f-child_name": "Bé 123", "f-child_dob": "31/02/2026", "f-mother_birth_year": "năm",
               "f-requester_phone": "12345", "f-father_name": "", "_continue": "1", "_fill": "page"}
    response = web.post(url, answers)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Bé 123"' in page and 'value="31/02/2026"' in page and 'value="năm"' in page
    assert "«Họ, chữ đệm, tên của trẻ»: chỉ gồm chữ cái" in page
    assert "«Ngày, tháng, năm sinh» không phải ngày hợp lệ" in page
    assert "Cần nhập «Họ, chữ đệm, tên người cha»." in page
    assert 'id="error-summary"' in page and 'href="#id-f-child_dob"' in page
    assert 'id="id-f-child_dob-error"' in page
    draft.refresh_from_db()
    assert draft.form_data["child_dob"] == "31/02/2026"  # saved as typed
    # Hidden fields do not count: no father, no father's name needed.
    xhr_upload(web, draft, component(BIRTH, "Giấy chứng sinh"), "giay-chung-sinh.pdf", PDF)
    response = web.post(url, {**BIRTH_ANSWERS, "f-has_father": "no", "f-father_name": "", "_continue": "1",
                              "_fill": "page"})
    assert response.status_code == 302


def test_garbage_never_answers_500(web, citizen):
    draft, url = start_draft(web)
    huge = "Ă" * 1_000_000
    for data in ({"f-child_name": huge, "_continue": "1"},
                 {"f-child_name": "👶🏻 Bé Na 🎉", "f-child_dob": "2026-02-30", "f-copies": "1e999", "_continue": "1"},
                 {"f-requester_address-province": "<script>", "f-requester_address-commune": "'; drop",
                  "_continue": "1"},
                 {"f-has_father": ["yes", "no"], "f-relationship": ["x" * 5000], "_continue": "1"},
                 {"f-child_name": "a\x00bc", "_section": "II. Người được đăng ký khai sinh"},
                 {"_add_row": "nope", "_remove_row": "::::"}):
        response = web.post(url, {**data, "_fill": "page"} if "_section" not in data else data)
        assert response.status_code in (200, 302, 400), (response.status_code, list(data))
    comp = component(BIRTH, "Giấy chứng sinh")
    for bad in ("", "abc", "-1", "999999999999", "1" * 400, str(component("2.000488", "Tờ khai").pk)):
        response = xhr_upload(web, draft, comp, "a.pdf", PDF, component=bad)
        assert response.status_code == 400 and "không thuộc thủ tục" in response.json()["error"], bad
    auto = component(BIRTH, "Tờ khai")
    response = xhr_upload(web, draft, auto, "a.pdf", PDF)
    assert response.status_code == 400 and "tạo tự động" in response.json()["error"]
    assert web.post(f"/nop-ho-so/nhap/{draft.pk}/giay-to/tai-len/", {}).status_code == 400
    assert web.get(f"/nop-ho-so/nhap/{draft.pk}/kho/?component=abc").status_code == 302
    assert web.post(f"/nop-ho-so/nhap/{draft.pk}/kho/", {"component": comp.pk, "file": "x' OR 1=1"}).status_code == 400
    review = f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"
    assert web.post(review, {"submit_key": "☃" * 300, "confirm": "yes"}).status_code == 409
    assert web.get(f"/nop-ho-so/nhap/{uuid.uuid4()}/to-khai/").status_code == 404
    assert web.get("/nop-ho-so/nhap/not-a-uuid/to-khai/").status_code == 404
    assert web.get("/nop-ho-so/dia-chi/96/").json()["communes"][0] == ["32002", "Phường An Xuyên"]
    assert web.get("/nop-ho-so/dia-chi/79/").json() == {"communes": None}
    assert web.get("/nop-ho-so/dia-chi/zz/").status_code == 404
    assert web.get("/nop-ho-so/da-nop/KHONG-CO/").status_code == 404
    assert web.get(f"/nop-ho-so/{'9' * 300}/").status_code == 404
    assert web.post(url, {"f-child_name": "a\x00bc", "_section": "II. Người được đăng ký khai sinh"}).status_code == 200
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == "abc"  # PostgreSQL cannot store NUL: dropped
