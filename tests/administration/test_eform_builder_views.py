"""The e-form builder pages (/can-bo/quan-tri/thu-tuc/<code>/ban-nhap/bieu-mau/...)."""

from __future__ import annotations

import pytest

from tests.administration.conftest import BIRTH, BUILDING

pytestmark = pytest.mark.django_db

BASE = f"/can-bo/quan-tri/thu-tuc/{BIRTH}/ban-nhap/bieu-mau/"


@pytest.fixture
def draft(admins):
    from motcua.catalog.actions import start_draft
    from motcua.catalog.models import Procedure

    return start_draft(Procedure.objects.get(code=BIRTH))


@pytest.fixture
def eform(draft):
    """The draft's e-form with a yes/no question, a field shown by it, a choice and a table."""
    from motcua.eforms.models import EForm

    return EForm.objects.create(procedure_version=draft, title="Tờ khai thử", schema=[
        {"key": "ho_ten", "label": "Họ và tên", "type": "text", "required": True, "prefill": "profile.full_name",
         "pdf": {"section": "I. Người yêu cầu", "order": 10}},
        {"key": "co_cha", "label": "Có thông tin người cha", "type": "yes_no",
         "pdf": {"section": "II. Cha", "order": 20}},
        {"key": "ten_cha", "label": "Họ tên cha", "type": "text", "show_if": {"field": "co_cha", "equals": True},
         "pdf": {"section": "II. Cha", "order": 30}},
        {"key": "gioi_tinh", "label": "Giới tính", "type": "choice",
         "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
        {"key": "con", "label": "Các con", "type": "repeat", "fields": [
            {"key": "ten", "label": "Tên", "type": "text"},
            {"key": "nam_sinh", "label": "Năm sinh", "type": "number"}]},
    ])


def schema_keys(eform, parent=None):
    eform.refresh_from_db()
    specs = eform.schema if parent is None else next(s for s in eform.schema if s["key"] == parent)["fields"]
    return [s["key"] for s in specs]


def last_log(eform):
    from motcua.audit.models import ChangeLog

    return ChangeLog.objects.filter(object_type="eforms.eform", object_id=str(eform.pk)).order_by("-pk").first()


# --- creating the e-form ---------------------------------------------------------------------------


def test_it_creates_the_drafts_eform_from_the_generic_fields_with_a_log_row(admin_client, draft, admins):
    from motcua.audit.models import ChangeLog
    from motcua.eforms.defaults import GENERIC_SCHEMA
    from motcua.eforms.models import EForm

    EForm.objects.filter(procedure_version=draft).delete()
    page = admin_client.get(BASE)
    assert page.status_code == 200
    assert "Tạo biểu mẫu điện tử" in page.content.decode()
    component = draft.components.order_by("order").first()
    response = admin_client.post(BASE, {"title": "Tờ khai khai sinh", "component": component.pk,
                                        "start_generic": "on"})
    assert response.status_code == 302
    eform = EForm.objects.get(procedure_version=draft)
    assert eform.title == "Tờ khai khai sinh" and eform.component == component
    assert [s["key"] for s in eform.schema] == [s["key"] for s in GENERIC_SCHEMA]
    log = ChangeLog.objects.get(object_type="eforms.eform", object_id=str(eform.pk))
    assert log.action == "create" and log.actor == admins.commune_admin and log.agency_id == draft.agency_id
    assert log.before is None and log.after["title"] == "Tờ khai khai sinh"


def test_it_refuses_an_eform_without_a_title_and_keeps_the_choice(admin_client, draft):
    from motcua.eforms.models import EForm

    EForm.objects.filter(procedure_version=draft).delete()
    component = draft.components.order_by("order").first()
    response = admin_client.post(BASE, {"title": " ", "component": component.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy nhập tên tờ khai" in html and 'href="#id_title"' in html
    assert f'value="{component.pk}" selected' in html
    assert not EForm.objects.filter(procedure_version=draft).exists()


def test_the_list_shows_fields_in_order_with_type_required_and_condition(admin_client, eform):
    html = admin_client.get(BASE).content.decode()
    assert html.index("Họ và tên") < html.index("Có thông tin người cha") < html.index("Giới tính")
    assert "Có/Không" in html and "Bảng nhiều dòng" in html
    assert "Chỉ hiện khi «Có thông tin người cha» là «Có»" in html
    assert f'action="{BASE}truong/ho_ten/di-chuyen/"' in html


# --- adding and editing fields ---------------------------------------------------------------------------


def test_adding_starts_with_a_type_picker_in_plain_words(admin_client, eform):
    html = admin_client.get(f"{BASE}them/").content.decode()
    for label in ("Văn bản một dòng", "Chọn một", "Có/Không", "Số định danh cá nhân", "Bảng nhiều dòng"):
        assert label in html
    response = admin_client.get(f"{BASE}them/?loai=khong_co")
    assert response.status_code == 400 and "Hãy chọn một kiểu trường" in response.content.decode()


def test_it_adds_a_field_suggesting_the_key_from_the_label_and_logs_before_and_after(admin_client, eform, admins):
    before = list(eform.schema)
    response = admin_client.post(f"{BASE}them/?loai=text", {
        "type": "text", "label": "Nơi sinh của trẻ", "key": "", "required": "on", "help": "Ghi tên cơ sở y tế",
        "max_length": "200", "pdf_section": "__moi__", "pdf_section_new": " III.  Nơi sinh ", "pdf_order": "40",
    })
    assert response.status_code == 302
    eform.refresh_from_db()
    assert eform.schema[-1] == {"key": "noi_sinh_cua_tre", "label": "Nơi sinh của trẻ", "type": "text",
                                "required": True, "help": "Ghi tên cơ sở y tế", "validation": {"max_length": 200},
                                "pdf": {"section": "III. Nơi sinh", "order": 40}}
    log = last_log(eform)
    assert log.action == "update" and log.actor == admins.commune_admin
    assert log.before["schema"] == before and log.after["schema"] == eform.schema
    assert "Nơi sinh của trẻ" in log.note


def test_a_duplicate_key_is_refused_naming_it_and_everything_typed_is_kept(admin_client, eform):
    response = admin_client.post(f"{BASE}them/?loai=text", {
        "type": "text", "label": "Họ tên người khác", "key": "ho_ten", "help": "Gợi ý giữ lại", "max_length": "80",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mã trường «ho_ten» đã được dùng cho trường «Họ và tên»" in html
    assert 'href="#id_key"' in html
    assert 'value="Họ tên người khác"' in html and "Gợi ý giữ lại" in html and 'value="80"' in html
    assert schema_keys(eform) == ["ho_ten", "co_cha", "ten_cha", "gioi_tinh", "con"]


def test_a_broken_pattern_is_refused_with_the_regex_error(admin_client, eform):
    response = admin_client.post(f"{BASE}them/?loai=text", {
        "type": "text", "label": "Mã hộ", "key": "ma_ho", "pattern": "([0-9]{6}", "pattern_message": "6 chữ số",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Biểu thức kiểm tra «([0-9]{6}» bị lỗi" in html and 'href="#id_pattern"' in html
    assert 'value="([0-9]{6}"' in html and 'value="6 chữ số"' in html
    assert "ma_ho" not in schema_keys(eform)


def test_a_field_without_a_label_is_refused(admin_client, eform):
    response = admin_client.post(f"{BASE}them/?loai=number", {"type": "number", "label": "", "key": "so",
                                                               "min_value": "5", "max_value": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy nhập câu hỏi (nhãn) của trường" in html
    assert "Giá trị nhỏ nhất (5) lớn hơn giới hạn trên (1)" in html
    assert "so" not in schema_keys(eform)


def test_it_adds_a_choice_field_with_choice_rows_and_a_condition(admin_client, eform):
    data = {"type": "choice", "label": "Nơi sinh", "key": "", "choice-rows": "4",
            "choice-label-0": "Cơ sở y tế", "choice-value-0": "", "choice-label-1": "Tại nhà",
            "choice-value-1": "tai_nha", "choice-label-2": "", "choice-value-2": "",
            "choice-label-3": "", "choice-value-3": "", "show_if_field": "gioi_tinh", "show_if_value": "Nữ"}
    more = admin_client.post(f"{BASE}them/?loai=choice", {**data, "_more_choices": "1"})
    assert more.status_code == 200
    assert 'name="choice-rows" value="7"' in more.content.decode()
    assert "noi_sinh" not in schema_keys(eform)
    assert admin_client.post(f"{BASE}them/?loai=choice", data).status_code == 302
    eform.refresh_from_db()
    assert eform.schema[-1]["choices"] == [{"value": "co_so_y_te", "label": "Cơ sở y tế"},
                                           {"value": "tai_nha", "label": "Tại nhà"}]
    assert eform.schema[-1]["show_if"] == {"field": "gioi_tinh", "equals": "nu"}
    # Several values, separated by «;», make an «in» condition, shown again in words when editing.
    response = admin_client.post(f"{BASE}them/?loai=text", {
        "type": "text", "label": "Ghi chú", "show_if_field": "gioi_tinh", "show_if_value": "Nam; nu"})
    assert response.status_code == 302
    eform.refresh_from_db()
    assert eform.schema[-1]["show_if"] == {"field": "gioi_tinh", "in": ["nam", "nu"]}
    assert 'value="nam; nu"' in admin_client.get(f"{BASE}truong/ghi_chu/").content.decode()


def test_choice_problems_are_named_and_rows_kept(admin_client, eform):
    response = admin_client.post(f"{BASE}them/?loai=choice", {
        "type": "choice", "label": "Dân tộc", "choice-rows": "2", "choice-label-0": "Kinh", "choice-value-0": "kinh",
        "choice-label-1": "Kinh (lặp)", "choice-value-1": "kinh", "show_if_field": "co_cha",
        "show_if_value": "có lẽ"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Lựa chọn «kinh» (dòng 2) bị trùng" in html and 'href="#choice-label-1"' in html
    assert "hãy ghi «Có» hoặc «Không»" in html
    assert 'value="Kinh (lặp)"' in html


def test_it_edits_a_field_renaming_its_key_for_the_conditions_too(admin_client, eform):
    page = admin_client.get(f"{BASE}truong/co_cha/")
    assert page.status_code == 200 and 'value="Có thông tin người cha"' in page.content.decode()
    response = admin_client.post(f"{BASE}truong/co_cha/", {
        "label": "Có cha", "key": "co_cha_ruot", "required": "on", "pdf_section": "II. Cha", "pdf_order": "20"})
    assert response.status_code == 302
    eform.refresh_from_db()
    assert eform.schema[1] == {"key": "co_cha_ruot", "label": "Có cha", "type": "yes_no", "required": True,
                               "pdf": {"section": "II. Cha", "order": 20}}
    assert eform.schema[2]["show_if"] == {"field": "co_cha_ruot", "equals": True}


def test_editing_keeps_conditions_in_words_and_refuses_a_later_field(admin_client, eform):
    html = admin_client.get(f"{BASE}truong/ten_cha/").content.decode()
    assert '<option value="co_cha" selected>' in html and 'value="Có"' in html
    # The picker offers only earlier fields: a later one is refused.
    response = admin_client.post(f"{BASE}truong/ten_cha/", {"label": "Họ tên cha", "key": "ten_cha",
                                                            "show_if_field": "gioi_tinh", "show_if_value": "nam"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chỉ chọn được một trường đứng trước" in html and 'href="#id_show_if_field"' in html
    assert 'value="nam"' in html
    eform.refresh_from_db()
    assert eform.schema[2]["show_if"] == {"field": "co_cha", "equals": True}


def test_validation_rules_and_prefill_are_saved(admin_client, eform):
    response = admin_client.post(f"{BASE}them/?loai=date", {
        "type": "date", "label": "Ngày sinh", "min_date": "01/01/1900", "max_date": "hôm nay",
        "prefill": "profile.date_of_birth"})
    assert response.status_code == 302
    eform.refresh_from_db()
    assert eform.schema[-1]["validation"] == {"min_value": "1900-01-01", "max_value": "today"}
    assert eform.schema[-1]["prefill"] == "profile.date_of_birth"
    bad = admin_client.post(f"{BASE}them/?loai=date", {"type": "date", "label": "Ngày cấp", "min_date": "31/02/2020"})
    assert bad.status_code == 400 and "«31/02/2020» không phải ngày" in bad.content.decode()


# --- moving and removing ---------------------------------------------------------------------------------


def test_up_and_down_buttons_move_fields_and_log_a_reorder(admin_client, eform):
    response = admin_client.post(f"{BASE}truong/gioi_tinh/di-chuyen/", {"huong": "len"})
    assert response.status_code == 302
    assert schema_keys(eform) == ["ho_ten", "co_cha", "gioi_tinh", "ten_cha", "con"]
    assert last_log(eform).action == "reorder"
    assert admin_client.post(f"{BASE}truong/ten_cha/di-chuyen/", {"huong": "len"}).status_code == 302
    assert schema_keys(eform) == ["ho_ten", "co_cha", "ten_cha", "gioi_tinh", "con"]
    refused = admin_client.post(f"{BASE}truong/ten_cha/di-chuyen/", {"huong": "len"}, follow=True)
    assert "phải đứng sau «Có thông tin người cha»" in refused.content.decode()
    assert schema_keys(eform) == ["ho_ten", "co_cha", "ten_cha", "gioi_tinh", "con"]
    assert admin_client.post(f"{BASE}truong/con/di-chuyen/", {"huong": "xuong"}).status_code == 302  # already last
    assert schema_keys(eform)[-1] == "con"


def test_removing_asks_first_and_refuses_a_field_others_depend_on(admin_client, eform):
    confirm = admin_client.get(f"{BASE}truong/co_cha/xoa/").content.decode()
    assert "Chưa xóa được trường này" in confirm and "Họ tên cha" in confirm
    refused = admin_client.post(f"{BASE}truong/co_cha/xoa/", follow=True)
    assert "Họ tên cha" in refused.content.decode()
    assert "co_cha" in schema_keys(eform)
    page = admin_client.get(f"{BASE}truong/gioi_tinh/xoa/").content.decode()
    assert "Xóa trường «Giới tính»?" in page
    assert admin_client.post(f"{BASE}truong/gioi_tinh/xoa/").status_code == 302
    assert "gioi_tinh" not in schema_keys(eform)
    log = last_log(eform)
    assert any(s["key"] == "gioi_tinh" for s in log.before["schema"])
    assert not any(s["key"] == "gioi_tinh" for s in log.after["schema"])


def test_table_columns_are_added_edited_moved_and_removed(admin_client, eform):
    page = admin_client.get(f"{BASE}truong/con/").content.decode()
    assert "Các cột của bảng «Các con»" in page and f"{BASE}truong/con/cot/ten/" in page
    assert admin_client.post(f"{BASE}truong/con/them/?loai=date", {
        "type": "date", "label": "Ngày sinh con", "required": "on"}).status_code == 302
    assert schema_keys(eform, "con") == ["ten", "nam_sinh", "ngay_sinh_con"]
    assert admin_client.post(f"{BASE}truong/con/cot/ngay_sinh_con/di-chuyen/", {"huong": "len"}).status_code == 302
    assert schema_keys(eform, "con") == ["ten", "ngay_sinh_con", "nam_sinh"]
    assert admin_client.post(f"{BASE}truong/con/cot/ten/", {"label": "Họ tên con", "key": "ten"}).status_code == 302
    eform.refresh_from_db()
    assert eform.schema[-1]["fields"][0]["label"] == "Họ tên con"
    assert admin_client.post(f"{BASE}truong/con/cot/nam_sinh/xoa/").status_code == 302
    assert schema_keys(eform, "con") == ["ten", "ngay_sinh_con"]
    # No table in a table, and no prefill or PDF placement for a column.
    assert "Bảng nhiều dòng" not in admin_client.get(f"{BASE}truong/con/them/").content.decode()
    column = admin_client.get(f"{BASE}truong/con/cot/ten/").content.decode()
    assert "id_prefill" not in column and "id_pdf_section" not in column


def test_adding_a_table_asks_for_its_first_column(admin_client, eform):
    bad = admin_client.post(f"{BASE}them/?loai=repeat", {"type": "repeat", "label": "Người thừa kế"})
    assert bad.status_code == 400 and "Hãy nhập tên cột đầu tiên" in bad.content.decode()
    ok = admin_client.post(f"{BASE}them/?loai=repeat", {"type": "repeat", "label": "Người thừa kế",
                                                         "first_column": "Họ và tên", "max_rows": "10"})
    assert ok.status_code == 302 and ok["Location"].endswith("truong/nguoi_thua_ke/")
    eform.refresh_from_db()
    assert eform.schema[-1]["fields"] == [{"key": "ho_va_ten", "label": "Họ và tên", "type": "text"}]


def test_an_unknown_field_is_404(admin_client, eform):
    assert admin_client.get(f"{BASE}truong/khong_co/").status_code == 404
    assert admin_client.get(f"{BASE}truong/ho_ten/cot/x/").status_code == 404
    assert admin_client.post(f"{BASE}truong/khong_co/xoa/").status_code == 404


# --- preview and PDF ------------------------------------------------------------------------------------


def test_preview_renders_the_citizen_wizard_partials_and_checks_answers(admin_client, eform):
    from motcua.eforms import rendering
    from motcua.eforms.schema import clean_data

    html = admin_client.get(f"{BASE}xem-truoc/").content.decode()
    for spec in eform.schema:
        assert f'data-field="f-{spec["key"]}"' in html
    assert 'name="f-con-0-ten"' in html and "Chỉ điền khi «Có thông tin người cha» là «Có»." in html
    response = admin_client.post(f"{BASE}xem-truoc/", {"f-ho_ten": "", "f-co_cha": "yes", "f-ten_cha": "Trần Văn B",
                                                         "f-con-rows": "1", "f-con-0-nam_sinh": "abc", "_check": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    _cleaned, errors = clean_data(eform.schema, rendering.parse_post(eform.schema, {
        "f-ho_ten": "", "f-con-rows": "1", "f-con-0-nam_sinh": "abc"}))
    for message in errors.values():
        assert message.replace("«", "&laquo;") in page or message in page
    assert 'value="Trần Văn B"' in page
    ok = admin_client.post(f"{BASE}xem-truoc/", {"f-ho_ten": "Nguyễn Văn A", "f-co_cha": "no", "_check": "1"})
    assert ok.status_code == 200 and "Các câu trả lời đã điền hợp lệ" in ok.content.decode()


def test_the_preview_pdf_is_the_application_form(admin_client, eform):
    empty = admin_client.get(f"{BASE}to-khai.pdf")
    assert empty.status_code == 200 and empty["Content-Type"] == "application/pdf"
    assert empty.content.startswith(b"%PDF")
    filled = admin_client.post(f"{BASE}to-khai.pdf", {"f-ho_ten": "Nguyễn Văn A", "f-co_cha": "no"})
    assert filled.status_code == 200 and filled.content.startswith(b"%PDF")


def test_application_preview_places_fields_by_pdf_section_and_order(eform, draft):
    from motcua.administration.eform_builder import application_preview

    empty = application_preview(draft, eform, None)
    assert [s.title for s in empty.sections] == ["", "I. Người yêu cầu", "II. Cha"] or \
        [s.title for s in empty.sections] == ["I. Người yêu cầu", "II. Cha", ""]
    by_title = {s.title: [f.label for f in s.fields] for s in empty.sections}
    assert by_title["II. Cha"] == ["Có thông tin người cha", "Họ tên cha"]  # conditions ignored: whole layout
    filled = application_preview(draft, eform, {"ho_ten": "Nguyễn Văn A", "co_cha": False})
    by_title = {s.title: [(f.label, f.value) for f in s.fields] for s in filled.sections}
    assert ("Họ và tên", "Nguyễn Văn A") in by_title["I. Người yêu cầu"]
    assert [label for label, _v in by_title["II. Cha"]] == ["Có thông tin người cha"]
    assert filled.applicant_name == "Nguyễn Văn A"


# --- who may edit what -------------------------------------------------------------------------------------

URLS = ["", "thiet-lap/", "them/", "them/?loai=text", "xem-truoc/", "to-khai.pdf", "truong/ho_ten/",
        "truong/ho_ten/xoa/", "truong/con/them/", "truong/con/cot/ten/", "truong/con/cot/ten/xoa/"]
POSTS = ["", "thiet-lap/", "them/?loai=text", "truong/ho_ten/", "truong/ho_ten/di-chuyen/", "truong/ho_ten/xoa/",
         "truong/con/them/?loai=text", "truong/con/cot/ten/", "truong/con/cot/ten/di-chuyen/",
         "truong/con/cot/ten/xoa/", "xem-truoc/", "to-khai.pdf"]


@pytest.mark.parametrize("url", URLS)
def test_an_admin_of_another_agency_gets_403_on_every_page(other_admin_client, officer_client, eform, url):
    assert other_admin_client.get(BASE + url).status_code == 403
    assert officer_client.get(BASE + url).status_code == 403


@pytest.mark.parametrize("url", POSTS)
def test_an_admin_of_another_agency_cannot_change_anything(other_admin_client, eform, url):
    before = list(eform.schema)
    response = other_admin_client.post(BASE + url, {"label": "Sửa trộm", "key": "ho_ten", "huong": "len",
                                                     "type": "text", "title": "Sửa trộm"})
    assert response.status_code == 403
    eform.refresh_from_db()
    assert eform.schema == before and eform.title == "Tờ khai thử"


def test_the_provincial_admin_edits_every_agency(province_client, eform):
    assert province_client.get(BASE).status_code == 200
    assert province_client.post(f"{BASE}truong/gioi_tinh/di-chuyen/", {"huong": "len"}).status_code == 302


def test_other_agencies_own_procedure_is_theirs(other_admin_client, admin_client, admins):
    from motcua.catalog.actions import start_draft
    from motcua.catalog.models import Procedure

    start_draft(Procedure.objects.get(code=BUILDING))
    url = f"/can-bo/quan-tri/thu-tuc/{BUILDING}/ban-nhap/bieu-mau/"
    assert other_admin_client.get(url).status_code == 200
    assert admin_client.get(url).status_code == 403


# --- only drafts ------------------------------------------------------------------------------------------


def test_a_published_eform_is_never_modified(admin_client, eform, draft):
    from motcua.catalog.actions import publish_version
    from motcua.eforms.models import EForm

    publish_version(draft)
    published = EForm.objects.get(pk=eform.pk)
    before = (published.title, list(published.schema))
    for url, data in ((f"{BASE}them/?loai=text", {"type": "text", "label": "Mới"}),
                      (f"{BASE}truong/ho_ten/", {"label": "Đổi", "key": "ho_ten"}),
                      (f"{BASE}truong/ho_ten/di-chuyen/", {"huong": "xuong"}),
                      (f"{BASE}truong/gioi_tinh/xoa/", {}),
                      (f"{BASE}thiet-lap/", {"title": "Đổi tên"})):
        response = admin_client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == f"/can-bo/quan-tri/thu-tuc/{BIRTH}/"
    published.refresh_from_db()
    assert (published.title, published.schema) == before


def test_a_new_draft_edits_its_own_copy_of_the_eform(admin_client, eform, draft):
    from motcua.catalog.actions import publish_version, start_draft
    from motcua.eforms.models import EForm

    publish_version(draft)
    new_draft = start_draft(draft.procedure)
    assert admin_client.post(f"{BASE}them/?loai=phone", {"type": "phone", "label": "Điện thoại"}).status_code == 302
    copy = EForm.objects.get(procedure_version=new_draft)
    assert copy.pk != eform.pk and copy.schema[-1]["key"] == "dien_thoai"
    eform.refresh_from_db()
    assert "dien_thoai" not in [s["key"] for s in eform.schema]


def test_the_builder_templates_and_script_respect_the_content_security_policy():
    """No inline script, no style attribute, no javascript: URL (the site's CSP blocks them)."""
    import re
    from pathlib import Path

    import motcua.administration

    root = Path(motcua.administration.__file__).parent
    files = [*(root / "templates/administration/eform").glob("*.html")]
    assert len(files) >= 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle\s*=", text), path
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), path
        assert "javascript:" not in text and not re.search(r"\son[a-z]+\s*=", text), path


@pytest.mark.parametrize("kind", ["text", "long_text", "number", "date", "choice", "multi_choice", "yes_no",
                                  "id_number", "phone", "email", "address", "repeat"])
def test_garbage_input_never_gives_a_500_and_changes_nothing(admin_client, eform, kind):
    before = list(eform.schema)
    garbage = {"type": kind, "label": "x" * 600, "key": "Không Hợp Lệ!", "required": "maybe", "help": "h" * 2000,
               "min_length": "abc", "max_length": "-3", "min_value": "1,2,3", "max_value": "∞", "integer": "x",
               "min_date": "hôm qua", "max_date": "2020-13-45", "min_items": "9999", "max_items": "",
               "min_rows": "-1", "max_rows": "100", "pattern": "(", "pattern_message": "m",
               "prefill": "profile.nope", "show_if_field": "khong_co", "show_if_value": "x",
               "pdf_section": "s" * 300, "pdf_order": "mười", "pdf_label": "", "choice-rows": "zz",
               "first_column": ""}
    for url in (f"{BASE}them/?loai={kind}", f"{BASE}truong/ho_ten/", f"{BASE}truong/con/them/?loai={kind}"):
        response = admin_client.post(url, garbage)
        assert response.status_code == 400, url
        assert "error-summary" in response.content.decode()
    eform.refresh_from_db()
    assert eform.schema == before


def test_odd_requests_are_answered_plainly(admin_client, eform):
    assert admin_client.post(f"{BASE}truong/ho_ten/di-chuyen/", {"huong": "ngang"}).status_code == 302
    assert admin_client.post(f"{BASE}truong/ho_ten/", {"label": "Họ và tên", "choice-rows": "99999999"}).status_code \
        == 302
    assert admin_client.get(f"{BASE}truong/ho_ten/cot/ten/").status_code == 404  # not a table
    assert admin_client.post(f"{BASE}xem-truoc/", {"f-con-rows": "abc", "_add_row": "khong_co"}).status_code == 200
    assert admin_client.get(f"{BASE}truong/ho_ten/di-chuyen/").status_code == 405


def test_the_field_list_takes_a_fixed_number_of_queries(admin_client, eform, django_assert_max_num_queries):
    from motcua.eforms.models import EForm

    admin_client.get(BASE)
    with django_assert_max_num_queries(12):
        assert admin_client.get(BASE).status_code == 200
    EForm.objects.filter(pk=eform.pk).update(schema=[
        {"key": f"truong_{i}", "label": f"Trường {i}", "type": "text"} for i in range(150)])
    with django_assert_max_num_queries(12):
        assert admin_client.get(BASE).status_code == 200


def test_settings_rename_the_form_even_when_an_old_import_left_problems(admin_client, eform, draft):
    from motcua.eforms.models import EForm

    broken = [*eform.schema, {"key": "cu", "label": "Cũ", "type": "text", "validation": {"min_value": 1}}]
    EForm.objects.filter(pk=eform.pk).update(schema=broken)
    assert "Biểu mẫu còn vấn đề" in admin_client.get(BASE).content.decode()
    other = draft.components.order_by("-order").first()
    response = admin_client.post(f"{BASE}thiet-lap/", {"title": "Tờ khai mới", "component": other.pk})
    assert response.status_code == 302
    eform.refresh_from_db()
    assert (eform.title, eform.component, eform.schema) == ("Tờ khai mới", other, broken)
    assert last_log(eform).before["title"] == "Tờ khai thử" and last_log(eform).after["title"] == "Tờ khai mới"
    empty = admin_client.post(f"{BASE}thiet-lap/", {"title": "", "component": other.pk})
    assert empty.status_code == 400 and "Hãy nhập tên tờ khai" in empty.content.decode()


# --- #18: insert at a position, reorder without a page load, the PDF section picker ------------------------


def test_a_field_is_inserted_before_the_field_chosen_in_the_list(admin_client, eform, admins):
    html = admin_client.get(BASE).content.decode()
    assert f'href="{BASE}them/?truoc=gioi_tinh"' in html and "Chèn trường trước" in html
    picker = admin_client.get(f"{BASE}them/?truoc=gioi_tinh").content.decode()
    assert "Trường mới sẽ được chèn trước «Giới tính»" in picker
    assert '<input type="hidden" name="truoc" value="gioi_tinh">' in picker
    form = admin_client.get(f"{BASE}them/?loai=text&truoc=gioi_tinh").content.decode()
    assert '<option value="gioi_tinh" selected>Vị trí 4: trước «Giới tính»</option>' in form
    assert "Vị trí 6: cuối cùng, sau «Các con»" in form
    response = admin_client.post(f"{BASE}them/?loai=text&truoc=gioi_tinh", {
        "type": "text", "label": "Dân tộc", "key": "dan_toc", "position": "gioi_tinh"})
    assert response.status_code == 302
    assert schema_keys(eform) == ["ho_ten", "co_cha", "ten_cha", "dan_toc", "gioi_tinh", "con"]
    assert last_log(eform).actor == admins.commune_admin and "Dân tộc" in last_log(eform).note
    # The first place, and the end (the position chosen in the form wins over the link's).
    admin_client.post(f"{BASE}them/?loai=text&truoc=gioi_tinh", {
        "type": "text", "label": "Số hồ sơ", "key": "so", "position": "ho_ten"})
    admin_client.post(f"{BASE}them/?loai=text", {"type": "text", "label": "Ghi chú", "key": "ghi_chu", "position": ""})
    assert schema_keys(eform) == ["so", "ho_ten", "co_cha", "ten_cha", "dan_toc", "gioi_tinh", "con", "ghi_chu"]


def test_a_column_is_inserted_before_another_column(admin_client, eform):
    html = admin_client.get(f"{BASE}truong/con/").content.decode()
    assert f'href="{BASE}truong/con/them/?truoc=nam_sinh"' in html and "Chèn cột trước" in html
    response = admin_client.post(f"{BASE}truong/con/them/?loai=text&truoc=nam_sinh", {
        "type": "text", "label": "Giới tính", "key": "gioi_tinh_con", "position": "nam_sinh"})
    assert response.status_code == 302
    assert schema_keys(eform, "con") == ["ten", "gioi_tinh_con", "nam_sinh"]


def test_an_insert_position_that_is_gone_or_made_up_is_refused_plainly(admin_client, eform):
    before = list(eform.schema)
    response = admin_client.post(f"{BASE}them/?loai=text", {
        "type": "text", "label": "Dân tộc", "key": "dan_toc", "position": "khong_co"})
    assert response.status_code == 400 and "Vị trí đã chọn không còn" in response.content.decode()
    eform.refresh_from_db()
    assert eform.schema == before
    # A condition on a field that would come after the new one is refused, not saved in a broken order:
    # inserted before «Giới tính», the new field may depend on «Có thông tin người cha» only.
    form = admin_client.get(f"{BASE}them/?loai=text&truoc=gioi_tinh").content.decode()
    assert '<option value="co_cha">' in form and '<option value="gioi_tinh">Giới tính' not in form
    response = admin_client.post(f"{BASE}them/?loai=text", {
        "type": "text", "label": "Tên mẹ", "key": "ten_me", "position": "gioi_tinh",
        "show_if_field": "gioi_tinh", "show_if_value": "Nữ"})
    assert response.status_code == 400
    eform.refresh_from_db()
    assert eform.schema == before


def test_moving_with_fetch_answers_json_with_the_new_place_and_saves(admin_client, eform, admins):
    response = admin_client.post(f"{BASE}truong/gioi_tinh/di-chuyen/", {"huong": "len"},
                                 HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"ok": True, "message": "Đã chuyển «Giới tính» lên vị trí 3.", "position": 3,
                               "count": 5}
    assert schema_keys(eform) == ["ho_ten", "co_cha", "gioi_tinh", "ten_cha", "con"]
    assert last_log(eform).action == "reorder" and last_log(eform).actor == admins.commune_admin
    down = admin_client.post(f"{BASE}truong/ho_ten/di-chuyen/", {"huong": "xuong"}, HTTP_ACCEPT="application/json")
    assert down.json()["message"] == "Đã chuyển «Họ và tên» xuống vị trí 2."
    # A refusal is JSON too, with the reason, and nothing moves.
    for place in (3, 2):  # [co_cha, ho_ten, gioi_tinh, ten_cha, con]: ten_cha goes up twice, then must stop
        moved = admin_client.post(f"{BASE}truong/ten_cha/di-chuyen/", {"huong": "len"}, HTTP_ACCEPT="application/json")
        assert moved.json()["position"] == place
    refused = admin_client.post(f"{BASE}truong/ten_cha/di-chuyen/", {"huong": "len"}, HTTP_ACCEPT="application/json")
    assert schema_keys(eform) == ["co_cha", "ten_cha", "ho_ten", "gioi_tinh", "con"]
    assert refused.status_code == 409 and refused.json()["ok"] is False
    assert "phải đứng sau «Có thông tin người cha»" in refused.json()["message"]
    bad = admin_client.post(f"{BASE}truong/ten_cha/di-chuyen/", {"huong": "ngang"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["ok"] is False
    # Without JavaScript: the same move as a page, with the same sentence.
    page = admin_client.post(f"{BASE}truong/con/di-chuyen/", {"huong": "len"}, follow=True).content.decode()
    assert "Đã chuyển «Các con» lên vị trí 4." in page


def test_the_list_has_a_live_region_and_the_reorder_script(admin_client, eform):
    html = admin_client.get(BASE).content.decode()
    assert '<p class="eb-live" id="eb-live" role="status" aria-live="polite"></p>' in html
    assert "administration/eform_reorder.js" in html and 'data-move="len"' in html and "data-reorder" in html


def test_the_pdf_section_is_chosen_from_the_existing_ones_or_a_new_one(admin_client, eform):
    html = admin_client.get(f"{BASE}truong/ten_cha/").content.decode()
    assert '<select name="pdf_section"' in html and 'list="eb-sections"' not in html
    assert '<option value="II. Cha" selected>II. Cha</option>' in html
    assert '<option value="I. Người yêu cầu">I. Người yêu cầu</option>' in html
    assert '<option value="__moi__">+ Mục mới (ghi tên ở ô bên dưới)</option>' in html
    admin_client.post(f"{BASE}truong/ten_cha/", {"label": "Họ tên cha", "key": "ten_cha",
                                                 "pdf_section": "I. Người yêu cầu",
                                                 "show_if_field": "co_cha", "show_if_value": "Có"})
    eform.refresh_from_db()
    assert eform.schema[2]["pdf"] == {"section": "I. Người yêu cầu"}
    # «+ Mục mới» needs its name; a name with an existing section chosen is ambiguous; a made-up value is refused.
    for data, message in (({"pdf_section": "__moi__", "pdf_section_new": " "}, "Hãy ghi tên mục mới"),
                          ({"pdf_section": "II. Cha", "pdf_section_new": "IV. Khác"}, "hãy chọn «+ Mục mới»"),
                          ({"pdf_section": "IX. Không có"}, "Mục «IX. Không có» chưa có")):
        response = admin_client.post(f"{BASE}truong/ho_ten/", {"label": "Họ và tên", "key": "ho_ten", **data})
        assert response.status_code == 400 and message in response.content.decode(), data
    response = admin_client.post(f"{BASE}truong/ho_ten/", {"label": "Họ và tên", "key": "ho_ten",
                                                           "pdf_section": "__moi__", "pdf_section_new": "IV. Khác"})
    assert response.status_code == 302
    eform.refresh_from_db()
    assert eform.schema[0]["pdf"] == {"section": "IV. Khác"}
    assert "IV. Khác" in admin_client.get(f"{BASE}truong/co_cha/").content.decode()  # offered next time


def test_a_move_at_the_top_or_bottom_answers_409_and_logs_nothing(admin_client, eform):
    from motcua.audit.models import ChangeLog

    logged = ChangeLog.objects.count()
    first = admin_client.post(f"{BASE}truong/ho_ten/di-chuyen/", {"huong": "len"}, HTTP_ACCEPT="application/json")
    assert first.status_code == 409
    assert first.json() == {"ok": False, "message": "«Họ và tên» đã ở vị trí đầu tiên."}
    last = admin_client.post(f"{BASE}truong/con/di-chuyen/", {"huong": "xuong"}, HTTP_ACCEPT="application/json")
    assert last.status_code == 409 and last.json()["message"] == "«Các con» đã ở vị trí cuối cùng."
    column = admin_client.post(f"{BASE}truong/con/cot/nam_sinh/di-chuyen/", {"huong": "xuong"},
                               HTTP_ACCEPT="application/json")
    assert column.status_code == 409
    page = admin_client.post(f"{BASE}truong/ho_ten/di-chuyen/", {"huong": "len"}, follow=True)  # without JS
    assert "«Họ và tên» đã ở vị trí đầu tiên." in page.content.decode()
    assert ChangeLog.objects.count() == logged
    assert schema_keys(eform) == ["ho_ten", "co_cha", "ten_cha", "gioi_tinh", "con"]


def test_editing_keeps_prefill_if_same_as_and_unknown_keys_and_renames_their_references(admin_client, eform):
    """Keys the field form has no input for (prefill_if, same_as, default, rules it does not show)
    survive an edit; a renamed key is carried into prefill_if and same_as; removal counts them."""
    from motcua.eforms.models import EForm

    schema = [
        {"key": "quan_he", "label": "Quan hệ", "type": "choice",
         "choices": [{"value": "me", "label": "Mẹ"}, {"value": "cha", "label": "Cha"}]},
        {"key": "ten_me", "label": "Họ tên mẹ", "type": "text", "prefill": "profile.full_name",
         "prefill_if": {"field": "quan_he", "equals": "me"}, "default": "x",
         "pdf": {"section": "I. Mẹ", "order": 10}},
        {"key": "dia_chi", "label": "Địa chỉ người yêu cầu", "type": "address"},
        {"key": "dia_chi_me", "label": "Nơi cư trú của mẹ", "type": "address",
         "same_as": {"field": "dia_chi", "label": "Giống địa chỉ người yêu cầu"}},
    ]
    EForm.objects.filter(pk=eform.pk).update(schema=schema)
    response = admin_client.post(f"{BASE}truong/ten_me/", {
        "label": "Họ, chữ đệm, tên mẹ", "key": "ten_me", "prefill": "profile.full_name",
        "pdf_section": "I. Mẹ", "pdf_order": "10"})
    assert response.status_code == 302, response.content.decode()[:2000]
    eform.refresh_from_db()
    mother = eform.schema[1]
    assert mother["label"] == "Họ, chữ đệm, tên mẹ"
    assert mother["prefill_if"] == {"field": "quan_he", "equals": "me"} and mother["default"] == "x"
    response = admin_client.post(f"{BASE}truong/dia_chi_me/", {"label": "Nơi ở của mẹ", "key": "dia_chi_me"})
    assert response.status_code == 302, response.content.decode()[:2000]
    eform.refresh_from_db()
    assert eform.schema[3]["same_as"] == {"field": "dia_chi", "label": "Giống địa chỉ người yêu cầu"}
    # Renaming the fields they refer to carries the new keys over.
    assert admin_client.post(f"{BASE}truong/quan_he/", {
        "label": "Quan hệ", "key": "quan_he_voi_tre", "choice-rows": "2", "choice-value-0": "me",
        "choice-label-0": "Mẹ", "choice-value-1": "cha", "choice-label-1": "Cha"}).status_code == 302
    assert admin_client.post(f"{BASE}truong/dia_chi/", {"label": "Địa chỉ", "key": "dia_chi_nyc"}).status_code == 302
    eform.refresh_from_db()
    assert eform.schema[1]["prefill_if"]["field"] == "quan_he_voi_tre"
    assert eform.schema[3]["same_as"]["field"] == "dia_chi_nyc"
    # And a field others refer to is not removed.
    for key, user in (("quan_he_voi_tre", "Họ, chữ đệm, tên mẹ"), ("dia_chi_nyc", "Nơi ở của mẹ")):
        refused = admin_client.post(f"{BASE}truong/{key}/xoa/", follow=True)
        assert user in refused.content.decode()
        assert key in schema_keys(eform)
