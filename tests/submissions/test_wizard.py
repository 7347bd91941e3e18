"""The wizard end to end with the test client: start, e-form (prefilled), two files, review,
submit -> a dossier in status 1 with the files and the generated application PDF; the draft is gone."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.storage import default_storage

from motcua.dossiers.models import Dossier, FileSource
from motcua.submissions.models import Draft, DraftFile

from .conftest import (
    BIRTH,
    BIRTH_ANSWERS,
    CERTIFICATION,
    COMPLAINT,
    PDF,
    PNG,
    component,
    pdf_text,
    ready_birth_draft,
    start_draft,
    submit,
    submit_key,
    xhr_upload,
)


def test_the_procedure_page_links_to_the_wizard(web):
    page = web.get(f"/thu-tuc/{BIRTH}/").content.decode()
    assert f'href="/nop-ho-so/{BIRTH}/"' in page and "Nộp hồ sơ trực tuyến" in page
    page = web.get(f"/thu-tuc/{CERTIFICATION}/").content.decode()
    assert "/nop-ho-so/" not in page


def test_it_sends_visitors_to_sign_in_first(client, eforms):
    response = client.get(f"/nop-ho-so/{BIRTH}/")
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next=%2Fnop-ho-so%2F{BIRTH}%2F"
    response = client.post(f"/nop-ho-so/{BIRTH}/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert not Draft.objects.exists()


def test_level_1_and_2_procedures_have_no_wizard(web):
    for code in (CERTIFICATION, COMPLAINT):
        response = web.get(f"/nop-ho-so/{code}/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "chưa nhận hồ sơ trực tuyến" in page
        assert "Ủy ban nhân dân" in page or "Trung tâm" in page  # where to go instead
        response = web.post(f"/nop-ho-so/{code}/")
        assert response.status_code == 200 and "chưa nhận hồ sơ trực tuyến" in response.content.decode()
    assert not Draft.objects.exists()
    assert web.get("/nop-ho-so/9.999999/").status_code == 404


def test_the_accounts_rule_decides(web, citizen):
    from django.urls import reverse
    from django.utils import timezone

    citizen.self_registered = True
    citizen.email_verified_at = citizen.phone_verified_at = citizen.identity_verified_at = None
    citizen.save()
    response = web.get(f"/nop-ho-so/{BIRTH}/")
    page = response.content.decode()
    verify = reverse("accounts:verify")
    assert response.status_code == 403 and "Tài khoản chưa được xác minh." in page and f'href="{verify}"' in page
    assert web.get("/nop-ho-so/nhap/").status_code == 403
    citizen.email, citizen.email_verified_at = "an@example.invalid", timezone.now()
    citizen.save()
    assert web.get(f"/nop-ho-so/{BIRTH}/").status_code == 200


def test_the_wizard_end_to_end(web, citizen, tmp_path, django_capture_on_commit_callbacks):
    start = web.get(f"/nop-ho-so/{BIRTH}/")
    page = start.content.decode()
    # No draft to resume: the start address IS the page to fill (no intro screen), and it made no draft.
    assert start.status_code == 200 and "Phần 1/6" in page and f'action="/nop-ho-so/{BIRTH}/"' in page
    assert not Draft.objects.exists()
    draft, url = start_draft(web)
    assert url == f"/nop-ho-so/nhap/{draft.pk}/to-khai/"
    assert draft.owner == citizen and draft.case is not None

    form = web.get(url).content.decode()
    assert 'value="Nguyễn Văn An"' in form  # prefilled from the profile
    assert 'value="096090001234"' in form
    assert '<option value="32025" selected>Phường Tân Thành</option>' in form
    assert "Bước 1/2" in form and "Phần 6/6" in form
    # The documents are the last section of the same page.
    assert "được tạo tự động từ tờ khai bạn điền" in form  # the form component needs no upload
    assert "Bản chính" in form and "Nhận tệp PDF, JPEG, PNG, TIFF" in form
    assert form.index('name="f-want_copies"') < form.index('name="files-')

    response = web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_continue": "1"})
    assert response.status_code == 400  # the answers are kept; the required documents are missing
    assert "Cần tải lên ít nhất một tệp cho «Giấy chứng sinh" in response.content.decode()

    birth_cert = component(BIRTH, "Giấy chứng sinh")
    mandate = component(BIRTH, "Văn bản ủy quyền")
    first = xhr_upload(web, draft, birth_cert, "giấy chứng sinh.pdf", PDF)
    assert first.status_code == 201, first.content
    assert first.json()["file"]["name"] == "giấy chứng sinh.pdf"
    assert xhr_upload(web, draft, mandate, "uy-quyen.png", PNG).status_code == 201
    stored = list(DraftFile.objects.filter(draft=draft).values_list("storage_key", flat=True))
    assert len(stored) == 2 and all(k.startswith("drafts/") and default_storage.exists(k) for k in stored)

    response = web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_continue": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/xem-lai/")
    review = web.get(response["Location"]).content.decode()
    for text in ("Nguyễn Ngọc Hân", "01/03/2026", "Bệnh viện Sản Nhi Cà Mau", "Phường An Xuyên, Tỉnh Cà Mau",
                 "giấy chứng sinh.pdf", "uy-quyen.png", "Tạo tự động từ tờ khai"):
        assert text in review, text

    key = submit_key(web, draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/", {"submit_key": key, "confirm": "yes"})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/nop-ho-so/da-nop/{dossier.code}/"
    assert dossier.status == 1 and dossier.channel == 2 and dossier.owner == citizen
    assert dossier.applicant_name == "Nguyễn Văn An" and dossier.applicant_id_number == "096090001234"
    assert dossier.applicant_address == "Khóm 2, Phường Tân Thành, Tỉnh Cà Mau"
    assert dossier.form_data["child_name"] == "Nguyễn Ngọc Hân" and dossier.form_data["copies"] == 2

    files = {f.original_name: f for f in dossier.files.select_related("component")}
    assert set(files) == {"giấy chứng sinh.pdf", "uy-quyen.png", "to-khai-dang-ky-khai-sinh.pdf"}
    assert files["giấy chứng sinh.pdf"].component == birth_cert
    assert files["giấy chứng sinh.pdf"].source == FileSource.UPLOADED
    assert files["uy-quyen.png"].content_type == "image/png"
    application = files["to-khai-dang-ky-khai-sinh.pdf"]
    assert application.component.name == "Tờ khai đăng ký khai sinh theo mẫu"
    assert application.content_type == "application/pdf"
    with default_storage.open(application.storage_key, "rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi: Ủy ban nhân dân phường Tân Thành",
                     "Thủ tục: Đăng ký khai sinh", "II. Người được đăng ký khai sinh",
                     "Họ, chữ đệm, tên: Nguyễn Ngọc Hân", "Ngày, tháng, năm sinh: 01/03/2026",
                     "Giới tính: Nữ", "Tên cơ sở y tế nơi sinh: Bệnh viện Sản Nhi Cà Mau",
                     "Số bản sao: 2", "Năm sinh: 1995", dossier.code, "NGƯỜI YÊU CẦU",
                     "Nhận kết quả: Nhận kết quả điện tử (có chữ ký số) trên Cổng"):
        assert expected in text, expected
    assert re.search(r"Cà Mau, ngày \d\d tháng \d+ năm 20\d\d", text)

    assert not Draft.objects.filter(pk=draft.pk).exists() and not DraftFile.objects.exists()
    assert not any(default_storage.exists(k) for k in stored)  # the draft's copies are gone

    done = web.get(response["Location"]).content.decode()
    assert dossier.code in done and dossier.tracking_key in done
    assert f"/tra-cuu/{dossier.code}?key={dossier.tracking_key}" in done
    assert web.get(f"/nop-ho-so/kho/{application.pk}/").status_code == 200


def test_submitting_twice_makes_one_dossier(web):
    draft = ready_birth_draft(web)
    key = submit_key(web, draft)
    url = f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"
    first = web.post(url, {"submit_key": key, "confirm": "yes"})
    second = web.post(url, {"submit_key": key, "confirm": "yes"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1
    assert Dossier.objects.get().files.count() == 3


def test_a_stale_review_page_asks_to_review_again(web):
    draft = ready_birth_draft(web)
    key = submit_key(web, draft)
    xhr_upload(web, draft, component(BIRTH, "Giấy chứng sinh"), "trang-2.pdf", PDF)  # the draft changed
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/", {"submit_key": key, "confirm": "yes"})
    assert response.status_code == 409
    assert "vừa thay đổi" in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_pledge_must_be_ticked(web):
    draft = ready_birth_draft(web)
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/", {"submit_key": submit_key(web, draft)})
    assert response.status_code == 400 and "cam đoan" in response.content.decode()
    assert not Dossier.objects.exists()


def test_every_step_saves_the_draft_and_it_can_be_resumed(web):
    draft, url = start_draft(web)
    response = web.post(url, {"f-child_name": "Bé Na", "f-child_dob": "32/13/2026", "_save_exit": "1", "_fill": "page"})
    assert response.status_code == 302 and response["Location"] == "/nop-ho-so/nhap/"
    drafts = web.get("/nop-ho-so/nhap/").content.decode()
    assert "Đăng ký khai sinh" in drafts and f"/nop-ho-so/nhap/{draft.pk}/" in drafts
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == "Bé Na"
    response = web.get(f"/nop-ho-so/nhap/{draft.pk}/")
    assert response["Location"] == url
    page = web.get(url).content.decode()
    assert 'value="Bé Na"' in page and 'value="32/13/2026"' in page  # as typed, even when wrong
    autosave = web.post(url, {"f-child_name": "Bé Na Na", "_section": "II. Người được đăng ký khai sinh"},
                        headers={"X-Requested-With": "XMLHttpRequest"})
    assert autosave.status_code == 200 and autosave.json()["saved"] is True
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == "Bé Na Na"


def test_it_tells_when_an_untouched_draft_will_be_removed(web, settings):
    from django.utils import timezone

    settings.MOTCUA_DRAFT_RETENTION_DAYS = 30
    draft, _url = start_draft(web)
    page = web.get("/nop-ho-so/nhap/").content.decode()
    removal = timezone.localdate(draft.updated_at) + dt.timedelta(days=30)
    assert "không được lưu tiếp trong 30 ngày sẽ tự động bị xóa" in page
    assert f"Tự động xóa từ ngày {removal:%d/%m/%Y}" in page


def test_a_draft_can_be_deleted_with_its_files(web, django_capture_on_commit_callbacks):
    draft = ready_birth_draft(web)
    keys = list(draft.files.values_list("storage_key", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/nop-ho-so/nhap/{draft.pk}/xoa/")
    assert response.status_code == 302
    assert not Draft.objects.exists() and not any(default_storage.exists(k) for k in keys)


def test_the_case_step_when_a_procedure_has_several_cases(web):
    from motcua.catalog.models import ProcedureCase

    version = component(BIRTH, "Tờ khai").version
    late = ProcedureCase.objects.create(version=version, order=2, name="Đăng ký khai sinh quá hạn",
                                        time_amount=3, time_unit="working_days")
    draft, url = start_draft(web)
    assert url.endswith("/to-khai/") and draft.case is None
    page = web.get(url).content.decode()  # the case is the first section of the page to fill
    assert "Hồ sơ của bạn thuộc trường hợp nào?" in page and "Phần 1/7" in page
    assert page.index('name="case"') < page.index('name="f-')
    for garbage in ("", "abc", "999999999", "1" * 500):
        response = web.post(url, {"case": garbage, "_fill": "page", "_has_case": "1", "_continue": "1"})
        assert response.status_code == 400 and "Hãy chọn một trường hợp" in response.content.decode()
    # The page's script saves the section as it is left.
    response = web.post(url, {"case": str(late.pk), "_fill": "1", "_section_kind": "case", "_section": ""},
                        headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200 and response.json()["error"] == ""
    draft.refresh_from_db()
    assert draft.case == late
    assert web.get(f"/nop-ho-so/nhap/{draft.pk}/truong-hop/")["Location"].endswith("/to-khai/#phan-le-phi")


def test_the_result_goes_online_by_default_at_level_4(web):
    draft = ready_birth_draft(web)
    form = web.get(f"/nop-ho-so/nhap/{draft.pk}/to-khai/").content.decode()
    assert "Cách nhận kết quả" in form and "Nhận qua bưu chính công ích" in form  # asked once, there
    assert 'value="online" id="delivery-online" checked' in form
    review = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    assert "Nhận kết quả điện tử (có chữ ký số) trên Cổng" in review and 'name="delivery"' not in review
    web.post(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/", {"submit_key": submit_key(web, draft), "confirm": "yes"})
    assert Dossier.objects.get().delivery == "online"


def test_it_records_postal_delivery_with_its_address_and_fee(web, settings):
    settings.MOTCUA_POSTAL_FEE_VND = 25000
    draft = ready_birth_draft(web)
    url = f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"
    web.post(url, {"submit_key": submit_key(web, draft), "confirm": "yes", "delivery": "post",
                   "delivery_address": "  Số 5,  đường Phan Ngọc Hiển, Phường An Xuyên  "})
    dossier = Dossier.objects.get()
    assert dossier.delivery == "post"
    assert dossier.delivery_address == "Số 5, đường Phan Ngọc Hiển, Phường An Xuyên"
    assert dossier.delivery_fee == 25000


def test_postal_delivery_needs_an_address_and_keeps_the_choice(web):
    draft = ready_birth_draft(web)
    url = f"/nop-ho-so/nhap/{draft.pk}/to-khai/"
    response = web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_continue": "1", "delivery": "post",
                              "delivery_address": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Hãy ghi địa chỉ nhận kết quả qua bưu chính." in page
    assert 'value="post" id="delivery-post" checked' in page
    draft.refresh_from_db()
    assert draft.delivery == "post"
    # The review page cannot submit it either, and says why.
    review = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    assert "Hãy ghi địa chỉ nhận kết quả qua bưu chính." in review and 'name="submit_key"' not in review
    response = web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_continue": "1", "delivery": "post",
                              "delivery_address": " Số 5, đường Phan Ngọc Hiển "})
    assert response.status_code == 302 and response["Location"].endswith("/xem-lai/")
    submit(web, draft)
    dossier = Dossier.objects.get()
    assert (dossier.delivery, dossier.delivery_address) == ("post", "Số 5, đường Phan Ngọc Hiển")
