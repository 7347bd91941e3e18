"""The change log page: who changed what and when, before → after per field, filters and agency scope."""

from __future__ import annotations

from .conftest import BIRTH, BUILDING

A = "/can-bo/quan-tri/"
LOG = f"{A}nhat-ky/"


def _edit_a_component(client):
    from motcua.catalog.models import ProcedureVersion

    client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/")
    draft = ProcedureVersion.objects.get(procedure__code=BIRTH, state="draft")
    component = draft.components.order_by("order").first()
    response = client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/", {
        "name": "Tờ khai đăng ký khai sinh (mẫu mới)", "paper": "original", "copies": "2", "required": "on",
        "accepted_types": "pdf", "help_text": ""})
    assert response.status_code == 302
    return draft, component


def test_it_shows_who_changed_what_with_before_and_after(admins, admin_client):
    draft, component = _edit_a_component(admin_client)
    response = admin_client.get(LOG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cán bộ qt_tanthanh" in html
    assert "Tờ khai đăng ký khai sinh (mẫu mới)" in html
    assert "Sửa" in html and "Tạo mới" in html
    # Before → after with the field's label, only the fields that changed.
    assert "Tên giấy tờ" in html and "Tờ khai đăng ký khai sinh theo mẫu" in html
    assert "Số lượng" in html and "Loại tệp nhận" in html


def test_it_shows_choices_and_related_objects_in_words(admins, admin_client):
    from motcua.audit.models import ChangeLog

    draft, component = _edit_a_component(admin_client)
    admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/thanh-phan/{component.pk}/", {
        "name": "Tờ khai", "paper": "certified_copy", "copies": "1", "accepted_types": "pdf"})
    html = admin_client.get(LOG, {"loai": "catalog.component"}).content.decode()
    assert "Bản sao chứng thực" in html and "Bản chính" in html and "certified_copy" not in html
    # The draft's creation names its agency and sector, not their ids.
    html = admin_client.get(LOG, {"loai": "catalog.procedureversion"}).content.decode()
    assert '<td class="bo-break">Ủy ban nhân dân phường Tân Thành</td>' in html
    assert '<td class="bo-break">Hộ tịch</td>' in html
    assert ChangeLog.objects.filter(object_type="catalog.procedureversion").get().after["agency"] == admins.commune.pk
    assert f"Thủ tục {BIRTH}, phiên bản 2" in html


def test_it_filters_by_object_type_object_and_text(admins, admin_client):
    draft, component = _edit_a_component(admin_client)
    html = admin_client.get(LOG, {"loai": "catalog.component"}).content.decode()
    assert "1 thay đổi" in html and "mẫu mới" in html
    html = admin_client.get(LOG, {"loai": "catalog.procedureversion"}).content.decode()
    assert "mẫu mới" not in html and "1 thay đổi" in html
    html = admin_client.get(LOG, {"loai": "catalog.component", "ma": str(component.pk + 1000)}).content.decode()
    assert "0 thay đổi" in html
    html = admin_client.get(LOG, {"q": "mẫu mới"}).content.decode()
    assert "1 thay đổi" in html
    # Unknown filters are ignored, never an error.
    assert admin_client.get(LOG, {"loai": "auth.user", "co_quan": "x", "q": "\x00", "trang": "99"}).status_code == 200


def test_it_shows_each_admin_only_the_changes_of_their_agencies(admins, admin_client, other_admin_client,
                                                                province_client):
    _edit_a_component(admin_client)
    other = other_admin_client.get(LOG).content.decode()
    assert "0 thay đổi" in other and "mẫu mới" not in other
    # The province sees everything, with an agency filter.
    html = province_client.get(LOG).content.decode()
    assert "mẫu mới" in html and 'name="co_quan"' in html
    html = province_client.get(LOG, {"co_quan": admins.other_commune.pk}).content.decode()
    assert "mẫu mới" not in html
    html = province_client.get(LOG, {"co_quan": admins.commune.pk}).content.decode()
    assert "mẫu mới" in html


def test_it_keeps_non_admins_out_of_the_change_log(admins, officer_client):
    assert officer_client.get(LOG).status_code == 403


def test_it_links_the_overview_to_the_procedures_changes(admins, admin_client, province_client):
    _edit_a_component(admin_client)
    html = admin_client.get(f"{A}thu-tuc/{BIRTH}/").content.decode()
    assert f"{LOG}?q={BIRTH}" in html
    html = admin_client.get(LOG, {"q": BIRTH}).content.decode()
    assert "mẫu mới" in html
    html = province_client.get(LOG, {"q": BUILDING}).content.decode()
    assert "mẫu mới" not in html


def test_it_records_no_change_when_a_form_is_saved_unchanged_and_shows_local_times(admins, admin_client):
    from motcua.audit.changelog import changed_fields
    from motcua.audit.models import ChangeLog
    from motcua.catalog.models import ProcedureVersion

    admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/")
    case = ProcedureVersion.objects.get(procedure__code=BIRTH, state="draft").cases.get()
    admin_client.post(f"{A}thu-tuc/{BIRTH}/ban-nhap/truong-hop/{case.pk}/", {
        "name": case.name, "time_amount": "1", "time_unit": "same_day", "cutoff_time": "15:00"})
    entry = ChangeLog.objects.get(object_type="catalog.procedurecase", action="update")
    assert changed_fields(entry.before, entry.after) == []
    html = admin_client.get(LOG, {"loai": "catalog.procedureversion"}).content.decode()
    assert "+00:00" not in html and "Source hash" not in html
