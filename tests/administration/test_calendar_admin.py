"""Calendar admin (lich/): generate a year, review, edit a day, confirm; national days off are for
provincial admins; every change logged; the back-office banner follows confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

YEARS = "/can-bo/quan-tri/lich/"


def logs(object_type, action=None):
    from motcua.audit.models import ChangeLog

    qs = ChangeLog.objects.filter(object_type=object_type).order_by("pk")
    return list(qs.filter(action=action) if action else qs)


@pytest.fixture
def year_2027(province_client):
    assert province_client.post(f"{YEARS}sinh/", {"year": "2027", "culture_day": "on"}).status_code == 302
    from motcua.worktime.models import CalendarYear

    return CalendarYear.objects.get(year=2027)


def test_it_generates_a_year_with_lunar_tet(province_client, admins):
    from motcua.worktime.models import CalendarDay

    page = province_client.post(f"{YEARS}sinh/", {"year": "2027", "culture_day": "on"}, follow=True)
    html = page.content.decode()
    assert "Đã sinh lịch năm 2027" in html
    days = CalendarDay.objects.filter(date__year=2027)
    # Tết Nguyên Đán 2027 falls on 6 February (lunar new year), computed by the holidays package.
    assert days.filter(date=dt.date(2027, 2, 6), active=True).exists()
    assert days.filter(date=dt.date(2027, 9, 2)).exists()
    assert days.filter(date=dt.date(2027, 11, 24)).exists()  # Ngày Văn hóa Việt Nam
    assert "Tết" in html and "02/09/2027" in html
    [row] = logs("worktime.calendaryear", "create")
    assert row.actor == admins.province_admin and "Sinh lịch năm 2027" in row.note
    # Generating again changes nothing; the year is listed as generated, unconfirmed.
    province_client.post(f"{YEARS}sinh/", {"year": "2027", "culture_day": "on"})
    assert "Đã sinh, chưa xác nhận" in province_client.get(YEARS).content.decode()


@pytest.mark.parametrize(("year", "message"), [
    ("", "Cần nhập năm cần sinh lịch."), ("hai nghìn", "Năm phải là một số"),
    ("1900", "Chỉ sinh được lịch từ năm 1995"), ("2100", "Chỉ sinh được lịch đến năm 2099"),
])
def test_it_explains_a_bad_year(province_client, year, message):
    page = province_client.post(f"{YEARS}sinh/", {"year": year})
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html and 'href="#id_year"' in html
    if year:
        assert f'value="{year}"' in html


def test_confirming_removes_the_back_office_banner(province_client, admins):
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        province_client.post(f"{YEARS}sinh/", {"year": str(year), "culture_day": "on"})
    inbox = province_client.get("/can-bo/").content.decode()
    assert "chưa được xác nhận" in inbox
    page = province_client.post(f"{YEARS}{this_year}/xac-nhan/", {"note": "Thông báo số 1/TB-BNV"}, follow=True)
    assert "Đã xác nhận lịch làm việc năm" in page.content.decode()
    page = province_client.post(f"{YEARS}{this_year + 1}/xac-nhan/", {"note": ""}, follow=True)
    assert "chưa được xác nhận" not in province_client.get("/can-bo/").content.decode()
    from motcua.worktime.models import CalendarYear

    row = CalendarYear.objects.get(year=this_year)
    assert row.confirmed and row.confirmed_by == admins.province_admin and row.note == "Thông báo số 1/TB-BNV"
    [log] = logs("worktime.calendaryear", "confirm")[:1]
    assert log.before["confirmed"] is False and log.after["confirmed"] is True


def test_editing_a_day_changes_the_calendar_and_needs_a_new_confirmation(province_client, year_2027):
    from motcua.worktime.models import CalendarDay
    from motcua.worktime.services import calendar_for

    province_client.post(f"{YEARS}2027/xac-nhan/", {"note": ""})
    day = CalendarDay.objects.get(date=dt.date(2027, 9, 2))
    assert not calendar_for(None).is_working_day(day.date)
    page = province_client.get(f"{YEARS}ngay/{day.pk}/")
    assert page.status_code == 200 and 'value="2027-09-02"' in page.content.decode()
    data = {"date": "02/09/2027", "kind": day.kind, "name": "Quốc khánh (đi làm)", "swapped_with": "",
            "reason": "Thử nghiệm"}  # «Áp dụng» unticked
    page = province_client.post(f"{YEARS}ngay/{day.pk}/", data, follow=True)
    assert "cần được xác nhận lại" in page.content.decode()
    day.refresh_from_db()
    year_2027.refresh_from_db()
    assert (day.active, day.source, day.name) == (False, "manual", "Quốc khánh (đi làm)")
    assert not year_2027.confirmed
    assert calendar_for(None).is_working_day(day.date)
    [log] = logs("worktime.calendarday", "update")
    assert log.before["active"] is True and log.after["active"] is False and log.note == "Thử nghiệm"
    assert logs("worktime.calendaryear", "update")[-1].after["confirmed"] is False


def test_it_adds_a_makeup_working_day_and_deletes_it(province_client, year_2027):
    from motcua.worktime.models import CalendarDay
    from motcua.worktime.services import calendar_for

    saturday = dt.date(2027, 3, 13)
    data = {"date": "2027-03-13", "kind": "makeup_working_day", "name": "Làm bù", "active": "on", "swapped_with": ""}
    page = province_client.post(f"{YEARS}2027/ngay/moi/", data)
    assert page.status_code == 302
    assert calendar_for(None).is_working_day(saturday)
    day = CalendarDay.objects.get(date=saturday)
    page = province_client.get(f"{YEARS}ngay/{day.pk}/xoa/")
    assert "Xóa ngày 13/03/2027" in page.content.decode()
    assert CalendarDay.objects.filter(pk=day.pk).exists()
    province_client.post(f"{YEARS}ngay/{day.pk}/xoa/", {"reason": "Nhập nhầm"})
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert not calendar_for(None).is_working_day(saturday)
    assert [r.action for r in logs("worktime.calendarday")] == ["create", "delete"]


@pytest.mark.parametrize(("values", "message"), [
    ({"date": "2026-05-05"}, "Ngày phải thuộc năm 2027"),
    ({"date": "31/02/2027"}, "Ngày không hợp lệ"),
    ({"date": "2027-09-02"}, "Ngày 02/09/2027 đã có trong lịch"),
    ({"name": "  "}, "Cần nhập tên ngày"),
    ({"kind": "holiday", "swapped_with": "2027-05-08"}, "Chỉ ngày nghỉ hoán đổi hoặc ngày làm bù mới có ngày hoán đổi"),
    ({"swapped_with": "2027-05-10"}, "Ngày hoán đổi phải khác ngày đang sửa"),
    ({"kind": "party"}, "Loại ngày đã chọn không có trong danh sách"),
])
def test_it_explains_a_bad_day_and_keeps_the_input(province_client, year_2027, values, message):
    from motcua.worktime.models import CalendarDay

    count = CalendarDay.objects.count()
    data = {"date": "2027-05-10", "kind": "extra_day_off", "name": "Nghỉ thêm", "active": "on", "swapped_with": ""}
    data.update(values)
    page = province_client.post(f"{YEARS}2027/ngay/moi/", data)
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    if "name" not in values:
        assert 'value="Nghỉ thêm"' in html
    assert CalendarDay.objects.count() == count


def test_agency_admins_only_read_the_national_calendar(admin_client, year_2027):
    from motcua.worktime.models import CalendarDay

    page = admin_client.get(YEARS)
    assert page.status_code == 200 and "Chỉ quản trị cấp tỉnh" in page.content.decode()
    assert 'action="/can-bo/quan-tri/lich/sinh/"' not in page.content.decode()
    assert admin_client.get(f"{YEARS}2027/").status_code == 200
    day = CalendarDay.objects.filter(date__year=2027).first()
    assert admin_client.post(f"{YEARS}sinh/", {"year": "2028"}).status_code == 403
    assert admin_client.post(f"{YEARS}2027/xac-nhan/", {}).status_code == 403
    assert admin_client.get(f"{YEARS}2027/ngay/moi/").status_code == 403
    assert admin_client.post(f"{YEARS}ngay/{day.pk}/", {"name": "x"}).status_code == 403
    assert admin_client.post(f"{YEARS}ngay/{day.pk}/xoa/").status_code == 403
    year_2027.refresh_from_db()
    assert not year_2027.confirmed and CalendarDay.objects.filter(pk=day.pk).exists()


def test_plain_staff_and_unknown_years(officer_client, province_client):
    assert officer_client.get(YEARS).status_code == 403
    assert province_client.get(f"{YEARS}2090/").status_code == 404
    assert province_client.get(f"{YEARS}ngay/999999/").status_code == 404


def test_its_pages_need_no_inline_script_or_style(province_client, year_2027):
    from motcua.worktime.models import CalendarDay
    from tests.administration.test_workflow_views import csp_problems

    day = CalendarDay.objects.filter(date__year=2027).first()
    urls = (YEARS, f"{YEARS}2027/", f"{YEARS}2027/ngay/moi/", f"{YEARS}ngay/{day.pk}/", f"{YEARS}ngay/{day.pk}/xoa/",
            f"{YEARS}gio-lam-viec/")
    for url in urls:
        assert csp_problems(province_client.get(url).content.decode()) == [], url


HOURS = f"{YEARS}gio-lam-viec/"


def week(**overrides):
    data = {"agency": "", "follow_parent": "", "daily_working_hours": "7.5"}
    for d in range(7):
        working = d < 5
        data |= {f"d{d}_am_opens": "07:30" if working else "", f"d{d}_am_closes": "11:30" if working else "",
                 f"d{d}_pm_opens": "13:30" if working else "", f"d{d}_pm_closes": "17:00" if working else ""}
    data.update(overrides)
    return data


def test_an_agency_admin_sets_the_office_hours_of_their_agency(admin_client, admins):
    from motcua.catalog.budget import legal_hours
    from motcua.worktime.models import OfficeHours
    from motcua.worktime.services import calendar_for

    page = admin_client.get(HOURS)
    html = page.content.decode()
    assert page.status_code == 200 and admins.commune.name in html
    assert 'value="07:00"' in html and 'value="17:00"' in html  # what the commune follows today
    page = admin_client.post(HOURS, week(agency=str(admins.commune.pk)), follow=True)
    assert "Đã lưu giờ làm việc" in page.content.decode()
    hours = OfficeHours.objects.get(agency=admins.commune)
    assert hours.periods.count() == 10 and not hours.follow_parent
    calendar = calendar_for(admins.commune)
    assert calendar.daily_hours == 7.5
    tuesday = calendar.periods_on(dt.date(2026, 12, 1))
    assert tuesday == ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))
    assert legal_hours(2, "working_days", calendar) == 15
    [log] = logs("worktime.officehours")
    assert log.action == "create" and log.before is None and "0 07:30-11:30" in log.after["periods"]
    assert log.agency == admins.commune
    # Back to the parent's hours.
    admin_client.post(HOURS, week(agency=str(admins.commune.pk), follow_parent="on"))
    assert calendar_for(admins.commune).daily_hours == 8
    assert logs("worktime.officehours")[-1].before["follow_parent"] is False


@pytest.mark.parametrize(("values", "message"), [
    ({"d0_am_opens": "12:00"}, "Thứ Hai, buổi sáng: giờ mở cửa phải trước giờ đóng cửa."),
    ({"d1_pm_closes": ""}, "Thứ Ba, buổi chiều: cần nhập cả giờ mở cửa và giờ đóng cửa"),
    ({"d2_pm_opens": "10:00"}, "Thứ Tư: buổi chiều phải bắt đầu sau khi buổi sáng kết thúc."),
    ({"d3_am_opens": "25:00"}, "Thứ Năm, buổi sáng: giờ không hợp lệ"),
    ({"daily_working_hours": "0"}, "Một ngày làm việc ít nhất 0.25 giờ."),
])
def test_it_explains_bad_office_hours_and_keeps_them(admin_client, admins, values, message):
    from motcua.worktime.models import OfficeHours

    page = admin_client.post(HOURS, week(**values))
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    assert 'value="07:30"' in html
    assert not OfficeHours.objects.filter(agency=admins.commune).exists()


def test_it_needs_some_hours_or_the_parent(admin_client, admins):
    empty = {k: "" for k in week() if k.startswith("d")}
    page = admin_client.post(HOURS, week(**empty))
    assert page.status_code == 400 and "Cần nhập giờ làm việc của ít nhất một ngày" in page.content.decode()


def test_office_hours_of_another_agency_are_refused(admin_client, officer_client, province_client, admins):
    assert admin_client.get(f"{HOURS}?co-quan={admins.other_commune.pk}").status_code == 403
    assert admin_client.post(HOURS, week(agency=str(admins.other_commune.pk))).status_code == 403
    assert officer_client.get(HOURS).status_code == 403
    assert province_client.get(f"{HOURS}?co-quan={admins.other_commune.pk}").status_code == 200
