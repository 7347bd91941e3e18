"""Sign up with a phone or an e-mail address, then prove it with the 6-digit code (or the link)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts import services
from motcua.accounts.models import User, VerificationCode

from .conftest import PASSWORD, field_value


def sign_up(client, contact, **extra):
    data = {"full_name": "Nguyễn Văn An", "contact": contact, "password1": PASSWORD, "password2": PASSWORD,
            "consent": "on", **extra}
    return client.post("/dang-ky/", data)


def signed_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def test_it_shows_the_sign_up_page(client, db):
    response = client.get("/dang-ky/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đăng ký tài khoản" in text
    assert 'autocomplete="new-password"' in text
    assert "VNeID" not in text  # the identity button only when configured


def test_it_signs_up_by_email_and_verifies_with_the_code(client, db, codes):
    response = sign_up(client, "An.Nguyen@Example.vn")
    assert response.status_code == 302
    assert response["Location"].startswith("/xac-minh/?t=")
    user = signed_in_user(client)
    assert user.email == "an.nguyen@example.vn" and user.self_registered
    assert user.privacy_consent_at is not None
    assert not services.can_submit(user)  # signed in, but not yet allowed to submit
    sent = codes.last("an.nguyen@example.vn")
    assert (sent.channel, sent.purpose) == ("email", "signup")

    page = client.get(response["Location"])
    assert "an.nguyen@example.vn" in page.content.decode()
    response = client.post("/xac-minh/", {"t": codes.token(), "code": sent.code})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"
    user.refresh_from_db()
    assert user.email_verified and services.can_submit(user)


def test_it_signs_up_by_phone_and_verifies(client, db, codes):
    response = sign_up(client, "+84 987 654 321")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.phone == "0987654321" and not user.phone_verified
    sent = codes.last("0987654321")
    assert sent.channel == "sms"
    response = client.post("/xac-minh/", {"t": codes.token(), "code": f" {sent.code[:3]} {sent.code[3:]} "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified and user.is_verified_citizen


def test_the_code_page_finds_the_pending_code_without_the_link(client, db, codes):
    sign_up(client, "0987654321")
    response = client.get("/xac-minh/")
    assert response.status_code == 200
    assert field_value(response.content.decode(), "t") == codes.token()


def test_a_wrong_code_says_how_many_tries_are_left(client, db, codes):
    sign_up(client, "0987654321")
    right = codes.last().code
    wrong = "000000" if right != "000000" else "111111"
    response = client.post("/xac-minh/", {"t": codes.token(), "code": wrong})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Mã không đúng. Bạn còn 4 lần thử." in text
    assert 'aria-invalid="true"' in text and 'id="id_code_error"' in text
    assert field_value(text, "code") == wrong  # what was typed stays


def test_an_expired_code_is_refused_with_a_way_out(client, db, codes):
    sign_up(client, "0987654321")
    VerificationCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post("/xac-minh/", {"t": codes.token(), "code": codes.last().code})
    assert response.status_code == 400
    assert "Mã đã hết hạn" in response.content.decode()
    assert not signed_in_user(client).phone_verified


def test_a_used_code_cannot_be_used_again(client, db, codes):
    sign_up(client, "0987654321")
    token, code = codes.token(), codes.last().code
    assert client.post("/xac-minh/", {"t": token, "code": code}).status_code == 302
    response = client.post("/xac-minh/", {"t": token, "code": code})
    assert response.status_code == 400
    assert "Mã này đã được dùng" in response.content.decode()


def test_resend_waits_for_the_cooldown_then_replaces_the_code(client, db, codes, clock):
    sign_up(client, "0987654321")
    first_token = codes.token()
    page = client.get(f"/xac-minh/?t={first_token}").content.decode()
    assert "Bạn có thể gửi lại mã sau" in page and "disabled" in page

    response = client.post("/xac-minh/", {"t": first_token, "action": "resend"}, follow=True)
    assert len(codes) == 1
    assert "Vui lòng thử lại sau" in response.content.decode()

    clock.advance(61)
    response = client.post("/xac-minh/", {"t": first_token, "action": "resend"})
    assert response.status_code == 302
    assert len(codes) == 2
    second_token = codes.token()
    assert second_token != first_token and second_token in response["Location"]
    old = client.post("/xac-minh/", {"t": first_token, "code": codes[0].code})
    assert "đã được thay bằng mã gửi sau" in old.content.decode()
    assert client.post("/xac-minh/", {"t": second_token, "code": codes[1].code}).status_code == 302


def test_the_link_in_the_message_fills_in_the_code_and_works_on_another_device(client, db, codes):
    sign_up(client, "an@example.vn")
    link = codes.last().link
    assert link.startswith("http://testserver/xac-minh/?t=")
    other_device = client.__class__()
    page = other_device.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert field_value(page.content.decode(), "code") == codes.last().code
    response = other_device.post("/xac-minh/", {"t": codes.token(), "code": codes.last().code})
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/"
    assert User.objects.get(email="an@example.vn").email_verified


def test_an_unknown_link_is_explained(client, db):
    response = client.get("/xac-minh/?t=khong-co&ma=123456")
    assert response.status_code == 404
    assert "Đường liên kết xác minh không đúng" in response.content.decode()


def test_errors_keep_what_was_typed_but_never_the_password(client, db, codes):
    response = sign_up(client, "0912", full_name="Nguyễn Văn An", password2="khac-hoan-toan")
    assert response.status_code == 400
    text = response.content.decode()
    assert field_value(text, "full_name") == "Nguyễn Văn An"
    assert field_value(text, "contact") == "0912"
    assert PASSWORD not in text
    assert "10 chữ số" in text
    assert 'href="#id_contact"' in text  # the summary links to the field
    assert not codes and not User.objects.exists()


def test_consent_and_a_decent_password_are_required(client, db):
    response = client.post("/dang-ky/", {"full_name": "Nguyễn Văn An", "contact": "an@example.vn",
                                         "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Vui lòng đánh dấu đồng ý" in text
    assert "Mật khẩu này" in text  # Django's validators, in Vietnamese


def test_a_verified_phone_cannot_sign_up_twice(client, citizen, codes):
    response = sign_up(client, "0912 345 678")
    assert response.status_code == 400
    assert "Số điện thoại này đã có tài khoản" in response.content.decode()


@pytest.mark.parametrize("limit", [2])
def test_sign_ups_from_one_address_are_limited(client, db, codes, settings, limit):
    settings.MOTCUA_SIGNUPS_PER_IP_HOUR = limit
    for i in range(limit):
        assert sign_up(client, f"nguoi{i}@example.vn").status_code == 302
        client.logout()
    response = sign_up(client, "nguoi9@example.vn")
    assert response.status_code == 429
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert field_value(response.content.decode(), "contact") == "nguoi9@example.vn"


def test_a_signed_in_person_can_ask_for_a_code_again(client, db, codes, clock):
    sign_up(client, "an@example.vn")
    VerificationCode.objects.update(revoked_at=timezone.now())
    clock.advance(61)
    page = client.get("/xac-minh/").content.decode()
    assert "Gửi mã qua e-mail đến an@example.vn" in page
    response = client.post("/xac-minh/", {"action": "send", "field": "email"})
    assert response.status_code == 302 and len(codes) == 2
