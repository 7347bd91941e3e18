"""Counter reception: find the procedure, enter the applicant, tick and scan the components, then
receive, request a supplement or refuse. Bad input never loses what was typed, never a 500."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Dossier, DossierFile, Event, Status

from .conftest import BIRTH, CRIMINAL_RECORD, PDF, PNG, version_of

URL = f"/can-bo/tiep-nhan/{BIRTH}/"


def components(code: str = BIRTH):
    return list(version_of(code).components.order_by("order", "id"))


def form_data(**overrides) -> dict:
    data = {
        "token": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "applicant_kind": "person", "name": "Nguyễn Văn An", "id_number": "0960 9000 1234",
        "phone": "0912 345 678", "email": "an@example.invalid", "address": "Phường Tân Thành, Cà Mau",
        "delivery": "counter", "missing_extra": "", "refuse_reason": "",
    }
    data.update(overrides)
    return data


def pdf(name="to-khai.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png(name="giay-chung-sinh.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def page_text(response) -> str:
    return response.content.decode()


def test_it_finds_the_procedure_with_the_portal_search_limited_to_my_counter(people, login):
    c = login(people.receptionist)
    page = page_text(c.get("/can-bo/tiep-nhan/?q=khai+sinh"))
    assert "Đăng ký khai sinh" in page and f'href="/can-bo/tiep-nhan/{BIRTH}/"' in page
    # 2.000488 is received at the service centre, not at this commune.
    link = f'href="/can-bo/tiep-nhan/{CRIMINAL_RECORD}/"'
    assert link not in page_text(c.get("/can-bo/tiep-nhan/?q=ly+lich+tu+phap"))
    assert link in page_text(login(people.centre_receptionist).get("/can-bo/tiep-nhan/?q=ly+lich"))
    assert c.get("/can-bo/tiep-nhan/?q=" + "x" * 5000).status_code == 200


def test_it_shows_the_checklist_with_paper_kinds_and_copies(people, login):
    page = page_text(login(people.receptionist).get(URL))
    for component in components():
        assert component.name in page
        assert f'id="files-{component.pk}"' in page and f'name="files-{component.pk}"' in page
    assert "Bản chính" in page and "Bản sao chứng thực" in page and "1 bản" in page
    assert re.search(r'<input[^>]+type="file"[^>]+multiple', page)
    assert 'enctype="multipart/form-data"' in page


def test_it_receives_a_counter_dossier_with_two_scanned_files(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    data = form_data(outcome="receive", present=[form.pk, birth_cert.pk])
    data[f"files-{form.pk}"] = [pdf("to-khai-1.pdf"), pdf("to-khai-2.pdf")]
    data[f"files-{birth_cert.pk}"] = png()
    response = c.post(URL, data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    assert dossier.status == Status.RECEIVED and dossier.channel == 1
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        "Nguyễn Văn An", "096090001234", "0912345678")
    files = list(DossierFile.objects.filter(dossier=dossier).order_by("id"))
    assert [(f.component_id, f.original_name, f.content_type, f.source) for f in files] == [
        (form.pk, "to-khai-1.pdf", "application/pdf", "scanned"),
        (form.pk, "to-khai-2.pdf", "application/pdf", "scanned"),
        (birth_cert.pk, "giay-chung-sinh.png", "image/png", "scanned"),
    ]
    page = page_text(c.get(response["Location"]))
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page and "Hẹn trả kết quả" in page
    assert f'href="/can-bo/ho-so/{dossier.code}/mau/01.pdf"' in page
    assert "to-khai-2.pdf" in page and "giay-chung-sinh.png" in page
    # The same form sent twice (a double click: the same fields and the same scans) makes one dossier.
    again = form_data(outcome="receive", present=[form.pk, birth_cert.pk])
    again[f"files-{form.pk}"] = [pdf("to-khai-1.pdf"), pdf("to-khai-2.pdf")]
    again[f"files-{birth_cert.pk}"] = png()
    again = c.post(URL, again)
    assert again.status_code == 302 and Dossier.objects.count() == 1


def test_it_requests_a_supplement_listing_the_unticked_required_components_and_free_text(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    response = c.post(URL, form_data(
        outcome="supplement", present=[form.pk], missing_extra="Bản sao sổ hộ khẩu\n\n  Giấy đăng ký kết hôn  ",
        **{f"files-{form.pk}": pdf()}))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.reception_supplement_requested
    event = Event.objects.get(dossier=dossier, kind="supplement_requested")
    assert event.data["missing"] == [birth_cert.name, "Bản sao sổ hộ khẩu", "Giấy đăng ký kết hôn"]
    assert DossierFile.objects.filter(dossier=dossier).count() == 1
    page = page_text(c.get(response["Location"]))
    assert "Đã lập yêu cầu bổ sung" in page and "/mau/02.pdf" in page


def test_it_refuses_with_a_reason(people, login):
    c = login(people.receptionist)
    response = c.post(URL, form_data(outcome="refuse", refuse_reason="Người yêu cầu không cư trú trên địa bàn phường."))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.status == Status.REFUSED
    assert Event.objects.get(dossier=dossier, kind="refused").note == "Người yêu cầu không cư trú trên địa bàn phường."
    page = page_text(c.get(response["Location"]))
    assert "Đã từ chối tiếp nhận" in page and "/mau/03.pdf" in page


# --- bad input -------------------------------------------------------------------------------------------


def assert_kept(page: str, **values):
    for name, value in values.items():
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"|value="{re.escape(value)}"[^>]*name="{name}"',
                         page), (name, value)


def test_it_answers_an_empty_form_with_the_errors_and_no_dossier(people, login):
    response = login(people.receptionist).post(URL, {})
    page = page_text(response)
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert 'id="error-summary"' in page
    assert "Hãy chọn một trong ba nút" in page
    assert "Cần nhập họ tên người nộp" in page and "Cần nhập số định danh" in page


def test_it_names_the_id_number_rule_and_keeps_everything_typed(people, login):
    form, birth_cert, _proxy = components()
    data = form_data(outcome="receive", id_number="09609000123", present=[form.pk, birth_cert.pk],
                     free1_text="ghi chú đã gõ", free1_reason="bản photo mờ")
    data[f"files-{form.pk}"] = pdf("da-quet.pdf")
    response = login(people.receptionist).post(URL, data)
    page = page_text(response)
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập 11 ký tự" in page
    # The field is marked invalid and points at its message.
    assert re.search(r'<input[^>]*name="id_number"[^>]*aria-invalid="true"', page)
    assert re.search(r'<input[^>]*name="id_number"[^>]*aria-describedby="id_id_number-error', page)
    assert 'id="id_id_number-error"' in page
    assert_kept(page, name="Nguyễn Văn An", id_number="09609000123", phone="0912 345 678",
                email="an@example.invalid", address="Phường Tân Thành, Cà Mau")
    assert f'id="present-{form.pk}" checked' in page and f'id="present-{birth_cert.pk}" checked' in page
    assert "ghi chú đã gõ" in page and "bản photo mờ" in page
    # The scanned file that passed is kept as a pending upload, listed and ticked.
    assert "da-quet.pdf" in page and re.search(r'name="keep" value="[^"]+"[^>]*checked', page)


def test_it_refuses_a_file_of_the_wrong_type_naming_it_and_keeps_the_good_one(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    data = form_data(outcome="receive", present=[form.pk, birth_cert.pk])
    data[f"files-{form.pk}"] = pdf("to-khai.pdf")
    data[f"files-{birth_cert.pk}"] = SimpleUploadedFile("giay-chung-sinh.pdf", b"MZ\x90\x00 not a pdf at all")
    response = c.post(URL, data)
    page = page_text(response)
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert "Tệp «giay-chung-sinh.pdf» không phải PDF, JPEG, PNG hay TIFF" in page
    assert f'id="files-{birth_cert.pk}-error"' in page
    assert f'href="#files-{birth_cert.pk}"' in page  # the error summary links to the input
    assert_kept(page, name="Nguyễn Văn An", email="an@example.invalid")
    tokens = re.findall(r'name="keep" value="([^"]+)"', page)
    assert len(tokens) == 1 and "to-khai.pdf" in page
    # Picking only the corrected file: the kept one is stored too.
    data = form_data(outcome="receive", present=[form.pk, birth_cert.pk], keep=tokens)
    data[f"files-{birth_cert.pk}"] = png()
    response = c.post(URL, data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert sorted(DossierFile.objects.filter(dossier=dossier).values_list("original_name", flat=True)) == [
        "giay-chung-sinh.png", "to-khai.pdf"]


def test_it_refuses_a_file_over_the_size_limit(people, login, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 1024
    form, birth_cert, _proxy = components()
    data = form_data(outcome="receive", present=[form.pk, birth_cert.pk])
    data[f"files-{form.pk}"] = pdf("ban-quet-lon.pdf", PDF + b"0" * 2048)
    page = page_text(login(people.receptionist).post(URL, data))
    assert "Tệp «ban-quet-lon.pdf» lớn hơn giới hạn 0,0009765625 MB" in page or "Tệp «ban-quet-lon.pdf» lớn hơn" in page
    assert not Dossier.objects.exists()
    assert_kept(page, name="Nguyễn Văn An")


def test_it_ignores_a_forged_pending_token(people, login):
    form, birth_cert, _proxy = components()
    data = form_data(outcome="receive", present=[form.pk, birth_cert.pk], keep=["forged:token"])
    response = login(people.receptionist).post(URL, data)
    assert response.status_code == 302
    assert not DossierFile.objects.exists()


def test_it_asks_for_the_required_components_before_receiving(people, login):
    form, birth_cert, _proxy = components()
    page = page_text(login(people.receptionist).post(URL, form_data(outcome="receive", present=[form.pk])))
    assert "Chưa đánh dấu có các thành phần bắt buộc" in page and birth_cert.name in page
    assert 'aria-describedby="checklist-error"' in page
    assert not Dossier.objects.exists()


def test_it_needs_a_reason_to_refuse_and_something_missing_to_request_a_supplement(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    assert "Cần nhập lý do từ chối" in page_text(c.post(URL, form_data(outcome="refuse")))
    page = page_text(c.post(URL, form_data(outcome="supplement", present=[form.pk, birth_cert.pk])))
    assert "Cần liệt kê giấy tờ cần bổ sung" in page
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("field", ["name", "address", "email", "phone", "id_number", "refuse_reason", "missing_extra"])
def test_it_survives_huge_text_in_any_field(people, login, field):
    text = "Ừ" * 20000
    data = form_data(outcome="refuse", refuse_reason="lý do")
    data[field] = text
    response = login(people.receptionist).post(URL, data)
    assert response.status_code == 400
    assert "dài quá" in page_text(response) or "không hợp lệ" in page_text(response)
    assert not Dossier.objects.exists()


def test_it_answers_404_for_an_unknown_procedure_and_strange_codes(people, login):
    c = login(people.receptionist)
    for code in ("9.999999", "x" * 300, "%00"):
        assert c.get(f"/can-bo/tiep-nhan/{code}/").status_code == 404
        assert c.post(f"/can-bo/tiep-nhan/{code}/", form_data(outcome="receive")).status_code == 404


def test_it_refuses_the_counter_of_another_agency(people, login):
    response = login(people.other_receptionist).post(URL, form_data(outcome="refuse", refuse_reason="x"))
    assert response.status_code == 403 and not Dossier.objects.exists()


def test_it_checks_an_organisation_tax_code(people, login):
    c = login(people.receptionist)
    page = page_text(c.post(URL, form_data(outcome="refuse", refuse_reason="x", applicant_kind="organisation",
                                           id_number="12345")))
    assert "Mã số thuế của tổ chức gồm 10 hoặc 13 chữ số" in page
    response = c.post(URL, form_data(outcome="refuse", refuse_reason="x", applicant_kind="organisation",
                                     id_number="0312345678-001", name="Công ty TNHH An Bình"))
    assert response.status_code == 302
    assert Dossier.objects.get().applicant_kind == "organisation"


def test_it_does_not_make_a_second_dossier_when_a_sent_page_is_changed_and_sent_again(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    assert c.post(URL, form_data(outcome="receive", present=[form.pk, birth_cert.pk])).status_code == 302
    response = c.post(URL, form_data(outcome="receive", present=[form.pk, birth_cert.pk], name="Người Khác"))
    page = page_text(response)
    assert response.status_code == 400 and "đã được gửi một lần" in page
    assert Dossier.objects.count() == 1
    new_token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    assert new_token != form_data()["token"]
    response = c.post(URL, form_data(outcome="receive", present=[form.pk, birth_cert.pk], name="Người Khác",
                                     token=new_token))
    assert response.status_code == 302 and Dossier.objects.count() == 2


def test_it_receives_a_counter_dossier_once_the_supplement_is_brought(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    response = c.post(URL, form_data(outcome="supplement", present=[form.pk]))
    dossier = Dossier.objects.get()
    html = c.get(response["Location"]).content.decode()
    assert 'id="thao-tac-supply"' in html
    data = {"supply-version": dossier.version, "supply-component": birth_cert.pk, "supply-note": "Đã mang giấy",
            "supply-files": png()}
    response = c.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/supply/", data)
    html = c.get(response["Location"]).content.decode()
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and "Kiểm tra và tiếp nhận hồ sơ này" in html
    html = c.get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert "Kiểm tra hồ sơ trước khi tiếp nhận" in html and "giay-chung-sinh.png" in html
    response = c.post(f"/can-bo/cho-tiep-nhan/{dossier.code}/", {
        "version": dossier.version, "outcome": "receive", "present": [form.pk, birth_cert.pk]})
    assert response.status_code == 302 and Dossier.objects.get().status == Status.RECEIVED


def test_it_asks_for_an_address_for_postal_delivery_and_keeps_what_was_typed(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    response = c.post(URL, form_data(outcome="receive", present=[form.pk, birth_cert.pk], delivery="post",
                                     address="", name="Trần Thị Bưu"))
    assert response.status_code == 400  # the page again, with the message
    page = page_text(response)
    assert "Nhận kết quả qua bưu chính: hãy ghi địa chỉ nhận." in page
    assert 'value="Trần Thị Bưu"' in page
    assert not Dossier.objects.exists()


def test_it_records_the_postal_address_from_the_form(people, login):
    form, birth_cert, _proxy = components()
    c = login(people.receptionist)
    response = c.post(URL, form_data(outcome="receive", present=[form.pk, birth_cert.pk], delivery="post",
                                     address="Số 1 Lý Văn Lâm, Cà Mau"))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.delivery == "post" and dossier.delivery_address == "Số 1 Lý Văn Lâm, Cà Mau"
