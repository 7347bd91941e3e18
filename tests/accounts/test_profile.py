"""The profile: edit name, ID number, birth date, address; a new phone or e-mail is saved once proved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import User

from .conftest import field_value


def form(**changes):
    data = {"full_name": "Trần Thị Bình", "id_number": "096190001234", "date_of_birth_0": "15",
            "date_of_birth_1": "3", "date_of_birth_2": "1990", "address": "Phường Tân Thành, tỉnh Cà Mau",
            "phone": "0912345678", "email": "binh@example.vn"}
    data.update(changes)
    return data


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def test_it_needs_a_sign_in(client, db):
    response = client.get("/tai-khoan/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/?next=/tai-khoan/")


def test_it_shows_the_profile_and_its_state(signed_in):
    text = signed_in.get("/tai-khoan/").content.decode()
    assert "Thông tin tài khoản" in text and "Đã xác minh" in text
    assert field_value(text, "full_name") == "Trần Thị Bình"
    assert 'autocomplete="bday-year"' in text


def test_it_saves_the_profile(signed_in, citizen):
    response = signed_in.post("/tai-khoan/", form(id_number="096 190 001 234"))
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.id_number == "096190001234"
    assert citizen.date_of_birth == dt.date(1990, 3, 15)
    assert citizen.address == "Phường Tân Thành, tỉnh Cà Mau"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "09619000123"}, "id_number", "gồm đúng 12 chữ số"),
        ({"id_number": "096185001234"}, "id_number", "không khớp với năm sinh 1990"),
        ({"phone": "12345"}, "phone", "10 chữ số"),
        ({"email": "binh@"}, "email", "E-mail chưa đúng"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2"}, "date_of_birth", "Ngày sinh không có thật"),
        ({"date_of_birth_2": "2099"}, "date_of_birth", "không thể sau ngày hôm nay"),
        ({"date_of_birth_1": ""}, "date_of_birth", "nhập đủ ngày, tháng và năm"),
        ({"full_name": "Bình 🙂"}, "full_name", "chỉ gồm chữ cái"),
    ],
)
def test_errors_show_next_to_the_field_and_keep_every_typed_value(signed_in, citizen, changes, field, message):
    data = form(address="Ấp 3, xã Lý Văn Lâm", **changes)
    response = signed_in.post("/tai-khoan/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message.lower() in text.lower()
    assert f'id="id_{field}_error"' in text
    for name, value in data.items():
        if name == "address":
            assert value in text
        else:
            assert (field_value(text, name) or "") == value, name
    citizen.refresh_from_db()
    assert citizen.address == ""  # nothing saved


def test_a_new_phone_is_saved_only_after_its_code(signed_in, citizen, codes):
    response = signed_in.post("/tai-khoan/", form(phone="0987 000 111"))
    assert response.status_code == 302 and response["Location"].startswith("/xac-minh/?t=")
    citizen.refresh_from_db()
    assert citizen.phone == "0912345678"  # the old one until the new one is proved
    assert citizen.address == "Phường Tân Thành, tỉnh Cà Mau"  # the rest is saved
    sent = codes.last("0987000111")
    assert (sent.channel, sent.purpose) == ("sms", "contact")
    assert "Đang chờ xác minh" in signed_in.get("/tai-khoan/").content.decode()

    assert signed_in.post("/xac-minh/", {"t": codes.token(), "code": sent.code}).status_code == 302
    citizen.refresh_from_db()
    assert citizen.phone == "0987000111" and citizen.phone_verified


def test_a_new_email_goes_through_its_own_code(signed_in, citizen, codes):
    signed_in.post("/tai-khoan/", form(email="Binh.Moi@Example.vn"))
    sent = codes.last("binh.moi@example.vn")
    assert sent.channel == "email"
    signed_in.post("/xac-minh/", {"t": codes.token(), "code": sent.code})
    citizen.refresh_from_db()
    assert citizen.email == "binh.moi@example.vn" and citizen.email_verified


def test_a_contact_verified_by_another_account_is_refused(signed_in, citizen, codes):
    User.objects.create_user("khac", email="khac@example.vn", email_verified_at=timezone.now())
    response = signed_in.post("/tai-khoan/", form(email="khac@example.vn"))
    assert response.status_code == 400
    assert "đã được dùng cho một tài khoản khác" in response.content.decode()
    assert not codes


def test_one_contact_must_remain(signed_in):
    response = signed_in.post("/tai-khoan/", form(phone="", email=""))
    assert response.status_code == 400
    assert "Cần giữ ít nhất số điện thoại hoặc e-mail" in response.content.decode()


def test_removing_one_contact_keeps_the_other(signed_in, citizen):
    assert signed_in.post("/tai-khoan/", form(email="")).status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "" and citizen.email_verified_at is None and citizen.phone_verified


def test_identity_fields_from_the_national_provider_are_locked(signed_in, citizen):
    User.objects.filter(pk=citizen.pk).update(
        identity_verified_at=timezone.now(), id_number="096190001234", date_of_birth=dt.date(1990, 3, 15)
    )
    response = signed_in.post("/tai-khoan/", form(full_name="Tên Khác", id_number="001200000001"))
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.full_name == "Trần Thị Bình" and citizen.id_number == "096190001234"
    assert "disabled" in signed_in.get("/tai-khoan/").content.decode()


def test_a_password_can_be_changed(signed_in, citizen):
    from .conftest import PASSWORD

    response = signed_in.post("/tai-khoan/doi-mat-khau/", {"old_password": "sai", "new_password1": "Moi-2026-abc",
                                                           "new_password2": "Moi-2026-abc"})
    assert response.status_code == 400 and "Mật khẩu hiện tại không đúng" in response.content.decode()
    response = signed_in.post("/tai-khoan/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": "Moi-2026-abc",
                                                           "new_password2": "Moi-2026-abc"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Moi-2026-abc")
    assert signed_in.get("/tai-khoan/").status_code == 200  # still signed in


def test_the_only_contact_stays_until_a_new_one_is_proved(client, db, codes):
    user = User.objects.create_user("cdonly", email="only@example.vn", email_verified_at=timezone.now(),
                                    self_registered=True, full_name="Lê Văn Một")
    client.force_login(user)
    response = client.post("/tai-khoan/", form(full_name="Lê Văn Một", id_number="", date_of_birth_0="",
                                               date_of_birth_1="", date_of_birth_2="", phone="0988888888", email=""))
    assert response.status_code == 400
    assert "Cần giữ ít nhất số điện thoại hoặc e-mail" in response.content.decode()
    assert not codes


def test_an_older_code_cannot_bring_back_the_old_address(client, db, codes, clock):
    from motcua.accounts.models import VerificationCode

    password = "Motcua-thu-2026"
    client.post("/dang-ky/", {"full_name": "Nguyễn Văn An", "contact": "cu@example.vn", "password1": password,
                              "password2": password, "consent": "on"})
    old_token, old_code = codes.token(), codes.last().code
    client.post("/tai-khoan/", form(full_name="Nguyễn Văn An", id_number="", date_of_birth_0="", date_of_birth_1="",
                                    date_of_birth_2="", phone="", email="moi@example.vn"))
    client.post("/xac-minh/", {"t": codes.token(), "code": codes.last("moi@example.vn").code})
    response = client.post("/xac-minh/", {"t": old_token, "code": old_code})
    assert response.status_code == 400
    assert User.objects.get().email == "moi@example.vn"
    assert VerificationCode.objects.get(token=old_token).revoked_at is not None
