"""Forgot the password: a code (or link) to the phone or e-mail, then a new password."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User

from .conftest import PASSWORD, field_value

NEW = "Mat-khau-moi-2026"


def ask(client, contact):
    return client.post("/quen-mat-khau/", {"contact": contact})


@pytest.mark.parametrize(("typed", "destination", "channel"),
                         [("binh@example.vn", "binh@example.vn", "email"), ("+84912345678", "0912345678", "sms")])
def test_it_resets_the_password_with_a_code(client, citizen, codes, typed, destination, channel):
    response = ask(client, typed)
    assert response.status_code == 302 and response["Location"] == "/quen-mat-khau/nhap-ma/"
    sent = codes.last(destination)
    assert (sent.purpose, sent.channel) == ("reset", channel)
    assert sent.link.startswith("http://testserver/quen-mat-khau/nhap-ma/?t=")

    page = client.get("/quen-mat-khau/nhap-ma/")
    assert page.status_code == 200
    response = client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": sent.code})
    assert response.status_code == 302 and response["Location"] == "/quen-mat-khau/mat-khau-moi/"
    response = client.post("/quen-mat-khau/mat-khau-moi/", {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)  # signed in with the new password

    client.logout()
    assert client.post("/dang-nhap/", {"username": destination, "password": PASSWORD}).status_code == 200
    assert client.post("/dang-nhap/", {"username": destination, "password": NEW}).status_code == 302


def test_the_link_opens_the_code_page_filled_in(client, citizen, codes):
    ask(client, "binh@example.vn")
    other = client.__class__()
    page = other.get(codes.last().link.removeprefix("http://testserver"))
    assert field_value(page.content.decode(), "code") == codes.last().code
    assert other.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": codes.last().code}).status_code == 302


def test_a_reset_proves_an_unverified_contact(client, db, codes):
    user = User.objects.create_user("cdx", password=PASSWORD, phone="0977777777", self_registered=True)
    ask(client, "0977777777")
    client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": codes.last().code})
    client.post("/quen-mat-khau/mat-khau-moi/", {"new_password1": NEW, "new_password2": NEW})
    user.refresh_from_db()
    assert user.phone_verified


def test_a_wrong_code_does_not_open_the_new_password_page(client, citizen, codes):
    ask(client, "binh@example.vn")
    wrong = "000000" if codes.last().code != "000000" else "111111"
    response = client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": wrong})
    assert response.status_code == 400
    assert "Mã không đúng" in response.content.decode()
    response = client.get("/quen-mat-khau/mat-khau-moi/")
    assert response.status_code == 302 and response["Location"] == "/quen-mat-khau/"


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, citizen, codes):
    response = ask(client, "nobody@example.vn")
    assert response.status_code == 302 and response["Location"] == "/quen-mat-khau/nhap-ma/"
    assert not codes
    page = client.get("/quen-mat-khau/nhap-ma/").content.decode()
    assert "n****y@example.vn" in page
    response = client.post("/quen-mat-khau/nhap-ma/", {"t": client.session["motcua_reset_token"], "code": "123456"})
    assert response.status_code == 400 and "Mã không đúng" in response.content.decode()


def test_a_new_password_must_be_typed_twice_the_same(client, citizen, codes):
    ask(client, "binh@example.vn")
    client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": codes.last().code})
    response = client.post("/quen-mat-khau/mat-khau-moi/", {"new_password1": NEW, "new_password2": NEW + "x"})
    assert response.status_code == 400
    assert "Hai mật khẩu không giống nhau" in response.content.decode()


def test_a_reset_lifts_the_sign_in_lock(client, citizen, codes, clock):
    for i in range(10):
        client.post("/dang-nhap/", {"username": "0912345678", "password": f"sai-{i}"})
    assert client.post("/dang-nhap/", {"username": "0912345678", "password": PASSWORD}).status_code == 429
    ask(client, "0912345678")
    client.post("/quen-mat-khau/nhap-ma/", {"t": codes.token(), "code": codes.last().code})
    client.post("/quen-mat-khau/mat-khau-moi/", {"new_password1": NEW, "new_password2": NEW})
    client.logout()
    assert client.post("/dang-nhap/", {"username": "0912345678", "password": NEW}).status_code == 302


def test_reset_requests_wait_for_the_cooldown(client, citizen, codes):
    ask(client, "binh@example.vn")
    response = ask(client, "binh@example.vn")
    assert response.status_code == 429
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert len(codes) == 1
