"""The workflow editor (thu-tuc/<code>/ban-nhap/quy-trinh/): add, edit, remove and move steps of a
draft's case, within the legal time; every change logged; other agencies' procedures refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.administration.conftest import BIRTH

pytestmark = pytest.mark.django_db

BASE = f"/can-bo/quan-tri/thu-tuc/{BIRTH}/ban-nhap/quy-trinh/"


@pytest.fixture
def draft(admins):
    from motcua.catalog.actions import start_draft
    from motcua.catalog.models import Procedure

    return start_draft(Procedure.objects.get(code=BIRTH))


def steps_of(version):
    case = version.cases.order_by("order", "pk").first()
    return list(case.steps.order_by("order", "pk"))


def new_step(**values):
    data = {"new-position": "4", "new-name": "Lấy ý kiến", "new-role": "officer", "new-agency": "",
            "new-quota_amount": "1", "new-quota_unit": "hours"}
    data.update({f"new-{k}": v for k, v in values.items()})
    return data


def edit_data(step, **values):
    data = {"name": step.name, "role": step.role, "agency": step.agency_id or "",
            "quota_amount": f"{step.quota_hours:f}", "quota_unit": "hours"}
    data.update(values)
    return data


def logs(object_type: str, action: str | None = None):
    from motcua.audit.models import ChangeLog

    qs = ChangeLog.objects.filter(object_type=object_type)
    return qs.filter(action=action) if action else qs


def test_it_shows_the_steps_budget_and_timeline(admin_client, draft):
    page = admin_client.get(BASE)
    assert page.status_code == 200
    html = page.content.decode()
    for step in steps_of(draft):
        assert step.name in html
    assert "Còn lại 0 giờ làm việc" in html
    assert "Thời hạn giải quyết: trong ngày." in html  # not «1 trong ngày = 2 giờ làm việc»
    assert "1 ngày làm việc = 8 giờ làm việc." in html
    assert "Hồ sơ nhận sau 15:00" in html
    assert "hồ sơ nhận lúc 15:00 vẫn phải xong trong ngày đó" in html and "hết giờ làm việc (2 giờ)" in html
    assert "cộng dồn 2 giờ" in html
    assert 'data-legal-hours="2.00"' in html and "budget.js" in html


def test_it_refuses_a_step_over_the_legal_time_and_keeps_what_was_typed(admin_client, draft):
    before = [(s.name, s.quota_hours) for s in steps_of(draft)]
    page = admin_client.post(BASE, new_step(name="Xác minh thực tế", quota_amount="1.5"))
    assert page.status_code == 400
    html = page.content.decode()
    assert "Tổng định mức 3.5 giờ vượt thời hạn 2 giờ làm việc 1.5 giờ" in html
    assert 'value="Xác minh thực tế"' in html and 'value="1.5"' in html
    assert 'href="#id_new-quota_amount"' in html  # the error summary links to the field
    assert [(s.name, s.quota_hours) for s in steps_of(draft)] == before
    assert not logs("catalog.workflowstep").exists()


def test_it_inserts_a_step_after_another_is_shortened(admin_client, draft, admins):
    steps = steps_of(draft)
    check = steps[1]  # Thẩm tra, xử lý: 1 hour
    page = admin_client.post(f"{BASE}buoc/{check.pk}/", edit_data(check, quota_amount="0.5"))
    assert page.status_code == 302
    check.refresh_from_db()
    assert check.quota_hours == Decimal("0.5")
    row = logs("catalog.workflowstep", "update").get()
    assert row.before["quota_hours"] == "1.00" and row.after["quota_hours"] == "0.50"
    assert row.actor == admins.commune_admin and row.agency == draft.agency

    page = admin_client.post(BASE, new_step(position="2", name="Xác minh thực tế", quota_amount="0,5"), follow=True)
    assert "Đã thêm bước «Xác minh thực tế». Còn lại 0 giờ làm việc" in page.content.decode()
    names = [s.name for s in steps_of(draft)]
    assert names == ["Tiếp nhận hồ sơ", "Thẩm tra, xử lý", "Xác minh thực tế", "Ký duyệt", "Vào sổ, trả kết quả"]
    assert [s.order for s in steps_of(draft)] == [0, 1, 2, 3, 4]
    created = logs("catalog.workflowstep", "create").get()
    assert created.after["name"] == "Xác minh thực tế" and created.before is None


def test_it_converts_a_quota_in_working_days(admin_client, draft):
    from motcua.catalog.models import TimeUnit

    case = draft.cases.get()
    case.time_amount, case.time_unit = Decimal(3), TimeUnit.WORKING_DAYS
    case.save()
    page = admin_client.post(BASE, new_step(name="Lấy ý kiến sở", quota_amount="2", quota_unit="days"))
    assert page.status_code == 302
    assert steps_of(draft)[-1].quota_hours == Decimal(16)
    page = admin_client.post(BASE, new_step(name="Thêm một ngày", quota_amount="1", quota_unit="days"))
    assert page.status_code == 400
    assert "Tổng định mức 26 giờ vượt thời hạn 24 giờ làm việc 2 giờ" in page.content.decode()
    # The edit page shows a whole number of days in days.
    step = steps_of(draft)[-1]
    html = admin_client.get(f"{BASE}buoc/{step.pk}/").content.decode()
    assert 'value="2"' in html and '<option value="days" selected>' in html


def test_it_records_an_inter_agency_step(admin_client, draft, admins):
    step = steps_of(draft)[1]
    page = admin_client.post(f"{BASE}buoc/{step.pk}/", edit_data(step, agency=str(admins.other_commune.pk)))
    assert page.status_code == 302
    step.refresh_from_db()
    assert step.agency == admins.other_commune
    html = admin_client.get(BASE).content.decode()
    assert "liên thông" in html and admins.other_commune.name in html


@pytest.mark.parametrize(("values", "message"), [
    ({"name": "   "}, "Cần nhập tên bước."),
    ({"quota_amount": "-1"}, "Thời gian định mức không được âm."),
    ({"quota_amount": "bốn"}, "Thời gian định mức phải là một số"),
    ({"role": "agency_admin"}, "Vai trò đã chọn không có trong danh sách."),
    ({"agency": "999999"}, "Cơ quan đã chọn không có trong danh sách."),
    ({"quota_unit": "weeks"}, "Đơn vị định mức không hợp lệ."),
    ({"position": "99"}, "Vị trí đã chọn không có trong danh sách."),
])
def test_it_explains_bad_input_and_keeps_it(admin_client, draft, values, message):
    page = admin_client.post(BASE, new_step(**{"name": "Bước mới", **values}))
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    if "name" not in values:
        assert 'value="Bước mới"' in html
    assert len(steps_of(draft)) == 4


def test_it_deletes_after_a_confirmation(admin_client, draft):
    step = steps_of(draft)[2]
    page = admin_client.get(f"{BASE}buoc/{step.pk}/xoa/")
    assert page.status_code == 200 and "Xóa bước «Ký duyệt»?" in page.content.decode()
    assert len(steps_of(draft)) == 4
    page = admin_client.post(f"{BASE}buoc/{step.pk}/xoa/", follow=True)
    assert "Còn lại 0.5 giờ làm việc" in page.content.decode()
    assert [s.name for s in steps_of(draft)] == ["Tiếp nhận hồ sơ", "Thẩm tra, xử lý", "Vào sổ, trả kết quả"]
    assert [s.order for s in steps_of(draft)] == [0, 1, 2]
    row = logs("catalog.workflowstep", "delete").get()
    assert row.before["name"] == "Ký duyệt" and row.after is None and row.object_id == str(step.pk)


def test_it_moves_steps_up_and_down(admin_client, draft):
    steps = steps_of(draft)
    page = admin_client.post(f"{BASE}buoc/{steps[2].pk}/di-chuyen/", {"direction": "up"})
    assert page.status_code == 302
    assert [s.pk for s in steps_of(draft)] == [steps[0].pk, steps[2].pk, steps[1].pk, steps[3].pk]
    row = logs("catalog.procedurecase", "reorder").get()
    assert row.before == {"steps": [s.pk for s in steps]}
    admin_client.post(f"{BASE}buoc/{steps[0].pk}/di-chuyen/", {"direction": "down"})
    assert [s.pk for s in steps_of(draft)] == [steps[2].pk, steps[0].pk, steps[1].pk, steps[3].pk]
    # The last step cannot go further down: nothing changes, nothing is logged.
    page = admin_client.post(f"{BASE}buoc/{steps[3].pk}/di-chuyen/", {"direction": "down"}, follow=True)
    assert "đã ở cuối danh sách" in page.content.decode()
    assert logs("catalog.procedurecase", "reorder").count() == 2
    assert admin_client.post(f"{BASE}buoc/{steps[3].pk}/di-chuyen/", {"direction": "sideways"}).status_code == 302
    assert admin_client.get(f"{BASE}buoc/{steps[3].pk}/di-chuyen/").status_code == 405


def test_it_shows_a_case_picker_and_each_case(admin_client, draft):
    from motcua.catalog.models import ProcedureCase, TimeUnit

    late = ProcedureCase.objects.create(version=draft, order=1, name="Đăng ký khai sinh quá hạn",
                                        time_amount=Decimal(3), time_unit=TimeUnit.WORKING_DAYS)
    html = admin_client.get(BASE).content.decode()
    assert 'name="truong-hop"' in html and "Đăng ký khai sinh quá hạn" in html
    page = admin_client.get(f"{BASE}?truong-hop={late.pk}")
    assert "Trường hợp này chưa có bước xử lý nào." in page.content.decode()
    assert "Còn lại 24 giờ làm việc" in page.content.decode()
    page = admin_client.post(BASE, {**new_step(name="Thẩm định", quota_amount="20", position="0"), "case": late.pk})
    assert page.status_code == 302 and f"truong-hop={late.pk}" in page["Location"]
    assert [s.name for s in late.steps.all()] == ["Thẩm định"]
    assert admin_client.get(f"{BASE}?truong-hop=999999").status_code == 404


def test_it_never_edits_a_published_version(admin_client, admins):
    from motcua.catalog.models import Procedure

    published = Procedure.objects.get(code=BIRTH).published
    step = steps_of(published)[0]
    # No draft yet: back to the procedure page with a message.
    page = admin_client.get(BASE)
    assert page.status_code == 302 and page["Location"] == f"/can-bo/quan-tri/thu-tuc/{BIRTH}/"
    from motcua.catalog.actions import start_draft

    start_draft(Procedure.objects.get(code=BIRTH))
    # A step of the published version is not a step of the draft.
    for url in (f"{BASE}buoc/{step.pk}/", f"{BASE}buoc/{step.pk}/xoa/"):
        assert admin_client.post(url, edit_data(step, quota_amount="1")).status_code == 404
    assert admin_client.post(f"{BASE}buoc/{step.pk}/di-chuyen/", {"direction": "down"}).status_code == 404
    step.refresh_from_db()
    assert step.quota_hours == Decimal("0.25") and step.order == 0
    assert len(steps_of(published)) == 4


def test_it_refuses_another_agency_and_plain_staff(other_admin_client, officer_client, province_client, draft):
    step = steps_of(draft)[0]
    urls = [BASE, f"{BASE}buoc/{step.pk}/", f"{BASE}buoc/{step.pk}/xoa/"]
    for client in (other_admin_client, officer_client):
        for url in urls:
            assert client.get(url).status_code == 403, url
            assert client.post(url, edit_data(step, quota_amount="0")).status_code == 403, url
        assert client.post(BASE, new_step()).status_code == 403
        assert client.post(f"{BASE}buoc/{step.pk}/di-chuyen/", {"direction": "down"}).status_code == 403
    assert len(steps_of(draft)) == 4 and steps_of(draft)[0].quota_hours == Decimal("0.25")
    # The provincial admin configures every agency.
    assert province_client.get(BASE).status_code == 200


def test_it_answers_404_for_an_unknown_procedure(admin_client):
    assert admin_client.get("/can-bo/quan-tri/thu-tuc/0.000000/ban-nhap/quy-trinh/").status_code == 404


def csp_problems(html: str) -> list[str]:
    """What a strict Content-Security-Policy would block: inline scripts, style attributes, javascript: URLs."""
    import re

    found = []
    found += re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    found += re.findall(r"\sstyle=\"[^\"]*\"", html)
    found += re.findall(r"\son[a-z]+=\"", html)
    found += re.findall(r"javascript:", html)
    return found


def test_its_pages_need_no_inline_script_or_style(admin_client, draft):
    step = steps_of(draft)[0]
    for url in (BASE, f"{BASE}buoc/{step.pk}/", f"{BASE}buoc/{step.pk}/xoa/"):
        assert csp_problems(admin_client.get(url).content.decode()) == [], url
    assert csp_problems(admin_client.post(BASE, new_step(quota_amount="5")).content.decode()) == []


def test_the_editor_queries_do_not_grow_with_the_steps(admin_client, draft, admins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.catalog.models import WorkflowStep

    def count() -> int:
        admin_client.get(BASE)  # warm the calendar cache
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(BASE).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    case = draft.cases.get()
    case.time_amount, case.time_unit = 20, "working_days"
    case.save()
    for i in range(12):
        WorkflowStep.objects.create(case=case, order=10 + i, name=f"Bước {i}", role="officer", quota_hours=1,
                                    agency=admins.other_commune if i % 2 else None)
    many = count()
    assert many <= few + 2  # the other agency's calendar: one lookup of its parents


def test_a_draft_published_meanwhile_is_not_modified(admin_client, draft, monkeypatch):
    """Someone publishes the draft while this admin's page is open: the late change is refused."""
    from motcua.administration import access
    from motcua.catalog.actions import publish_version

    stale = type(draft).objects.select_related("agency").get(pk=draft.pk)
    publish_version(draft)
    monkeypatch.setattr(access, "_latest_version", lambda procedure: stale)  # what the page was opened with
    step = steps_of(draft)[1]
    page = admin_client.post(f"{BASE}buoc/{step.pk}/", edit_data(step, quota_amount="0.5"), follow=True)
    assert "Bản nháp vừa được công bố" in page.content.decode()
    step.refresh_from_db()
    assert step.quota_hours == 1
    for response in (admin_client.post(BASE, new_step(quota_amount="0")),
                     admin_client.post(f"{BASE}buoc/{step.pk}/xoa/"),
                     admin_client.post(f"{BASE}buoc/{step.pk}/di-chuyen/", {"direction": "up"})):
        assert response.status_code == 302 and response["Location"] == f"/can-bo/quan-tri/thu-tuc/{BIRTH}/"
    assert [s.name for s in steps_of(draft)][1] == "Thẩm tra, xử lý" and len(steps_of(draft)) == 4


def test_the_admin_marks_an_approval_step(admin_client, draft):
    from motcua.catalog.validation import validate_draft

    leader = steps_of(draft)[2]
    page = admin_client.get(f"{BASE}buoc/{leader.pk}/")
    assert "Bước ký duyệt" in page.content.decode()
    page = admin_client.post(f"{BASE}buoc/{leader.pk}/", edit_data(leader, approval="on"))
    assert page.status_code == 302
    leader.refresh_from_db()
    assert leader.approval
    assert logs("catalog.workflowstep", "update").exists()
    assert "ký duyệt" in admin_client.get(BASE).content.decode()
    # Two approval steps in one case: the draft's check refuses to publish it.
    other = steps_of(draft)[1]
    admin_client.post(f"{BASE}buoc/{other.pk}/", edit_data(other, approval="on"))
    problems = validate_draft(draft, levels=False)
    assert any("một bước ký duyệt" in str(p) for p in problems)


def test_the_header_reads_naturally_for_working_days_with_the_day_length_of_the_calendar(admins, other_admin_client):
    """«15 ngày làm việc = 120 giờ làm việc», and «1 ngày làm việc = N giờ làm việc» where N is the
    receiving agency's working day (its office hours), not a constant."""
    import datetime as dt

    from motcua.catalog.actions import start_draft
    from motcua.catalog.models import Procedure
    from motcua.worktime.models import OfficeHours, OfficePeriod
    from tests.administration.conftest import BUILDING

    start_draft(Procedure.objects.get(code=BUILDING))
    url = f"/can-bo/quan-tri/thu-tuc/{BUILDING}/ban-nhap/quy-trinh/"
    html = other_admin_client.get(url).content.decode()
    assert "Thời hạn giải quyết: 15 ngày làm việc = 120 giờ làm việc." in html
    assert "1 ngày làm việc = 8 giờ làm việc." in html
    assert "Một ngày làm việc =" not in html

    draft = Procedure.objects.get(code=BUILDING).versions.order_by("-number").first()
    hours = OfficeHours.objects.create(agency=draft.receiving_agency, follow_parent=False,
                                       daily_working_hours=Decimal("7.5"))
    for weekday in range(5):
        OfficePeriod.objects.create(office_hours=hours, weekday=weekday, opens=dt.time(7, 30), closes=dt.time(15))
    html = other_admin_client.get(url).content.decode()
    assert "1 ngày làm việc = 7,5 giờ làm việc." in html  # the Vietnamese decimal comma
