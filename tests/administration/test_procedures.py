"""Procedure admin: list, create, copy, overview, starting a draft and editing its sections."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import BIRTH, BUILDING, signed_in

A = "/can-bo/quan-tri/"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


def procedure(code):
    from motcua.catalog.models import Procedure

    return Procedure.objects.select_related("published").get(code=code)


def draft_of(code):
    from motcua.catalog.models import ProcedureVersion

    return ProcedureVersion.objects.get(procedure__code=code, state="draft")


def start(client, code=BIRTH):
    response = client.post(f"{A}thu-tuc/{code}/ban-nhap/", {"note": "Sửa thành phần"})
    assert response.status_code == 302
    return draft_of(code)


def logs(**filters):
    from motcua.audit.models import ChangeLog

    return ChangeLog.objects.filter(**filters)


def page(response) -> str:
    return response.content.decode()


# --- the list ----------------------------------------------------------------------------------------------


def test_it_lists_only_the_procedures_of_the_admins_agency(admins, admin_client):
    response = admin_client.get(A)
    assert response.status_code == 200
    html = page(response)
    assert BIRTH in html and "Đăng ký khai sinh" in html
    assert BUILDING not in html
    assert "Đang áp dụng v1" in html
    # No agency filter for an admin of one agency.
    assert 'name="agency"' not in html


def test_it_lists_every_procedure_for_the_province_with_agency_filter_and_folded_search(admins, province_client):
    html = page(province_client.get(A))
    assert BIRTH in html and BUILDING in html and 'name="agency"' in html
    html = page(province_client.get(A, {"agency": admins.other_commune.pk}))
    assert BUILDING in html and BIRTH not in html
    # Search without diacritics finds the accented name; a code finds its procedure.
    html = page(province_client.get(A, {"q": "dang ky khai sinh"}))
    assert BIRTH in html and BUILDING not in html
    html = page(province_client.get(A, {"q": "ĐĂNG KÝ khai"}))
    assert BIRTH in html
    html = page(province_client.get(A, {"q": BUILDING}))
    assert BUILDING in html and BIRTH not in html
    # Nonsense input is no error.
    assert province_client.get(A, {"q": "\x00<script>", "agency": "abc", "trang": "x"}).status_code == 200


def test_it_shows_a_draft_in_the_list_state(admins, admin_client):
    start(admin_client)
    html = page(admin_client.get(A, {"q": BIRTH}))
    assert "Đang áp dụng v1" in html and "Bản nháp v2" in html


def test_it_keeps_staff_without_the_admin_role_out(admins, officer_client, client):
    assert officer_client.get(A).status_code == 403
    assert officer_client.get(f"{A}thu-tuc/{BIRTH}/").status_code == 403
    assert client.get(A).status_code == 302


# --- create --------------------------------------------------------------------------------------------------


def _create_data(admins, **overrides):
    from motcua.catalog.models import Sector

    data = {"code": "9.000001", "name": "Xác nhận tình trạng hôn nhân", "sector": Sector.objects.get(code="HT").pk,
            "agency": admins.commune.pk, "case_name": "Trường hợp chung", "time_amount": "3",
            "time_unit": "working_days"}
    data.update(overrides)
    return data


def test_it_creates_a_procedure_as_a_level_1_draft_with_one_case(admins, admin_client):
    response = admin_client.post(f"{A}thu-tuc/moi/", _create_data(admins))
    assert response.status_code == 302
    assert response["Location"] == f"{A}thu-tuc/9.000001/ban-nhap/chung/"
    draft = draft_of("9.000001")
    assert (draft.number, draft.level, draft.agency_id, draft.receiving_agency_id) == (1, 1, admins.commune.pk,
                                                                                        admins.commune.pk)
    assert procedure("9.000001").published is None
    case = draft.cases.get()
    assert (case.name, case.time_amount, case.time_unit) == ("Trường hợp chung", 3, "working_days")
    assert logs(object_type="catalog.procedureversion", object_id=str(draft.pk), action="create",
                actor=admins.commune_admin, agency=admins.commune).exists()
    assert logs(object_type="catalog.procedurecase", object_id=str(case.pk)).exists()
    # It is in the list, searchable without diacritics.
    assert "9.000001" in page(admin_client.get(A, {"q": "tinh trang hon nhan"}))


@pytest.mark.parametrize(("overrides", "message"), [
    ({"code": ""}, "Hãy nhập «Mã thủ tục»."),
    ({"code": "1 00/2"}, "Mã thủ tục chỉ gồm chữ, số"),
    ({"code": BIRTH}, f"Mã thủ tục «{BIRTH}» đã có"),
    ({"name": "   "}, "Hãy nhập «Tên thủ tục»."),
    ({"time_amount": "0"}, "Thời hạn giải quyết phải lớn hơn 0"),
    ({"time_amount": "ba ngày"}, "Thời hạn giải quyết"),
    ({"sector": "999999"}, "«Lĩnh vực»: lựa chọn không hợp lệ"),
])
def test_it_refuses_bad_input_when_creating_and_keeps_what_was_typed(admins, admin_client, overrides, message):
    from motcua.catalog.models import Procedure

    before = Procedure.objects.count()
    response = admin_client.post(f"{A}thu-tuc/moi/", _create_data(admins, **overrides))
    assert response.status_code == 400
    html = page(response)
    assert message in html
    assert 'id="error-summary"' in html and 'aria-invalid="true"' in html
    assert "Trường hợp chung" in html  # what was typed is kept
    if "name" not in overrides:
        assert "Xác nhận tình trạng hôn nhân" in html
    assert Procedure.objects.count() == before


def test_it_refuses_to_create_a_procedure_for_another_agency(admins, admin_client):
    response = admin_client.post(f"{A}thu-tuc/moi/", _create_data(admins, agency=admins.other_commune.pk))
    assert response.status_code == 400
    assert "«Cơ quan thực hiện»: lựa chọn không hợp lệ" in page(response)
    assert not logs().exists()


# --- copy ----------------------------------------------------------------------------------------------------


def test_it_copies_a_procedure_into_a_new_draft_and_leaves_the_source_alone(admins, admin_client):
    source = procedure(BIRTH).published
    n_components = source.components.count()
    response = admin_client.get(f"{A}thu-tuc/{BIRTH}/sao-chep/")
    assert response.status_code == 200 and "Đăng ký khai sinh (bản sao)" in page(response)
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/sao-chep/", {
        "code": "1.001193-B", "name": "Đăng ký khai sinh có yếu tố nước ngoài", "agency": admins.commune.pk})
    assert response.status_code == 302
    copy = draft_of("1.001193-B")
    assert copy.name == "Đăng ký khai sinh có yếu tố nước ngoài" and copy.number == 1
    assert copy.components.count() == n_components
    assert copy.cases.get().steps.count() == 4
    assert procedure(BIRTH).published_id == source.pk and source.components.count() == n_components
    assert logs(object_type="catalog.procedureversion", object_id=str(copy.pk), action="create").exists()
    # A duplicate code is refused with the typed name kept.
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/sao-chep/", {
        "code": "1.001193-b", "name": "Tên đã gõ", "agency": admins.commune.pk})
    assert "đã có trong danh mục" in page(response) and "Tên đã gõ" in page(response)


# --- overview and drafts -------------------------------------------------------------------------------------


def test_it_shows_the_overview_and_starts_a_draft_copy_of_the_published_version(admins, admin_client):
    html = page(admin_client.get(f"{A}thu-tuc/{BIRTH}/"))
    assert "Tạo bản nháp để sửa" in html and "Đang áp dụng phiên bản 1" in html
    published = procedure(BIRTH).published
    draft = start(admin_client)
    assert draft.number == 2 and draft.change_note == "Sửa thành phần"
    assert draft.components.count() == published.components.count()
    assert procedure(BIRTH).published_id == published.pk
    assert logs(object_type="catalog.procedureversion", object_id=str(draft.pk), action="create").exists()
    html = page(admin_client.get(f"{A}thu-tuc/{BIRTH}/"))
    assert "Bản nháp phiên bản 2" in html and f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/" in html
    # A second start opens the same draft.
    admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/")
    assert procedure(BIRTH).versions.count() == 2


def test_it_sends_edits_without_a_draft_back_to_the_overview(admins, admin_client):
    from motcua.catalog.models import Component

    component = procedure(BIRTH).published.components.first()
    for url in (f"{A}thu-tuc/{BIRTH}/ban-nhap/chung/", f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/",
                f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/"):
        response = admin_client.post(url, {"name": "Sửa bản đang áp dụng"})
        assert response.status_code == 302 and response["Location"] == f"{A}thu-tuc/{BIRTH}/"
    assert Component.objects.get(pk=component.pk).name != "Sửa bản đang áp dụng"


def test_it_never_edits_rows_of_the_published_version_even_with_a_draft(admins, admin_client):
    from motcua.catalog.models import Component

    published = procedure(BIRTH).published
    component = published.components.first()
    start(admin_client)
    base = f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/"
    assert admin_client.post(base, {"name": "X", "paper": "original", "copies": 1,
                                    "accepted_types": "pdf"}).status_code == 404
    assert admin_client.post(f"{base}xoa/").status_code == 404
    assert admin_client.post(f"{base}di-chuyen/", {"huong": "xuong"}).status_code == 404
    assert Component.objects.get(pk=component.pk).name == component.name
    assert published.components.count() == 3


# --- general information ----------------------------------------------------------------------------------


def _general_data(draft, **overrides):
    data = {"name": draft.name, "sector": draft.sector_id, "agency": draft.agency_id,
            "receiving_agency": draft.receiving_agency_id, "for_citizens": "on", "public_service_code": "",
            "legal_basis": draft.legal_basis, "requirements": draft.requirements, "result": draft.result,
            "how_to_submit": "Nộp trực tiếp hoặc trực tuyến", "change_note": "Bổ sung cách thức"}
    data.update(overrides)
    return data


def test_it_saves_the_general_information_with_a_change_log_row(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/chung/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, _general_data(draft, name="Đăng ký khai sinh (sửa)"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Đăng ký khai sinh (sửa)" and draft.how_to_submit == "Nộp trực tiếp hoặc trực tuyến"
    assert procedure(BIRTH).published.name == "Đăng ký khai sinh"
    entry = logs(object_type="catalog.procedureversion", object_id=str(draft.pk), action="update").get()
    assert entry.before["name"] == "Đăng ký khai sinh" and entry.after["name"] == "Đăng ký khai sinh (sửa)"


def test_it_refuses_a_blank_name_and_keeps_the_rest_of_the_general_form(admins, admin_client):
    draft = start(admin_client)
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/chung/", _general_data(
        draft, name="", how_to_submit="Nội dung đã gõ", for_citizens=""))
    html = page(response)
    assert response.status_code == 400
    assert "Hãy nhập «Tên thủ tục»." in html and "Nội dung đã gõ" in html
    assert "Chọn ít nhất một đối tượng" in html
    assert 'href="#id_name"' in html
    draft.refresh_from_db()
    assert draft.name == "Đăng ký khai sinh" and draft.how_to_submit != "Nội dung đã gõ"


def test_it_offers_only_the_admins_agencies_as_the_owner(admins, admin_client):
    draft = start(admin_client)
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/chung/",
                                 _general_data(draft, agency=admins.other_commune.pk))
    assert "«cơ quan thực hiện»: lựa chọn không hợp lệ" in page(response).lower()
    draft.refresh_from_db()
    assert draft.agency_id == admins.commune.pk


# --- cases -------------------------------------------------------------------------------------------------


def test_it_adds_and_edits_a_case_and_refuses_a_bad_time(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/truong-hop/"
    response = admin_client.post(f"{url}them/", {"name": "Đăng ký khai sinh quá hạn", "time_amount": "3",
                                                 "time_unit": "working_days", "cutoff_time": "15:00"})
    assert response.status_code == 302
    case = draft.cases.get(name="Đăng ký khai sinh quá hạn")
    assert case.order == 1 and str(case.cutoff_time) == "15:00:00"
    response = admin_client.post(f"{url}{case.pk}/", {"name": "Quá hạn", "time_amount": "-1",
                                                      "time_unit": "working_days", "cutoff_time": "25:00"})
    html = page(response)
    assert response.status_code == 400 and "Quá hạn" in html
    assert "thời hạn giải quyết" in html.lower() and "giờ chốt tiếp nhận" in html.lower()
    case.refresh_from_db()
    assert case.name == "Đăng ký khai sinh quá hạn"
    assert "Đăng ký khai sinh quá hạn" in page(admin_client.get(url))


def test_it_asks_before_deleting_a_case_with_steps_and_deletes_them_together(admins, admin_client):
    from motcua.catalog.models import WorkflowStep

    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/truong-hop/"
    first = draft.cases.get()
    # The only case cannot go.
    response = admin_client.get(f"{url}{first.pk}/xoa/")
    assert "cần ít nhất một trường hợp" in page(response)
    assert admin_client.post(f"{url}{first.pk}/xoa/").status_code == 409
    admin_client.post(f"{url}them/", {"name": "Trường hợp 2", "time_amount": "2", "time_unit": "working_days"})
    html = page(admin_client.get(f"{url}{first.pk}/xoa/"))
    assert "có 4 bước xử lý" in html and "Không xóa, quay lại" in html
    step_ids = list(first.steps.values_list("pk", flat=True))
    assert admin_client.post(f"{url}{first.pk}/xoa/").status_code == 302
    assert not WorkflowStep.objects.filter(pk__in=step_ids).exists()
    assert list(draft.cases.values_list("name", flat=True)) == ["Trường hợp 2"]
    assert logs(object_type="catalog.procedurecase", object_id=str(first.pk), action="delete").get().before["name"]
    assert logs(object_type="catalog.workflowstep", action="delete").count() == 4
    # The published version still has its case and steps.
    assert procedure(BIRTH).published.cases.get().steps.count() == 4


# --- components ----------------------------------------------------------------------------------------------


def _component(**overrides):
    data = {"name": "Giấy xác nhận cư trú", "paper": "copy", "copies": "2", "required": "on",
            "accepted_types": "pdf, JPEG", "help_text": "Bản sao không cần chứng thực"}
    data.update(overrides)
    return data


def test_it_adds_a_component_and_logs_it(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/"
    response = admin_client.post(f"{url}them/", _component())
    assert response.status_code == 302
    component = draft.components.get(name="Giấy xác nhận cư trú")
    assert (component.paper, component.copies, component.required, component.accepted_types, component.order) == (
        "copy", 2, True, "pdf,jpg", 3)
    entry = logs(object_type="catalog.component", object_id=str(component.pk), action="create").get()
    assert entry.actor == admins.commune_admin and entry.after["name"] == "Giấy xác nhận cư trú"
    assert BIRTH in entry.note
    assert procedure(BIRTH).published.components.count() == 3
    html = page(admin_client.get(url))
    assert "Giấy xác nhận cư trú" in html and "Đã thêm giấy tờ" in html


def test_it_refuses_a_component_without_a_name_and_keeps_the_rest(admins, admin_client):
    draft = start(admin_client)
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/them/", _component(
        name="  ", help_text="Hướng dẫn đã gõ", accepted_types="pdf,exe"))
    html = page(response)
    assert response.status_code == 400
    assert "Hãy nhập «Tên giấy tờ»." in html
    assert "Loại tệp không nhận được: exe" in html
    assert "Hướng dẫn đã gõ" in html and 'href="#id_name"' in html
    assert draft.components.count() == 3
    assert not logs(object_type="catalog.component").exists()


def test_it_edits_and_reorders_components_with_up_and_down(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/"
    first, second, third = draft.components.order_by("order", "pk")
    html = page(admin_client.get(url))
    assert html.count('value="len"') == 2 and html.count('value="xuong"') == 2
    response = admin_client.post(f"{url}{third.pk}/di-chuyen/", {"huong": "len"})
    assert response.status_code == 302
    assert list(draft.components.order_by("order").values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    admin_client.post(f"{url}{first.pk}/di-chuyen/", {"huong": "len"})  # already first: nothing moves
    assert list(draft.components.order_by("order").values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    assert logs(object_type="catalog.component", object_id=str(third.pk), action="reorder").count() == 1
    assert admin_client.get(f"{url}{third.pk}/di-chuyen/").status_code == 405
    response = admin_client.post(f"{url}{second.pk}/", _component(name="Giấy chứng sinh (bản chính)",
                                                                  paper="original", copies="1", required=""))
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.name, second.required) == ("Giấy chứng sinh (bản chính)", False)
    entry = logs(object_type="catalog.component", object_id=str(second.pk), action="update").get()
    assert entry.before["required"] is True and entry.after["required"] is False


def test_it_uploads_a_form_template_as_a_new_file_and_refuses_a_disguised_one(admins, admin_client):
    from motcua.catalog.models import FormTemplate

    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/"
    component = draft.components.order_by("order").first()
    shared = component.form
    assert shared is not None and procedure(BIRTH).published.components.order_by("order").first().form == shared
    upload = SimpleUploadedFile("Tờ khai khai sinh.docx", docx_bytes())
    response = admin_client.post(f"{url}{component.pk}/", _component(name=component.name, form_file=upload))
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.form_id != shared.pk
    new = component.form
    assert new.filename == "to-khai-khai-sinh.docx" and new.size > 0 and len(new.sha256) == 64 and new.file
    assert FormTemplate.objects.get(pk=shared.pk).filename == shared.filename  # the shared row is untouched
    assert logs(object_type="catalog.formtemplate", object_id=str(new.pk), action="create").exists()
    # Same name again: a second, distinct file.
    admin_client.post(f"{url}{component.pk}/", _component(
        name=component.name, form_file=SimpleUploadedFile("To khai khai sinh.docx", docx_bytes())))
    component.refresh_from_db()
    assert component.form.filename == "to-khai-khai-sinh-2.docx" and component.form.file.name != new.file.name
    # PDF and old Word are fine; text named .docx, a zip that is no Word file, or an empty file are not.
    for name, data, ok in [("mau.pdf", PDF, True), ("mau.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 32, True),
                           ("gia.docx", b"not a word file", False), ("zip.docx", _zip_without_word(), False),
                           ("rong.pdf", b"", False)]:
        response = admin_client.post(f"{url}{component.pk}/", _component(
            name="Tên mới", form_file=SimpleUploadedFile(name, data)))
        if ok:
            assert response.status_code == 302, name
        else:
            assert response.status_code == 400, name
            html = page(response)
            assert (name in html or "rỗng" in html) and "Tên mới" in html and "chọn lại" in html


def _zip_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", "x")
    return buffer.getvalue()


def test_it_limits_the_size_of_a_form_template(admins, admin_client, settings):
    settings.MOTCUA_MAX_FORM_TEMPLATE_BYTES = 1024
    draft = start(admin_client)
    component = draft.components.first()
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/", _component(
        form_file=SimpleUploadedFile("lon.pdf", PDF + b"0" * 2048)))
    assert response.status_code == 400 and "lớn hơn giới hạn" in page(response)


def test_it_deletes_a_component_after_confirmation(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/"
    component = draft.components.order_by("order").last()
    response = admin_client.get(f"{url}{component.pk}/xoa/")
    assert response.status_code == 200 and component.name in page(response)
    assert draft.components.filter(pk=component.pk).exists()
    assert admin_client.post(f"{url}{component.pk}/xoa/").status_code == 302
    assert not draft.components.filter(pk=component.pk).exists()
    entry = logs(object_type="catalog.component", object_id=str(component.pk), action="delete").get()
    assert entry.before["name"] == component.name and entry.after is None


# --- fees, guides, FAQ ------------------------------------------------------------------------------------------


def test_it_adds_a_fee_with_dots_in_the_amount_and_refuses_a_bad_amount(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/le-phi/"
    response = admin_client.post(f"{url}them/", {"name": "Lệ phí cấp bản sao", "amount_vnd": "8.000 đ",
                                                 "collected": "at_return", "note": "Mỗi bản"})
    assert response.status_code == 302
    fee = draft.fees.get(name="Lệ phí cấp bản sao")
    assert (fee.amount_vnd, fee.collected) == (8000, "at_return")
    assert "8.000 đ" in page(admin_client.get(url))
    assert 'value="8.000"' in page(admin_client.get(f"{url}{fee.pk}/"))
    for bad in ("tám nghìn", "-5", "1.5e3", "99999999999"):
        response = admin_client.post(f"{url}{fee.pk}/", {"name": "Tên sửa", "amount_vnd": bad,
                                                         "collected": "at_return"})
        assert response.status_code == 400 and "Mức thu" in page(response) and bad in page(response)
    fee.refresh_from_db()
    assert fee.amount_vnd == 8000 and fee.name == "Lệ phí cấp bản sao"


def test_it_adds_a_guide_as_plain_text_with_a_video_upload_or_https_link(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/huong-dan/"
    response = admin_client.post(f"{url}them/", {
        "title": "Cách nộp trực tuyến", "body": "Bước 1: đăng nhập.\n\n<script>alert(1)</script>",
        "video_file": SimpleUploadedFile("huong-dan.mp4", MP4)})
    assert response.status_code == 302
    guide = draft.guides.get()
    assert guide.video.name.endswith(".mp4") and "huong-dan" not in guide.video.name
    assert "<script>" in guide.body  # stored as typed, shown escaped
    html = page(admin_client.get(url))
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    response = admin_client.post(f"{url}{guide.pk}/", {"title": "Cách nộp", "body": "x",
                                                      "video_file": SimpleUploadedFile("b.webm", WEBM)})
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.video.name.endswith(".webm")
    for data, field, message in (
            ({"video_url": "http://video.example/a"}, "video_url", "phải bắt đầu bằng https://"),
            ({"video_url": "javascript:alert(1)"}, "video_url", "Đường dẫn video"),
            ({"video_file": SimpleUploadedFile("gia.mp4", b"<html>not a video</html>")}, "video_file",
             "«gia.mp4» không phải video MP4 hay WebM")):
        response = admin_client.post(f"{url}{guide.pk}/", {"title": "Tiêu đề đã gõ", "body": "y", **data})
        html = page(response)
        assert response.status_code == 400 and "Tiêu đề đã gõ" in html
        assert f'id="id_{field}-error"' in html and message in html
        assert 'href="javascript:' not in html
    response = admin_client.post(f"{url}{guide.pk}/", {"title": "Cách nộp", "body": "x",
                                                      "video_url": "https://video.example/a", "remove_video": "on"})
    guide.refresh_from_db()
    assert guide.video_url == "https://video.example/a" and not guide.video


def test_it_adds_and_edits_faq(admins, admin_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/hoi-dap/"
    assert admin_client.post(f"{url}them/", {"question": "Có cần mang CCCD?", "answer": "Có."}).status_code == 302
    faq = draft.faqs.get()
    response = admin_client.post(f"{url}{faq.pk}/", {"question": "Có cần mang CCCD?", "answer": ""})
    assert "Hãy nhập «Trả lời»." in page(response)
    assert admin_client.post(f"{url}{faq.pk}/", {"question": "Q\x00?", "answer": "A"}).status_code == 302
    faq.refresh_from_db()
    assert faq.question == "Q?"


# --- access: agency A's admin on agency B's procedure ----------------------------------------------------------


def _urls(code, pks):
    base = f"{A}thu-tuc/{code}/"
    urls = [base, f"{base}sao-chep/", f"{base}ban-nhap/", f"{base}ban-nhap/chung/"]
    for key, pk in pks.items():
        urls += [f"{base}ban-nhap/{key}/", f"{base}ban-nhap/{key}/them/", f"{base}ban-nhap/{key}/{pk}/",
                 f"{base}ban-nhap/{key}/{pk}/xoa/", f"{base}ban-nhap/{key}/{pk}/di-chuyen/"]
    return urls


def test_it_answers_403_to_another_agencys_admin_on_every_url(admins, admin_client, other_admin_client):
    draft = start(admin_client)
    admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/huong-dan/them/", {"title": "T", "body": "B"})
    admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/hoi-dap/them/", {"question": "Q", "answer": "A"})
    pks = {"truong-hop": draft.cases.first().pk, "thanh-phan": draft.components.first().pk,
           "le-phi": draft.fees.first().pk, "huong-dan": draft.guides.first().pk, "hoi-dap": draft.faqs.first().pk}
    before = logs().count()
    for url in _urls(BIRTH, pks):
        assert other_admin_client.get(url).status_code == 403, url
        assert other_admin_client.post(url, {"name": "X", "huong": "len", "code": "X.1"}).status_code == 403, url
    assert logs().count() == before
    # The provincial admin may.
    province = signed_in(admins.province_admin)
    assert province.get(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/").status_code == 200
    assert province.get(f"{A}thu-tuc/khong-co/").status_code == 404


def test_it_does_not_let_an_agency_admin_copy_into_another_agency(admins, other_admin_client):
    response = other_admin_client.post(f"{A}thu-tuc/{BUILDING}/sao-chep/", {
        "code": "X.2", "name": "Bản sao", "agency": admins.commune.pk})
    assert response.status_code == 400 and "lựa chọn không hợp lệ" in page(response)
    from motcua.catalog.models import Procedure

    assert not Procedure.objects.filter(code="X.2").exists()


def test_it_saves_a_shorter_legal_time_but_warns_that_the_workflow_is_over(admins, admin_client):
    draft = start(admin_client)
    case = draft.cases.get()
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/truong-hop/"
    response = admin_client.post(f"{url}{case.pk}/", {"name": case.name, "time_amount": "1",
                                                      "time_unit": "working_hours", "cutoff_time": "15:00"},
                                 follow=True)
    html = page(response)
    assert "vượt thời hạn" in html and "Quy trình xử lý" in html
    case.refresh_from_db()
    assert (case.time_amount, case.time_unit) == (1, "working_hours")
    assert f"{A}thu-tuc/{BIRTH}/ban-nhap/quy-trinh/?truong-hop={case.pk}" in html
    # Within the time: no warning.
    response = admin_client.post(f"{url}{case.pk}/", {"name": case.name, "time_amount": "2",
                                                      "time_unit": "working_days"}, follow=True)
    assert "vượt thời hạn" not in page(response)


def test_it_lists_with_a_fixed_number_of_queries(admins, province_client, django_assert_max_num_queries):
    from motcua.catalog.models import Procedure
    from motcua.worktime.services import calendar_for

    assert Procedure.objects.count() > 5
    calendar_for()  # the working calendar is read once per process, not once per page
    with django_assert_max_num_queries(12):
        assert province_client.get(A).status_code == 200
    draft = start(province_client)
    for i in range(6):
        province_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/truong-hop/them/",
                             {"name": f"TH {i}", "time_amount": "1", "time_unit": "working_days"})
    assert draft.cases.count() == 7
    for key in ("truong-hop", "thanh-phan", "le-phi", "huong-dan", "hoi-dap"):
        with django_assert_max_num_queries(14):
            assert province_client.get(f"{A}thu-tuc/{BIRTH}/ban-nhap/{key}/").status_code == 200


def test_it_previews_a_guide_as_paragraphs_and_ignores_a_bad_agency_filter(admins, admin_client, province_client):
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/huong-dan/"
    admin_client.post(f"{url}them/", {"title": "Các bước", "body": "Đoạn một.\n\nĐoạn <b>hai</b>\ndòng mới"})
    guide = draft.guides.get()
    html = page(admin_client.get(f"{url}{guide.pk}/"))
    assert "<p>Đoạn một.</p>" in html and "<p>Đoạn &lt;b&gt;hai&lt;/b&gt;<br>dòng mới</p>" in html
    html = page(province_client.get(A, {"q": "khai sinh", "agency": "999999"}))
    assert BIRTH in html and BUILDING not in html


def test_it_removes_an_uploaded_file_when_the_save_fails(admins, admin_client, settings, monkeypatch):
    from motcua.catalog import actions as catalog_actions

    draft = start(admin_client)
    component = draft.components.order_by("order").last()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(catalog_actions, "touch", broken)
    with pytest.raises(RuntimeError):
        admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/", _component(
            name=component.name, form_file=SimpleUploadedFile("mau.pdf", PDF)))
    forms_dir = settings.MEDIA_ROOT / "forms"
    assert not forms_dir.exists() or not any(p.is_file() for p in forms_dir.rglob("*"))
    component.refresh_from_db()
    assert component.form_id is None
    assert not logs(object_type="catalog.formtemplate").exists()


def test_it_refuses_a_form_template_that_is_a_zip_bomb(admins, admin_client):
    draft = start(admin_client)
    component = draft.components.order_by("order").first()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (200 * 1024 * 1024))  # 200 MB of zeros, ~200 KB packed
    response = admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/", _component(
        name="Tên mới", form_file=SimpleUploadedFile("bom.docx", buffer.getvalue())))
    assert response.status_code == 400 and "giải nén ra quá lớn" in page(response) and "Tên mới" in page(response)
    component.refresh_from_db()
    assert component.name != "Tên mới"


def test_it_edits_the_fee_rule_as_plain_lines(admins, admin_client):
    """Issue #17: basis, page tiers, a cap, reductions and the online exemption, saved through the
    catalogue actions (logged) and shown back as typed."""
    draft = start(admin_client)
    url = f"{A}thu-tuc/{BIRTH}/ban-nhap/le-phi/"
    response = admin_client.post(f"{url}them/", {
        "name": "Phí chứng thực", "amount_vnd": "2.000", "basis": "page", "tiers": "từ trang 3: 1.000",
        "cap_vnd": "200.000", "reductions": "Sinh viên, người có công: 1000", "online_exempt": "on",
        "collected": "at_reception"})
    assert response.status_code == 302
    fee = draft.fees.get(name="Phí chứng thực")
    assert (fee.basis, fee.tiers, fee.cap_vnd, fee.online_exempt) == (
        "page", [{"from_page": 3, "amount_vnd": 1000}], 200000, True)
    assert fee.reductions == [{"kind": "Sinh viên, người có công", "amount_vnd": 1000}]
    assert "Từ trang 3: 1.000 đồng mỗi trang" in page(admin_client.get(url))
    form = page(admin_client.get(f"{url}{fee.pk}/"))
    assert "từ trang 3: 1.000" in form and "Sinh viên, người có công: 1.000" in form
    for bad in ({"tiers": "trang ba"}, {"reductions": "Sinh viên"}, {"basis": "copy", "tiers": "từ trang 3: 1000"},
                {"reductions": "Sinh viên: 5.000"}):
        data = {"name": "Phí chứng thực", "amount_vnd": "2.000", "basis": "page", "collected": "at_reception"} | bad
        assert admin_client.post(f"{url}{fee.pk}/", data).status_code == 400
    fee.refresh_from_db()
    assert fee.cap_vnd == 200000
