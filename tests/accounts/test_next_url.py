"""`next` after a form is a path on this site or nothing (accounts/next_url.py): never a URL name
that `redirect()` would resolve ("api_tokens"), never a word that makes it fail after the work is
saved ("foo" → NoReverseMatch, a 500 once the password had changed), never another host."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from motcua.accounts.next_url import safe_next

from .conftest import PASSWORD

BAD = ["foo", "api_tokens", "accounts:profile", "//evil.example", "/\\evil.example", "javascript:alert(1)",
       "https:evil.example", "https://evil.example/", "/\t/evil.example", " /tai-khoan/", ""]


@pytest.mark.parametrize("value", BAD)
def test_only_a_path_on_this_site_is_kept(value):
    assert safe_next(RequestFactory().get("/"), value) == ""


@pytest.mark.parametrize("value", ["/can-bo/tai-khoan/", "/thu-tuc/?q=khai+sinh", "/"])
def test_a_path_on_this_site_is_kept(value):
    assert safe_next(RequestFactory().get("/"), value) == value


@pytest.mark.parametrize("value", BAD)
def test_a_password_change_with_a_bad_next_ends_on_the_profile(client, citizen, value):
    client.force_login(citizen)
    new = "Moi-2026-rat-dai-abc"
    response = client.post("/tai-khoan/doi-mat-khau/?" + _query(value),
                           {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"
    citizen.refresh_from_db()
    assert citizen.check_password(new)


def test_a_password_change_with_a_path_goes_there(client, citizen):
    client.force_login(citizen)
    new = "Moi-2026-rat-dai-abc"
    response = client.post("/tai-khoan/doi-mat-khau/?next=/ho-so-cua-toi/",
                           {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response["Location"] == "/ho-so-cua-toi/"


@pytest.mark.parametrize("value", ["foo", "api_tokens", "//evil.example"])
def test_the_second_step_page_ignores_a_bad_next(client, citizen, value):
    client.force_login(citizen)  # not in the middle of a second step: straight on
    response = client.get("/dang-nhap/xac-thuc/?" + _query(value))
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("value", ["foo", "api_tokens"])
def test_sign_up_keeps_no_bad_next_for_after_the_code(client, db, codes, value):
    response = client.post("/dang-ky/", {"full_name": "Lê Văn Cường", "contact": "cuong@example.vn",
                                         "password1": PASSWORD, "password2": PASSWORD, "consent": "on",
                                         "next": value})
    assert response.status_code == 302
    assert "motcua_accounts_next" not in client.session
    response = client.post("/xac-minh/", {"t": codes.token(), "code": codes.last().code})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"


def _query(value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": value})
