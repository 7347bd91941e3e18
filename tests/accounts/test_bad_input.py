"""Whatever is typed or forged, the account pages answer with a message, never a 500."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User

NASTY = [
    "x" * 100_000,
    "🙂" * 300,
    "' OR '1'='1' --",
    "'; DROP TABLE accounts_user; --",
    "<script>alert(1)</script>",
    "\x00\x01\x02",
    "０９１２３４５６７８",  # full-width digits
    "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    "+84" + "9" * 50,
    "a@b" * 1000,
    "\u202e\u200b\ufeff",
    "",
]

PAGES = {
    "/dang-nhap/": ["username", "password"],
    "/dang-ky/": ["full_name", "contact", "password1", "password2", "consent"],
    "/quen-mat-khau/": ["contact"],
    "/xac-minh/": ["t", "code", "action", "field"],
    "/quen-mat-khau/nhap-ma/": ["t", "code", "action"],
}


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
@pytest.mark.parametrize("path", list(PAGES))
def test_forms_never_fail(client, db, codes, path, value):
    response = client.post(path, dict.fromkeys(PAGES[path], value))
    assert response.status_code < 500
    if response.status_code == 200 or response.status_code == 400:
        assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_the_profile_never_fails(client, citizen, codes, value):
    client.force_login(citizen)
    fields = ["full_name", "id_number", "date_of_birth_0", "date_of_birth_1", "date_of_birth_2", "address", "phone",
              "email"]
    response = client.post("/tai-khoan/", dict.fromkeys(fields, value))
    assert response.status_code < 500
    citizen.refresh_from_db()
    assert citizen.full_name == "Trần Thị Bình"  # nothing half-saved


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_links_and_callbacks_never_fail(client, db, value):
    for path in ("/xac-minh/", "/quen-mat-khau/nhap-ma/", "/dang-nhap/dinh-danh/ket-qua/", "/dang-nhap/dinh-danh/"):
        response = client.get(path, {"t": value, "ma": value, "code": value, "state": value, "next": value,
                                     "error": value})
        assert response.status_code < 500, path


def test_the_reset_password_page_with_a_forged_grant_never_fails(client, db):
    session = client.session
    session["motcua_reset_ok"] = {"user": "' OR 1=1", "until": "soon"}
    session.save()
    response = client.get("/quen-mat-khau/mat-khau-moi/")
    assert response.status_code == 302


def test_an_open_redirect_is_ignored_after_sign_up(client, db, codes):
    password = "Motcua-thu-2026"
    client.post("/dang-ky/?next=https://evil.example/", {
        "full_name": "Nguyễn Văn An", "contact": "an@example.vn", "password1": password, "password2": password,
        "consent": "on", "next": "https://evil.example/"})
    response = client.post("/xac-minh/", {"t": codes.token(), "code": codes.last().code})
    assert response["Location"] == "/tai-khoan/"
    assert User.objects.get().email_verified
