"""Staff two-factor sign-in (TOTP + backup codes, django-otp), driven through the real pages with
codes computed by django-otp's own TOTP implementation. Citizens are never asked."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-can-bo-2026"
ENROL, VERIFY = "/tai-khoan/xac-thuc-hai-buoc/", "/dang-nhap/xac-thuc/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(user) -> Client:
    c = Client()
    response = c.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1500]
    c.last_redirect = response["Location"]
    return c


@pytest.fixture
def officer(people):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    return people.officer


def enrol(c: Client, user) -> TOTPDevice:
    page = c.get(ENROL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "two-factor-secret" in text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'two-factor-secret">([A-Z2-7 ]+)<', text).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key  # manual entry works
    response = c.post(ENROL, {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_it_lets_staff_without_a_device_in_when_optional(officer):
    c = sign_in(officer)
    assert c.last_redirect == "/can-bo/"
    assert c.get("/can-bo/").status_code == 200
    assert f'href="{ENROL}"' in c.get("/tai-khoan/").content.decode()  # offered from the profile page


def test_it_enrols_then_asks_for_the_code_at_the_next_sign_in(officer):
    c = sign_in(officer)
    device = enrol(c, officer)
    page = c.get(ENROL).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=officer).count() == 10
    assert not re.findall(r"<li><code>([a-z2-7]{8})</code></li>", c.get(ENROL).content.decode())  # shown once

    c2 = sign_in(officer)
    assert c2.last_redirect.startswith(VERIFY)
    # Until the code is given every staff page (and the Django admin) sends back to the code page.
    for path in ("/can-bo/", "/quan-tri-he-thong/", "/tai-khoan/"):
        response = c2.get(path)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), path
    response = c2.post(VERIFY + "?next=/can-bo/", {"code": code_for(device, 1), "next": "/can-bo/"})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    assert c2.get("/can-bo/").status_code == 200


def test_a_backup_code_works_once(officer):
    c = sign_in(officer)
    enrol(c, officer)
    code = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", c.get(ENROL).content.decode())[0]
    c2 = sign_in(officer)
    assert c2.post(VERIFY, {"code": code.upper()}).status_code == 302
    assert c2.get("/can-bo/").status_code == 200
    c3 = sign_in(officer)
    response = c3.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "Mã không đúng" in response.content.decode()


def test_wrong_and_malformed_codes_get_a_message_and_are_rate_limited(officer):
    c = sign_in(officer)
    device = enrol(c, officer)
    c2 = sign_in(officer)
    bad = c2.post(VERIFY, {"code": "abc<script>"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "6 chữ số" in text and 'href="#id_code"' in text  # error summary linked to the field
    assert "abc&lt;script&gt;" in text  # what was typed is kept (escaped)
    wrong = f"{(int(code_for(device, 1)) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        response = c2.post(VERIFY, {"code": wrong})
        assert response.status_code == 400 and f"còn {left} lần" in response.content.decode()
    assert "hết lượt thử" in c2.post(VERIFY, {"code": wrong}).content.decode()
    # Now even the right code waits.
    response = c2.post(VERIFY, {"code": code_for(device, 1)})
    assert response.status_code == 429 and "Retry-After" in response
    assert c2.get("/can-bo/").status_code == 302


def test_enrolment_refuses_a_wrong_code_and_keeps_the_same_secret(officer):
    c = sign_in(officer)
    c.get(ENROL)
    device = TOTPDevice.objects.get(user=officer)
    response = c.post(ENROL, {"action": "confirm", "code": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 400 and "Mã không đúng" in response.content.decode()
    assert TOTPDevice.objects.get(user=officer).pk == device.pk and not TOTPDevice.objects.get().confirmed


def test_required_mode_sends_staff_to_enrolment_but_not_citizens(officer, people, settings, login):
    settings.MOTCUA_STAFF_2FA = "required"
    c = sign_in(officer)
    response = c.get("/can-bo/")
    assert response.status_code == 302 and response["Location"] == ENROL
    assert "yêu cầu cán bộ bật xác thực hai bước" in c.get(ENROL).content.decode()
    enrol(c, officer)
    assert c.get("/can-bo/").status_code == 200
    # A citizen is never asked.
    people.citizen.set_password(PASSWORD)
    people.citizen.save()
    citizen = sign_in(people.citizen)
    assert not citizen.last_redirect.startswith((VERIFY, ENROL))
    assert citizen.get("/tai-khoan/").status_code == 200
    assert citizen.get(ENROL).status_code == 403


def test_required_mode_cannot_be_turned_off_by_the_user(officer, settings):
    c = sign_in(officer)
    enrol(c, officer)
    settings.MOTCUA_STAFF_2FA = "required"
    c.post(ENROL, {"action": "disable"})
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    settings.MOTCUA_STAFF_2FA = "optional"
    c.post(ENROL, {"action": "disable"})
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert sign_in(officer).last_redirect == "/can-bo/"


def test_staff_sessions_are_short(officer, people, settings):
    c = sign_in(officer)
    assert c.session.get_expiry_age() == settings.MOTCUA_STAFF_SESSION_SECONDS
    people.citizen.set_password(PASSWORD)
    people.citizen.save()
    assert sign_in(people.citizen).session.get_expiry_age() == settings.SESSION_COOKIE_AGE
