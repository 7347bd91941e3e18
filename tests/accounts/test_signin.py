"""Sign in with a phone number, an e-mail address or a username; too many failures lock for a while."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User

from .conftest import PASSWORD, field_value


@pytest.mark.parametrize("identifier", ["0912345678", "+84 912 345 678", "0912.345.678", "BINH@example.vn",
                                        "cdthu0001"])
def test_it_signs_in_with_phone_email_or_username(client, citizen, identifier):
    response = client.post("/dang-nhap/", {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_an_unverified_account_can_sign_in(client, db):
    User.objects.create_user("cdmoi", password=PASSWORD, email="moi@example.vn", self_registered=True)
    assert client.post("/dang-nhap/", {"username": "moi@example.vn", "password": PASSWORD}).status_code == 302


def test_a_shared_unverified_phone_signs_in_the_account_whose_password_matches(client, db):
    User.objects.create_user("cda", password="mat-khau-cua-a-1", phone="0933333333", self_registered=True)
    b = User.objects.create_user("cdb", password="mat-khau-cua-b-2", phone="0933333333", self_registered=True)
    client.post("/dang-nhap/", {"username": "0933333333", "password": "mat-khau-cua-b-2"})
    assert client.session["_auth_user_id"] == str(b.pk)


def test_the_page_offers_sign_up_and_reset(client, db):
    text = client.get("/dang-nhap/").content.decode()
    assert "Số điện thoại, e-mail hoặc tên đăng nhập" in text
    assert 'href="/quen-mat-khau/"' in text and 'href="/dang-ky/"' in text


def test_ten_failures_lock_the_identifier_then_it_lifts(client, citizen, clock):
    for i in range(9):
        response = client.post("/dang-nhap/", {"username": "0912345678", "password": f"sai-{i}"})
        assert response.status_code == 200
    assert "Bạn còn 1 lần thử" in response.content.decode()
    response = client.post("/dang-nhap/", {"username": "0912345678", "password": "sai-10"})
    assert "Tài khoản tạm khóa đăng nhập" in response.content.decode()

    # Now even the right password waits, and the page says until when; the identifier stays typed.
    response = client.post("/dang-nhap/", {"username": "0912345678", "password": PASSWORD})
    assert response.status_code == 429
    text = response.content.decode()
    assert "Vui lòng thử lại sau 15 phút" in text
    assert int(response["Retry-After"]) == 900
    assert field_value(text, "username") == "0912345678"
    assert "_auth_user_id" not in client.session

    # The same account by its e-mail or username is locked too.
    assert client.post("/dang-nhap/", {"username": "binh@example.vn", "password": PASSWORD}).status_code == 429

    clock.advance(901)
    assert client.post("/dang-nhap/", {"username": "0912345678", "password": PASSWORD}).status_code == 302


def test_a_success_clears_the_failures(client, citizen, clock):
    for i in range(8):
        client.post("/dang-nhap/", {"username": "0912345678", "password": f"sai-{i}"})
    assert client.post("/dang-nhap/", {"username": "0912345678", "password": PASSWORD}).status_code == 302
    client.logout()
    for i in range(8):
        response = client.post("/dang-nhap/", {"username": "0912345678", "password": f"sai-{i}"})
    assert response.status_code == 200
    assert "Bạn còn 2 lần thử" in response.content.decode()  # counted from zero again


def test_one_address_trying_many_accounts_is_limited(client, db, settings, clock):
    settings.MOTCUA_SIGNIN_FAILURES_PER_IP = 5
    for i in range(5):
        client.post("/dang-nhap/", {"username": f"09{i:08d}", "password": "sai"})
    response = client.post("/dang-nhap/", {"username": "0999999999", "password": "sai"})
    assert response.status_code == 429


def test_empty_fields_do_not_count_as_failures(client, citizen):
    for _ in range(12):
        response = client.post("/dang-nhap/", {"username": "0912345678", "password": ""})
    assert response.status_code == 200
    assert client.post("/dang-nhap/", {"username": "0912345678", "password": PASSWORD}).status_code == 302


def test_the_page_speaks_english_when_chosen(client, db):
    client.cookies["motcua_language"] = "en"
    text = client.get("/dang-nhap/").content.decode()
    assert "Phone number, e-mail or username" in text and "Forgot your password?" in text


def test_the_admin_lists_codes_without_the_code(admin_client, citizen, codes):
    from motcua.accounts import services

    services.issue_code(citizen, "reset", "email", "binh@example.vn", ip="1.2.3.4")
    response = admin_client.get("/quan-tri-he-thong/accounts/verificationcode/")
    assert response.status_code == 200
    assert "binh@example.vn" in response.content.decode()
    assert codes.last().code not in response.content.decode()


def test_the_nav_item_for_base_html(rf, citizen):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.urls import resolve

    request = rf.get("/thu-tuc/")
    request.resolver_match = resolve("/thu-tuc/")
    request.user = AnonymousUser()
    assert 'href="/dang-nhap/?next=/thu-tuc/"' in render_to_string("accounts/_account_nav.html", request=request)
    request.user = citizen
    assert 'href="/tai-khoan/"' in render_to_string("accounts/_account_nav.html", request=request)


def test_the_django_admin_signs_in_through_the_portal_with_its_limits(client, db, clock):
    """Its own sign-in page took 45 wrong passwords without a 429 (no limit, no lockout, no 2FA)."""
    admin = User.objects.create_superuser("quantri_he_thong", password=PASSWORD)
    response = client.get("/quan-tri-he-thong/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/?next=%2Fquan-tri-he-thong%2F"
    # A password posted to the old door is never checked, right or wrong.
    for password in ("sai-1", PASSWORD):
        response = client.post("/quan-tri-he-thong/login/?next=/quan-tri-he-thong/", {
            "username": "quantri_he_thong", "password": password, "next": "/quan-tri-he-thong/"})
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
        assert "_auth_user_id" not in client.session
    # Elsewhere than the admin, never: no open redirect through this page.
    assert client.get("/quan-tri-he-thong/login/?next=https://evil.example/").url.endswith(
        "next=%2Fquan-tri-he-thong%2F")
    # The portal's page: ten wrong passwords lock the account, even from the admin's door.
    for i in range(10):
        client.post("/dang-nhap/?next=/quan-tri-he-thong/", {"username": "quantri_he_thong", "password": f"sai-{i}"})
    response = client.post("/dang-nhap/?next=/quan-tri-he-thong/", {"username": "quantri_he_thong",
                                                                    "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    clock.advance(901)
    response = client.post("/dang-nhap/?next=/quan-tri-he-thong/", {"username": "quantri_he_thong",
                                                                    "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)


def test_passwords_are_hashed_with_argon2id_and_old_hashes_upgraded_at_sign_in(client, db, settings):
    """The suite hashes with MD5 for speed; this test uses the production list (motcua.settings)."""
    from django.contrib.auth.hashers import make_password

    from motcua import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    fresh = User.objects.create_user("cd_moi", password=PASSWORD)
    assert fresh.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    old = User.objects.create_user("cd_cu")
    old.password = make_password(PASSWORD, hasher="pbkdf2_sha256")  # as stored before this change
    old.save()
    assert client.post("/dang-nhap/", {"username": "cd_cu", "password": PASSWORD}).status_code == 302
    old.refresh_from_db()
    assert old.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$") and old.check_password(PASSWORD)
