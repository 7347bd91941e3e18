"""Every 429 of the account pages says when to retry: a `Retry-After` header (the seconds left in
the limiter's window) and a Vietnamese sentence; a sign-in lockout also says how to unlock."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD
from .test_reset import ask
from .test_signup import sign_up

UNLOCK = "Quên mật khẩu"


def wrong_code(codes) -> str:
    return "000000" if codes.last().code != "000000" else "111111"


def test_a_locked_sign_in_says_until_when_and_how_to_unlock(client, citizen, clock):
    for i in range(9):
        client.post("/dang-nhap/", {"username": "0912345678", "password": f"sai-{i}"})
    locking = client.post("/dang-nhap/", {"username": "0912345678", "password": "sai-9"}).content.decode()
    assert "Vui lòng thử lại sau 15 phút" in locking and UNLOCK in locking and "mở khóa" in locking
    clock.advance(300)
    response = client.post("/dang-nhap/", {"username": "0912345678", "password": PASSWORD})
    assert response.status_code == 429 and response["Retry-After"] == "600"
    text = response.content.decode()
    assert "Vui lòng thử lại sau 10 phút" in text and UNLOCK in text and "mở khóa" in text


def test_an_address_locked_for_many_accounts_is_not_told_a_reset_unlocks_it(client, db, settings, clock):
    settings.MOTCUA_SIGNIN_FAILURES_PER_IP = 3
    for i in range(3):
        client.post("/dang-nhap/", {"username": f"09{i:08d}", "password": "sai"})
    response = client.post("/dang-nhap/", {"username": "0999999999", "password": "sai"})
    assert response.status_code == 429 and response["Retry-After"] == "900"
    text = response.content.decode()
    assert "từ mạng này" in text and "Vui lòng thử lại sau 15 phút" in text and "mở khóa" not in text


@pytest.mark.parametrize("limit", [1])
def test_sign_up_429_says_when(client, db, codes, settings, clock, limit):
    settings.MOTCUA_SIGNUPS_PER_IP_HOUR = limit
    assert sign_up(client, "nguoi1@example.vn").status_code == 302
    client.logout()
    clock.advance(600)
    response = sign_up(client, "nguoi2@example.vn")
    assert response.status_code == 429 and response["Retry-After"] == "3000"
    assert "Vui lòng thử lại sau 50 phút" in response.content.decode()


def test_reset_request_429_says_when(client, citizen, codes, clock):
    ask(client, "binh@example.vn")
    clock.advance(20)
    response = ask(client, "binh@example.vn")
    assert response.status_code == 429 and response["Retry-After"] == "40"
    assert "Vui lòng thử lại sau 40 giây" in response.content.decode()


def test_too_many_wrong_reset_codes_429_says_when(client, citizen, codes, settings, clock):
    settings.MOTCUA_CODE_FAILURES_PER_IP = 2
    ask(client, "binh@example.vn")
    for _ in range(2):
        assert client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": wrong_code(codes)}).status_code \
            == 400
    clock.advance(60)
    response = client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": codes.last().code})
    assert response.status_code == 429 and response["Retry-After"] == "840"
    assert "Vui lòng thử lại sau 14 phút" in response.content.decode()


def test_too_many_wrong_verification_codes_429_says_when(client, db, codes, settings, clock):
    settings.MOTCUA_CODE_FAILURES_PER_IP = 2
    sign_up(client, "an@example.vn")
    for _ in range(2):
        client.post("/xac-minh/", {"t": codes.token(), "code": wrong_code(codes)})
    response = client.post("/xac-minh/", {"t": codes.token(), "code": codes.last().code})
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert "Vui lòng thử lại sau 15 phút" in response.content.decode()


def test_a_profile_save_refused_for_a_code_just_sent_says_when(client, citizen, codes, clock):
    client.force_login(citizen)
    data = {"full_name": "Trần Thị Bình", "id_number": "096190001234", "date_of_birth_0": "15",
            "date_of_birth_1": "3", "date_of_birth_2": "1990", "address": "Cà Mau", "phone": "0987000111",
            "email": "binh@example.vn"}
    assert client.post("/tai-khoan/", data).status_code == 302
    clock.advance(15)
    response = client.post("/tai-khoan/", data)
    assert response.status_code == 429 and response["Retry-After"] == "45"
    assert "Vui lòng thử lại sau 45 giây" in response.content.decode()


def test_the_lockout_speaks_english_when_chosen(client, citizen, settings):
    from django.utils import translation

    client.cookies["motcua_language"] = "en"
    try:
        for i in range(11):
            response = client.post("/dang-nhap/", {"username": "0912345678", "password": f"sai-{i}"})
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request's language stays active in this thread
    assert response.status_code == 429 and "To unlock now" in response.content.decode()
