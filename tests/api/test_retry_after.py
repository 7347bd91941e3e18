"""Every 429 of the API and of the second-factor pages says when to retry: a `Retry-After` header
with the seconds left in the limiter's window (the same number the page door shows) and a
Vietnamese message; a sign-in lockout also says how to unlock."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.audit.test_it_two_factor import PASSWORD, VERIFY, code_for, enrol, sign_in
from tests.backoffice.conftest import counter_dossier

pytestmark = pytest.mark.django_db


def later(seconds: int):
    return time_machine.travel(time.time() + seconds, tick=True)


def waits(response, seconds: int) -> bool:
    """Retry-After is `seconds`, less the few seconds the attempts themselves took (the test clock
    ticks, and a loaded machine is slow)."""
    return seconds - 30 <= int(response["Retry-After"]) <= seconds


def token(client, **body):
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_the_token_endpoint_lockout_says_when_and_how_to_unlock(people, client, settings):
    settings.MOTCUA_SIGNIN_FAILURES = 3
    people.receptionist.set_password(PASSWORD)
    people.receptionist.save()
    for _ in range(3):
        assert token(client, username="tn_xa", password="sai").status_code == 401
    with later(300):
        blocked = token(client, username="tn_xa", password=PASSWORD)
    assert blocked.status_code == 429 and waits(blocked, 600)
    error = blocked.json()["error"]
    assert error["code"] == "rate_limited" and error["retry_after"] == int(blocked["Retry-After"])
    assert "Vui lòng thử lại sau 10 phút" in error["message"] and "Quên mật khẩu" in error["message"]


def test_the_token_endpoint_second_factor_lockout_says_when(people, client):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    device = TOTPDevice.objects.create(user=people.officer, name="motcua", confirmed=True)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    for _ in range(5):
        assert token(client, username="cv_xa", password=PASSWORD, otp=wrong).status_code == 401
    with later(60):
        blocked = token(client, username="cv_xa", password=PASSWORD, otp=code_for(device))
    assert blocked.status_code == 429 and waits(blocked, 840)
    assert "Vui lòng thử lại sau 14 phút" in blocked.json()["error"]["message"]


def test_the_documented_tracking_operation_says_when(people, settings):
    """The routed /api/v1/track/ is a lean view (audit.throttle.tracking_json, with the header); the
    django-ninja operation it stands in for answers the same when called."""
    from ninja.testing import TestClient

    from motcua.api.urls import api

    settings.MOTCUA_TRACK_FAILURES_PER_IP = 1
    d = counter_dossier(people)
    client = TestClient(api)
    assert client.get(f"/track/{d.code}?key=WRONG1").status_code == 404
    blocked = client.get(f"/track/{d.code}?key={d.tracking_key}")
    assert blocked.status_code == 429 and waits(blocked, 900)
    assert "Vui lòng thử lại sau 15 phút" in blocked.json()["error"]["message"]


def test_the_second_step_429_gives_the_time_left_not_the_whole_window(people):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    device = enrol(sign_in(people.officer), people.officer)
    c = sign_in(people.officer)
    wrong = f"{(int(code_for(device, 1)) + 1) % 1000000:06d}"
    for _ in range(5):
        c.post(VERIFY, {"code": wrong})
    with later(120):
        response = c.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 429 and waits(response, 780)
    assert "Vui lòng thử lại sau 13 phút" in response.content.decode()


def test_enrolment_429_says_when(people):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    c: Client = sign_in(people.officer)
    c.get("/tai-khoan/xac-thuc-hai-buoc/")
    device = TOTPDevice.objects.get(user=people.officer)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    for _ in range(5):
        c.post("/tai-khoan/xac-thuc-hai-buoc/", {"action": "confirm", "code": wrong})
    response = c.post("/tai-khoan/xac-thuc-hai-buoc/", {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 429 and waits(response, 900)
    assert "Vui lòng thử lại sau 15 phút" in response.content.decode()
