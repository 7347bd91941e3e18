"""«Tài khoản cán bộ» (/can-bo/tai-khoan/): the staff member's own account page in the back office,
reached from every back-office page, with the way to two-factor sign-in (issue #18)."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

URL = "/can-bo/tai-khoan/"
TWO_FACTOR = "/tai-khoan/xac-thuc-hai-buoc/"
PASSWORD = "mat-khau-cu-2026-canbo"


def test_it_sends_anonymous_visitors_to_sign_in_and_refuses_citizens(client, people, login):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/?next=")
    assert login(people.citizen).get(URL).status_code == 403
    assert login(people.inactive).get(URL).status_code == 403


def test_every_back_office_page_links_to_the_account_page(people, login):
    page = login(people.officer).get("/can-bo/").content.decode()
    # The name in the header and the menu, each in the wide bar and in the phone's «Menu».
    assert page.count(f'href="{URL}"') == 4
    assert "Tài khoản cán bộ:" in page  # the name link says where it goes to a screen reader


def test_it_is_a_staff_page_without_the_citizen_wording(people, login):
    response = login(people.receptionist).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cán bộ tn_xa" in page and "tn_xa" in page
    assert people.commune.name in page and "Một cửa" in page  # the agency and the role label
    assert "nộp hồ sơ" not in page.lower()
    # None of the citizen's pages: the profile that prefills e-forms, "my dossiers".
    assert 'href="/tai-khoan/"' not in page and "/ho-so-cua-toi/" not in page
    assert f'href="{TWO_FACTOR}"' in page and "Chưa bật" in page
    assert 'href="/tai-khoan/doi-mat-khau/?next=/can-bo/tai-khoan/"' in page
    assert 'href="/can-bo/chung-thu-so-ca-nhan/"' in page and "Chưa tải lên" in page
    assert 'aria-current="page">Tài khoản<' in page


def test_it_shows_two_factor_on_with_the_backup_codes_left(people, login):
    c = login(people.officer)  # signed in first: the device below is for the page, not this session
    TOTPDevice.objects.create(user=people.officer, name="motcua", confirmed=True)
    backup = StaticDevice.objects.create(user=people.officer, name="Mã dự phòng", confirmed=True)
    for token in ("aaaa1111", "bbbb2222", "cccc3333"):
        StaticToken.objects.create(device=backup, token=token)
    page = c.get(URL).content.decode()
    assert "Đang bật" in page and "còn 3 mã dự phòng" in page
    assert "Quản lý xác thực hai bước" in page


def test_it_hides_two_factor_when_it_is_off(people, login, settings):
    settings.MOTCUA_STAFF_2FA = "off"
    page = login(people.officer).get(URL).content.decode()
    assert TWO_FACTOR not in page


def _breadcrumb(page: str) -> str:
    return page[page.index('<ol class="breadcrumb">'):page.index("</ol>")]


def test_the_two_factor_page_is_in_the_back_office_frame(people, login):
    page = login(people.officer).get(TWO_FACTOR).content.decode()
    assert '<body class="bo">' in page and "Điều hướng cán bộ" in page  # the back office's menu
    assert 'href="/ho-so-cua-toi/"' not in page  # not the citizen's frame
    # The secret for manual entry: dark on light (not Bootstrap's pink code colour, 4.5:1 at best).
    assert re.search(r'<code class="two-factor-secret">[A-Z2-7 ]+</code>', page)
    assert f'href="{URL}" aria-current="page">Tài khoản<' in page
    assert f'href="{URL}">Tài khoản cán bộ</a>' in _breadcrumb(page)
    assert 'href="/can-bo/tiep-nhan/"' not in page  # the menu of this staff member (an officer)
    page = login(people.receptionist).get(TWO_FACTOR).content.decode()
    assert 'href="/can-bo/tiep-nhan/"' in page  # … and of a receptionist


def test_the_password_page_of_staff_is_in_the_back_office_frame(people, login):
    page = login(people.officer).get("/tai-khoan/doi-mat-khau/").content.decode()
    assert '<body class="bo">' in page and "Điều hướng cán bộ" in page
    assert f'href="{URL}">Tài khoản cán bộ</a>' in _breadcrumb(page)
    assert 'href="/tai-khoan/"' not in _breadcrumb(page)
    # A citizen's, and that of staff who left, stay in the portal with the citizen profile.
    for person in (people.citizen, people.inactive):
        page = login(person).get("/tai-khoan/doi-mat-khau/").content.decode()
        assert '<body class="bo">' not in page and 'href="/tai-khoan/">Tài khoản</a>' in _breadcrumb(page)


def test_a_message_shows_once_in_the_back_office_frame(people, login):
    c = login(people.officer)
    TOTPDevice.objects.create(user=people.officer, name="motcua", confirmed=True)
    response = c.post(TWO_FACTOR, {"action": "backup"}, follow=True)
    assert response.content.decode().count("Đã tạo bộ mã dự phòng mới") == 1


def test_the_two_factor_page_has_no_way_out_while_enrolment_is_required(people, settings):
    from django.test import Client

    settings.MOTCUA_STAFF_2FA = "required"
    c = Client()
    c.force_login(people.officer)
    assert c.get(URL)["Location"] == TWO_FACTOR  # held at the enrolment page
    page = c.get(TWO_FACTOR).content.decode()
    assert f'href="{URL}"' not in page


def test_a_password_change_started_here_returns_here(people):
    from django.test import Client

    people.officer.set_password(PASSWORD)
    people.officer.save()
    c = Client()
    c.force_login(people.officer)
    new = "mat-khau-moi-2026-rat-dai"
    response = c.post(f"/tai-khoan/doi-mat-khau/?next={URL}",
                      {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == URL
    # Another site as `next` is ignored: the account page of the portal.
    response = c.post("/tai-khoan/doi-mat-khau/?next=https://evil.example/",
                      {"old_password": new, "new_password1": PASSWORD + "x", "new_password2": PASSWORD + "x"})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"


@pytest.mark.parametrize("method", ["post", "put"])
def test_it_only_answers_reads(people, login, method):
    assert getattr(login(people.officer), method)(URL).status_code == 405


def test_the_portal_profile_of_staff_points_to_the_staff_account(people, login):
    assert f'href="{URL}"' in login(people.officer).get("/tai-khoan/").content.decode()
    assert f'href="{URL}"' not in login(people.citizen).get("/tai-khoan/").content.decode()
    # Staff who left (memberships no longer active) are citizens again: no 403 link, no 2FA link.
    page = login(people.inactive).get("/tai-khoan/").content.decode()
    assert f'href="{URL}"' not in page and f'href="{TWO_FACTOR}"' not in page


def test_the_backup_codes_left_are_counted_in_one_place(people):
    from motcua.accounts.twofactor import backup_codes_left

    assert backup_codes_left(people.officer) == 0
    backup = StaticDevice.objects.create(user=people.officer, name="Mã dự phòng", confirmed=True)
    StaticToken.objects.create(device=backup, token="aaaa1111")
    assert backup_codes_left(people.officer) == 1
    assert backup_codes_left(people.leader) == 0
