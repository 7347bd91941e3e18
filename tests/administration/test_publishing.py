"""Checking a draft, the readable diff, publishing and retiring (engineer A2's part of issue #6).

The rules are tested directly on `publishing`; the pages through the test client as an agency admin."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.administration.conftest import BIRTH, BUILDING, MARRIAGE

pytestmark = pytest.mark.django_db

BASE = "/can-bo/quan-tri/thu-tuc/"
FIELD = {"key": "ho_ten", "label": "Họ và tên người yêu cầu", "type": "text", "required": True}


def procedure(code: str):
    from motcua.catalog.models import Procedure

    return Procedure.objects.select_related("published").get(code=code)


def draft_of(code: str):
    from motcua.catalog.actions import start_draft

    return start_draft(procedure(code))


def give_eform(version, schema=None, title="Tờ khai đăng ký kết hôn"):
    from motcua.eforms.models import EForm

    return EForm.objects.update_or_create(procedure_version=version,
                                          defaults={"title": title, "schema": schema or [FIELD]})[0]


def ready_draft(code: str = MARRIAGE):
    """A draft with nothing to fix (MARRIAGE is level 3 without fees: it needs an e-form)."""
    draft = draft_of(code)
    give_eform(draft)
    return draft


def messages_of(problems) -> str:
    return "\n".join(str(p) for p in problems)


# --- validate_draft -----------------------------------------------------------------------------------


def test_it_accepts_a_complete_draft(admins):
    from motcua.catalog.validation import validate_draft

    assert validate_draft(ready_draft()) == []


def test_it_refuses_a_workflow_over_the_legal_time_and_names_the_overrun(admins):
    from motcua.catalog.validation import validate_draft

    draft = ready_draft()
    case = draft.cases.get()
    # Same day: 2 hours are sure (a receipt at the 15:00 cut-off, done by 17:00); the sample's steps use 2.
    assert case.time_unit == "same_day"
    step = case.steps.order_by("order").first()
    step.quota_hours = step.quota_hours + Decimal("3")
    step.save()
    problems = validate_draft(draft)
    assert len(problems) == 1
    p = problems[0]
    assert p.section == "quy-trinh" and p.url == f"{BASE}{MARRIAGE}/ban-nhap/quy-trinh/"
    assert case.name in p.obj
    assert "5 giờ làm việc" in p.message and "vượt" in p.message and "3 giờ làm việc" in p.message


def test_it_converts_working_days_to_hours_for_the_budget(admins):
    from motcua.catalog.validation import validate_draft

    draft = draft_of(BUILDING)  # 15 working days = 120 hours, the sample's steps use 120
    draft.level = 2
    draft.save()
    assert validate_draft(draft) == []
    case = draft.cases.get()
    case.time_amount = Decimal("14")
    case.save()
    (problem,) = validate_draft(draft)
    assert "120 giờ làm việc" in problem.message and "112 giờ làm việc" in problem.message


def test_it_lists_every_problem_of_the_draft_with_its_section(admins):
    from motcua.catalog.models import Component, ProcedureCase
    from motcua.catalog.validation import validate_draft

    draft = ready_draft()
    draft.name = "  "
    draft.for_citizens = draft.for_businesses = False
    draft.save()
    Component.objects.create(version=draft, order=9, name="", accepted_types="")
    fee = draft.fees.first()
    fee.name = ""
    fee.save()
    empty_case = ProcedureCase.objects.create(version=draft, order=5, name="Trường hợp mới", time_amount=0)
    give_eform(draft, schema=[{"key": "so_nha", "label": "Số nhà", "type": "text", "validation": {"pattern": "([a-z"}},
                              {"key": "so_nha", "label": "Số nhà (lặp)", "type": "text"}])
    problems = validate_draft(draft)
    by_section = {}
    for p in problems:
        by_section.setdefault(p.section, []).append(p)
    text = messages_of(problems)
    assert "Chưa có tên thủ tục" in text
    assert "đối tượng thực hiện" in text
    assert {p.message for p in by_section["thanh-phan"]} >= {"Chưa có tên giấy tờ.",
                                                             "Chưa ghi loại tệp được nộp trực tuyến (ví dụ pdf,jpg)."}
    assert "Chưa có tên khoản phí, lệ phí." in text
    assert any(empty_case.name in p.obj and "lớn hơn 0" in p.message for p in by_section["truong-hop"])
    assert any(empty_case.name in p.obj and "Chưa có bước" in p.message for p in by_section["quy-trinh"])
    eform_messages = " ".join(p.message for p in by_section["bieu-mau"])
    assert "so_nha" in eform_messages
    assert len(by_section["bieu-mau"]) >= 2  # the broken pattern and the duplicate key, each named
    # Level 3 is not consistent any more: a required component has no name.
    assert any(p.section == "thanh-phan" and "bắt buộc" in p.message for p in problems)
    for p in problems:
        assert p.url.startswith(f"{BASE}{MARRIAGE}/")


def test_it_refuses_a_step_without_a_role_and_an_eform_component_of_another_version(admins):
    from motcua.catalog.validation import validate_draft

    draft = ready_draft()
    step = draft.cases.get().steps.order_by("order").last()
    step.role = ""
    step.save()
    eform = draft.eform
    eform.component = procedure(MARRIAGE).published.components.first()
    eform.save()
    text = messages_of(validate_draft(draft))
    assert "Chưa chọn vai trò thực hiện bước." in text
    assert "không thuộc bản nháp này" in text


def test_it_refuses_an_inter_agency_step_of_an_agency_that_closed(admins):
    import datetime as dt

    from motcua.catalog.validation import validate_draft

    draft = ready_draft()
    other = admins.other_commune
    other.valid_to = dt.date(2020, 1, 1)
    other.save()
    step = draft.cases.get().steps.order_by("order").first()
    step.agency = other
    step.save()
    (problem,) = validate_draft(draft)
    assert problem.section == "quy-trinh" and "liên thông" in problem.message


def test_it_checks_the_level_of_the_draft(admins):
    from motcua.catalog.validation import level_requirements, validate_draft

    draft = draft_of(MARRIAGE)  # level 3 without an e-form
    (problem,) = validate_draft(draft)
    assert problem.section == "bieu-mau" and "biểu mẫu điện tử" in problem.message
    assert level_requirements(draft, 2) == []
    assert level_requirements(draft, 3) == [problem.message]


# --- diff_versions -----------------------------------------------------------------------------------


def test_it_describes_the_changes_in_words(admins):
    from motcua.administration.publishing import diff_versions
    from motcua.catalog.models import Component

    old = procedure(MARRIAGE).published
    draft = ready_draft()
    draft.name = "Đăng ký kết hôn (mới)"
    draft.save()
    first = draft.components.order_by("order").first()
    first.copies = 2
    first.required = not first.required
    first.save()
    Component.objects.create(version=draft, order=99, name="Giấy xác nhận tình trạng hôn nhân", paper="copy")
    step = draft.cases.get().steps.order_by("order").first()
    step.quota_hours = Decimal("1.5")
    step.save()
    removed = draft.faqs.first()
    if removed:
        removed.delete()
    sections = {s.section: s for s in diff_versions(old, draft)}

    general = sections["chung"].changes[0]
    assert ("Tên thủ tục", old.name, "Đăng ký kết hôn (mới)") in [(f.label, f.before, f.after) for f in general.fields]
    comps = sections["thanh-phan"].changes
    changed = next(c for c in comps if c.kind == "changed")
    fields = {f.label: (f.before, f.after) for f in changed.fields}
    assert fields["Số lượng"] == ("1", "2")
    assert set(fields["Bắt buộc"]) == {"Có", "Không"}
    added = next(c for c in comps if c.kind == "added")
    assert "Giấy xác nhận tình trạng hôn nhân" in added.label
    assert ("Loại bản", "", "Bản sao") in [(f.label, f.before, f.after) for f in added.fields]
    workflow = sections["quy-trinh"].changes
    assert any(f.label == "Thời gian định mức" and f.after == "1,5 giờ làm việc" for c in workflow for f in c.fields)
    eform = sections["bieu-mau"].changes
    assert any(c.kind == "added" and "ho_ten" in c.label for c in eform)
    if removed:
        assert any(c.kind == "removed" for c in sections["hoi-dap"].changes)


def test_it_pairs_renamed_items_and_reports_moves_without_noise_from_insertions(admins):
    from motcua.administration.publishing import diff_versions
    from motcua.catalog.models import Component

    old = procedure(BIRTH).published
    draft = draft_of(BIRTH)
    comps = list(draft.components.order_by("order"))
    assert len(comps) >= 3
    comps[0].name = comps[0].name + " (sửa tên)"
    comps[0].save()
    Component.objects.create(version=draft, order=0, name="Giấy tờ chèn lên đầu")
    sections = {s.section: s for s in diff_versions(old, draft)}
    changes = sections["thanh-phan"].changes
    assert [c.kind for c in changes].count("added") == 1
    assert not [c for c in changes if c.kind == "removed"]
    renamed = next(c for c in changes if c.kind == "changed")
    assert [f.label for f in renamed.fields] == ["Tên giấy tờ"]  # inserting above is not a move
    # Swap the last two: a move, in words.
    comps[1].order, comps[2].order = 20, 10
    comps[1].save()
    comps[2].save()
    sections = {s.section: s for s in diff_versions(old, draft)}
    moves = [f for c in sections["thanh-phan"].changes for f in c.fields if f.label == "Vị trí"]
    assert len(moves) == 2


def test_an_unchanged_draft_has_no_differences(admins):
    from motcua.administration.publishing import diff_versions

    assert diff_versions(procedure(BIRTH).published, draft_of(BIRTH)) == []


# --- the check page and publishing --------------------------------------------------------------------


def test_it_shows_the_problems_with_links_and_the_diff(admins, admin_client):
    draft = draft_of(MARRIAGE)
    draft.name = "Đăng ký kết hôn – sửa"
    draft.save()
    page = admin_client.get(f"{BASE}{MARRIAGE}/ban-nhap/kiem-tra/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cần sửa 1 điều trước khi công bố" in html
    assert f'href="{BASE}{MARRIAGE}/ban-nhap/bieu-mau/"' in html
    assert "Đăng ký kết hôn – sửa" in html and "Tên thủ tục" in html
    assert "ban-nhap/cong-bo/" not in html  # no publish button while there are problems


def test_it_publishes_a_valid_draft_and_keeps_what_was_received(admins, admin_client, catalog):
    from motcua.accounts.models import Membership, User
    from motcua.audit.models import ChangeLog
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers import actions
    from motcua.submissions import services as submissions

    v1 = procedure(MARRIAGE).published
    v1_case = v1.cases.get()
    v1_steps = list(v1_case.steps.order_by("order").values_list("pk", "name", "quota_hours"))
    receptionist = User.objects.create_user("tn_tt", full_name="Tiếp nhận")
    Membership.objects.create(user=receptionist, agency=admins.commune, role="receptionist")
    old = actions.create_dossier(actor=receptionist, version=v1, channel=1, applicant=actions.Applicant(
        name="Nguyễn Văn An", id_number="096090001234", phone="0912345678", email="", address="Cà Mau")).dossier

    draft = ready_draft()
    from motcua.catalog.models import Component

    Component.objects.create(version=draft, order=50, name="Ảnh chân dung", paper="original")
    step = draft.cases.get().steps.order_by("order").first()
    step.name = "Tiếp nhận và kiểm tra"
    step.save()
    page = admin_client.get(f"{BASE}{MARRIAGE}/ban-nhap/kiem-tra/")
    assert "Bản nháp hợp lệ" in page.content.decode()

    # The note is required; what was typed comes back.
    refused = admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "   "})
    assert refused.status_code == 400 and "Nội dung thay đổi" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"

    response = admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "Thêm ảnh chân dung"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}{MARRIAGE}/"
    follow = admin_client.get(response["Location"])
    assert "Đã công bố phiên bản 2" in follow.content.decode()

    v2 = procedure(MARRIAGE).published
    assert v2.pk == draft.pk and v2.state == "published" and v2.change_note == "Thêm ảnh chân dung"
    assert ProcedureVersion.objects.get(pk=v1.pk).state == "retired"
    logs = ChangeLog.objects.filter(object_type="catalog.procedureversion")
    publish = logs.get(action="publish", object_id=str(v2.pk))
    assert publish.actor == admins.commune_admin and publish.agency == admins.commune
    assert publish.before["state"] == "draft" and publish.after["state"] == "published"
    assert logs.get(action="retire", object_id=str(v1.pk)).after["state"] == "retired"

    # The dossier received before keeps v1, its case and steps; new dossiers use v2.
    old.refresh_from_db()
    assert old.procedure_version_id == v1.pk and old.case_id == v1_case.pk
    assert list(old.case.steps.order_by("order").values_list("pk", "name", "quota_hours")) == v1_steps
    new = actions.create_dossier(actor=receptionist, version=procedure(MARRIAGE).published, channel=1,
                                 applicant=actions.Applicant(name="Trần Thị Bình", id_number="096090001235",
                                                             phone="0912345679", email="", address="Cà Mau")).dossier
    assert new.procedure_version_id == v2.pk and new.case.version_id == v2.pk
    citizen = User.objects.create_user("congdan_a2", full_name="Lê Văn Công")
    online = submissions.start_draft(citizen, procedure(MARRIAGE).published)
    assert online.version_id == v2.pk
    assert "Ảnh chân dung" in [c.name for c in submissions.components_of(online.version)]
    assert [f["key"] for f in submissions.spec_for(online).schema] == ["ho_ten"]


def test_the_portal_shows_the_new_version_after_publishing(admins, admin_client, client):
    draft = ready_draft()
    draft.name = "Đăng ký kết hôn trực tuyến liên thông"
    draft.save()
    response = admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "Đổi tên"})
    assert response.status_code == 302
    page = client.get(f"/thu-tuc/{MARRIAGE}/")
    assert page.status_code == 200 and "Đăng ký kết hôn trực tuyến liên thông" in page.content.decode()
    found = client.get("/thu-tuc/", {"q": "ket hon truc tuyen lien thong"})
    assert f"/thu-tuc/{MARRIAGE}/" in found.content.decode()


def test_publishing_refuses_an_invalid_draft_server_side_and_keeps_the_note(admins, admin_client):
    draft = ready_draft()
    step = draft.cases.get().steps.order_by("order").first()
    step.quota_hours = Decimal("40")
    step.save()
    response = admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "Ghi chú của tôi"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa công bố được" in html and "vượt thời hạn" in html
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert procedure(MARRIAGE).published.number == 1


def test_publishing_without_a_draft_sends_back_to_the_procedure(admins, admin_client):
    response = admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "x"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}{MARRIAGE}/"
    assert admin_client.get(f"{BASE}{MARRIAGE}/ban-nhap/kiem-tra/").status_code == 302


def test_a_published_version_is_never_edited_by_publishing(admins, admin_client):
    """Publishing the draft changes only the draft row's state; the old version's content stays."""
    from motcua.audit.changelog import snapshot
    from motcua.catalog.models import ProcedureVersion

    v1 = procedure(MARRIAGE).published
    before = snapshot(v1, exclude=("state", "retired_at", "updated_at"))
    draft = ready_draft()
    draft.name = "Tên mới"
    draft.save()
    assert admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "Đổi tên"}).status_code == 302
    assert snapshot(ProcedureVersion.objects.get(pk=v1.pk), exclude=("state", "retired_at", "updated_at")) == before


# --- retire ------------------------------------------------------------------------------------------


def test_it_retires_a_version_after_confirmation(admins, admin_client, client):
    from motcua.audit.models import ChangeLog

    v1 = procedure(MARRIAGE).published
    url = f"{BASE}{MARRIAGE}/phien-ban/1/ngung/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and "không còn hiện trên cổng" in confirm.content.decode()
    assert procedure(MARRIAGE).published_id == v1.pk  # a GET changes nothing
    response = admin_client.post(url)
    assert response.status_code == 302
    assert procedure(MARRIAGE).published is None
    row = ChangeLog.objects.get(action="retire", object_id=str(v1.pk))
    assert row.before["state"] == "published" and row.after["state"] == "retired"
    assert client.get(f"/thu-tuc/{MARRIAGE}/").status_code == 404
    again = admin_client.post(url)
    assert again.status_code == 302 and ChangeLog.objects.filter(action="retire").count() == 1
    assert admin_client.get(f"{BASE}{MARRIAGE}/phien-ban/9/ngung/").status_code == 404


# --- another agency ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method,path", [
    ("get", "ban-nhap/kiem-tra/"),
    ("post", "ban-nhap/cong-bo/"),
    ("get", "phien-ban/1/ngung/"),
    ("post", "phien-ban/1/ngung/"),
    ("get", "muc-do/"),
    ("post", "muc-do/"),
])
def test_an_admin_of_another_agency_gets_403(admins, other_admin_client, officer_client, method, path):
    from motcua.catalog.models import ProcedureVersion

    ready_draft()
    url = f"{BASE}{MARRIAGE}/{path}"
    data = {"note": "x", "level": "1"}
    response = getattr(other_admin_client, method)(url, data)
    assert response.status_code == 403
    assert "cơ quan mình" in response.content.decode()
    assert getattr(officer_client, method)(url, data).status_code == 403
    assert ProcedureVersion.objects.filter(procedure__code=MARRIAGE, state="draft").count() == 1
    assert procedure(MARRIAGE).published.number == 1


def test_a_provincial_admin_may_publish_for_any_agency(admins, province_client):
    ready_draft()
    response = province_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "Cấp tỉnh công bố"})
    assert response.status_code == 302
    assert procedure(MARRIAGE).published.number == 2


# --- a first version, and the cost of checking -----------------------------------------------------------


def test_a_copied_procedure_is_checked_against_nothing_and_published_as_version_1(admins, admin_client):
    from motcua.audit.models import ChangeLog
    from motcua.catalog.actions import copy_procedure

    draft = copy_procedure(procedure(MARRIAGE).published, code="9.000001", name="Đăng ký kết hôn (thử)",
                           agency=admins.commune)
    give_eform(draft)
    page = admin_client.get(f"{BASE}9.000001/ban-nhap/kiem-tra/")
    html = page.content.decode()
    assert page.status_code == 200 and "Nội dung phiên bản đầu tiên" in html and "Bản nháp hợp lệ" in html
    assert admin_client.post(f"{BASE}9.000001/ban-nhap/cong-bo/", {"note": "Thủ tục mới"}).status_code == 302
    assert procedure("9.000001").published.number == 1
    assert not ChangeLog.objects.filter(action="retire").exists()


def test_checking_a_draft_costs_the_same_queries_however_big_it_is(admins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.administration.publishing import diff_versions
    from motcua.catalog.models import Component, WorkflowStep
    from motcua.catalog.validation import validate_draft

    old = procedure(MARRIAGE).published
    draft = ready_draft()

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            validate_draft(draft)
            diff_versions(old, draft)
        return len(queries)

    case = draft.cases.get()

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            Component.objects.create(version=draft, order=10 + i, name=f"Giấy tờ thêm {i}")
            WorkflowStep.objects.create(case=case, order=10 + i, name=f"Bước thêm {i}", role="officer",
                                        quota_hours=0, agency=admins.other_commune)

    grow(0, 1)
    cost()  # warms the calendar cache
    before = cost()
    grow(1, 15)
    assert cost() == before


def test_a_garbled_eform_schema_is_reported_not_a_crash(admins, admin_client):
    from motcua.administration.publishing import diff_versions
    from motcua.catalog.validation import validate_draft

    draft = draft_of(MARRIAGE)
    give_eform(draft, schema=[{"key": ["x"], "type": ["text"], "choices": "abc", "fields": 3, "validation": 7,
                               "show_if": "yes", "pdf": []}, "không phải trường", {"key": "ok", "label": "Ổn",
                                                                                     "type": "text"}])
    problems = [p for p in validate_draft(draft) if p.section == "bieu-mau"]
    assert problems
    assert diff_versions(procedure(MARRIAGE).published, draft)
    page = admin_client.get(f"{BASE}{MARRIAGE}/ban-nhap/kiem-tra/")
    assert page.status_code == 200 and "Cần sửa" in page.content.decode()


def test_the_admin_page_and_the_import_refuse_the_same_workflow_with_the_same_message(admins, admin_client,
                                                                                       sample_data):
    """One door's rule is every door's rule (#15): a workflow whose quotas exceed the legal time is
    refused by «Công bố» and by the catalogue import, with the same message, and neither writes."""
    import copy

    from django.utils.html import escape

    from motcua.catalog.importer import CatalogError, import_catalog
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.validation import validate_draft

    # The admin's door: the first step of the marriage workflow gets 3 hours more than the day has.
    draft = ready_draft()
    step = draft.cases.get().steps.order_by("order").first()
    step.quota_hours += 3
    step.save()
    [problem] = validate_draft(draft)
    response = admin_client.post(f"{BASE}{MARRIAGE}/ban-nhap/cong-bo/", {"note": "Thử công bố"})
    assert response.status_code == 400
    assert escape(problem.message) in response.content.decode()
    assert ProcedureVersion.objects.get(pk=draft.pk).state == "draft"

    # The import's door: the same change in the catalogue file.
    data = copy.deepcopy(sample_data)
    spec = next(p for p in data["procedures"] if p["code"] == MARRIAGE)
    spec["cases"][0]["steps"][0]["quota_hours"] += 3
    published, count = procedure(MARRIAGE).published_id, ProcedureVersion.objects.count()
    with pytest.raises(CatalogError) as refused:
        import_catalog(data)
    [imported] = refused.value.problems
    assert imported.startswith(f"Thủ tục {MARRIAGE} (thứ ")
    assert imported.endswith(f"{problem.obj}: {problem.message}")
    assert procedure(MARRIAGE).published_id == published and ProcedureVersion.objects.count() == count


def test_the_diff_names_uploaded_files_by_their_names_not_paths_ids_or_hashes(admins, admin_client):
    """A form template replaced twice (the second time with the same name) and a guide video uploaded:
    the check page's diff says «to-khai-khai-sinh.docx», «Hướng dẫn nộp hồ sơ.mp4», never the stored
    path (a random token), a database id or a hash."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.administration.test_procedures import MP4, _component, docx_bytes, draft_of, start

    draft = start(admin_client)
    components = f"{BASE}{BIRTH}/ban-nhap/thanh-phan/"
    component = draft.components.order_by("order").first()
    old_name = component.form.filename
    assert admin_client.post(f"{components}{component.pk}/", _component(
        name=component.name, form_file=SimpleUploadedFile("Tờ khai khai sinh.docx", docx_bytes()))).status_code == 302
    guides = f"{BASE}{BIRTH}/ban-nhap/huong-dan/"
    assert admin_client.post(f"{guides}them/", {
        "title": "Cách nộp", "body": "Xem video.",
        "video_file": SimpleUploadedFile("C:\\Users\\cb\\Hướng dẫn nộp hồ sơ.mp4", MP4)}).status_code == 302
    guide = draft_of(BIRTH).guides.get()
    assert guide.video_name == "Hướng dẫn nộp hồ sơ.mp4"

    html = admin_client.get(f"{BASE}{BIRTH}/ban-nhap/kiem-tra/").content.decode()
    diff = html[html.index('class="pub-diff"'):]
    assert "Mẫu đơn, tờ khai" in diff and old_name in diff and "to-khai-khai-sinh.docx" in diff
    assert "Hướng dẫn nộp hồ sơ.mp4" in diff
    assert guide.video.name not in diff and "guides/" not in diff and "forms/" not in diff
    assert not re.search(r"[0-9a-f]{16,}", diff)

    # Replaced by another file of the same name: the diff says it is a new file, by name.
    from motcua.administration import publishing
    from motcua.catalog.models import Guide

    old = Guide(title="Cách nộp", video="guides/2026/0f3a9c.mp4", video_name="Hướng dẫn nộp hồ sơ.mp4")
    new = Guide(title="Cách nộp", video="guides/2026/77be01.mp4", video_name="Hướng dẫn nộp hồ sơ.mp4")
    video = [f for f in publishing._field_changes(old, new, publishing.GUIDE_FIELDS) if f.label == "Tệp video"]
    assert [(f.before, f.after) for f in video] == [
        ("Hướng dẫn nộp hồ sơ.mp4", "Hướng dẫn nộp hồ sơ.mp4 (tệp mới, cùng tên)")]
    assert publishing._field_changes(old, Guide(title="Cách nộp", video=old.video, video_name=old.video_name),
                                     publishing.GUIDE_FIELDS) == []
