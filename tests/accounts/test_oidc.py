"""National identity sign-in (OpenID Connect) against a fake provider served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
from django.utils import timezone

from motcua.accounts import services
from motcua.accounts.models import IdentityLink, User

from .fake_oidc import FakeProvider

CALLBACK = "/dang-nhap/dinh-danh/ket-qua/"


@pytest.fixture
def provider(settings):
    fake = FakeProvider().start()
    settings.MOTCUA_OIDC_ISSUER = fake.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = fake.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = fake.client_secret
    settings.MOTCUA_OIDC_SCOPES = ["openid", "profile", "phone", "email"]
    settings.MOTCUA_OIDC_REDIRECT_URI = f"http://testserver{CALLBACK}"
    settings.MOTCUA_OIDC_LABEL = ""
    yield fake
    fake.stop()


def start(client, next_url: str = "") -> str:
    response = client.get("/dang-nhap/dinh-danh/" + (f"?next={urllib.parse.quote(next_url)}" if next_url else ""))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def back(client, provider, next_url: str = ""):
    """The whole round trip: portal -> provider's authorize -> the portal's callback."""
    redirect = provider.authorize(start(client, next_url))
    parts = urllib.parse.urlsplit(redirect)
    assert parts.path == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def signed_in(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def test_the_button_shows_only_when_configured(client, db, settings):
    assert "VNeID" not in client.get("/dang-nhap/").content.decode()
    assert client.get("/dang-nhap/dinh-danh/").status_code == 404
    assert client.get(CALLBACK + "?code=x&state=y").status_code == 404
    settings.MOTCUA_OIDC_ISSUER = "https://sso.example.gov.vn"
    settings.MOTCUA_OIDC_CLIENT_ID = "portal"
    text = client.get("/dang-nhap/").content.decode()
    assert "Đăng nhập bằng VNeID / tài khoản định danh điện tử" in text
    assert 'href="/dang-nhap/dinh-danh/"' in text
    assert "VNeID" in client.get("/dang-ky/").content.decode()


def test_the_authorize_request_uses_pkce_state_and_nonce(client, db, provider):
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start(client)).query))
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["scope"] == "openid profile phone email"
    assert params["redirect_uri"] == f"http://testserver{CALLBACK}"


def test_a_first_sign_in_creates_a_verified_citizen(client, db, provider):
    response = back(client, provider)
    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in(client)
    assert user.id_number == "096090001234" and user.full_name == "Nguyễn Văn An"
    assert user.date_of_birth == dt.date(1990, 3, 15)
    assert user.identity_verified and services.can_submit(user)
    assert user.phone == "0987654321" and not user.phone_verified  # contacts fill blanks, unproved
    assert not user.has_usable_password()
    assert IdentityLink.objects.get(user=user).subject == "vneid-0001"
    # The token request carried the PKCE verifier and the client's credentials (checked by the provider).
    assert provider.token_requests[-1]["code_verifier"]


def test_the_next_sign_in_finds_the_same_account(client, db, provider):
    back(client, provider)
    first = signed_in(client)
    client.logout()
    provider.claims["name"] = "Nguyễn Văn Anh"  # renamed at the civil registry
    response = back(client, provider, next_url="/thu-tuc/")
    assert response["Location"] == "/thu-tuc/"
    assert signed_in(client).pk == first.pk
    assert User.objects.count() == 1
    first.refresh_from_db()
    assert first.full_name == "Nguyễn Văn Anh"


def test_an_account_verified_with_the_same_id_number_is_linked(client, db, provider):
    known = User.objects.create_user("cdknown", id_number="096090001234", identity_verified_at=timezone.now())
    back(client, provider)
    assert signed_in(client).pk == known.pk
    assert IdentityLink.objects.get().user == known


def test_a_typed_id_number_never_links_an_account(client, db, provider):
    squatter = User.objects.create_user("cdsquat", password="x", id_number="096090001234", self_registered=True)
    back(client, provider)
    user = signed_in(client)
    assert user.pk != squatter.pk and user.identity_verified


def test_a_signed_in_citizen_links_their_identity_from_the_profile(client, citizen, provider):
    client.force_login(citizen)
    response = back(client, provider, next_url="/tai-khoan/")
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"
    citizen.refresh_from_db()
    assert citizen.identity_verified and citizen.id_number == "096090001234"
    assert citizen.phone == "0912345678"  # own verified contacts kept
    assert signed_in(client).pk == citizen.pk


def test_an_id_number_linked_to_another_account_is_refused_when_linking(client, citizen, provider):
    User.objects.create_user("cdother", id_number="096090001234", identity_verified_at=timezone.now())
    client.force_login(citizen)
    response = back(client, provider)
    assert response.status_code == 409
    assert "đã được liên kết với một tài khoản khác" in response.content.decode()
    citizen.refresh_from_db()
    assert not citizen.identity_verified


def test_a_wrong_state_is_refused(client, db, provider):
    redirect = provider.authorize(start(client))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect).query))
    response = client.get(CALLBACK, {"code": query["code"], "state": "not-the-state-we-sent"})
    assert response.status_code == 400
    assert "không hợp lệ hoặc đã hết hạn" in response.content.decode()
    assert error_code(response) == "bad_state"
    assert signed_in(client) is None
    assert not provider.token_requests  # the code was never even exchanged


def test_a_state_works_once(client, db, provider):
    redirect = provider.authorize(start(client))
    parts = urllib.parse.urlsplit(redirect)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    client.logout()
    assert client.get(f"{parts.path}?{parts.query}").status_code == 400


def test_a_callback_in_another_browser_is_refused(client, db, provider):
    redirect = provider.authorize(start(client))
    parts = urllib.parse.urlsplit(redirect)
    other = client.__class__()
    assert other.get(f"{parts.path}?{parts.query}").status_code == 400
    assert signed_in(other) is None


def error_code(response) -> str:
    import re

    return re.search(r"data-error-code>([a-z_]+)<", response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("tamper", "code"),
    [("nonce", "bad_nonce"), ("signature", "bad_signature"), ("expired", "expired"), ("audience", "invalid"),
     ("issuer", "invalid"), ("alg_none", "bad_algorithm")],
)
def test_a_bad_id_token_is_refused(client, db, provider, tamper, code):
    provider.tamper = tamper
    response = back(client, provider)
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
    assert error_code(response) == code
    assert signed_in(client) is None
    assert not User.objects.exists()


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client, db, provider):
    redirect = provider.authorize(start(client))
    session = client.session
    pending = session["motcua_oidc_pending"]
    for flow in pending.values():
        flow["verifier"] = "x" * 60
    session["motcua_oidc_pending"] = pending
    session.save()
    parts = urllib.parse.urlsplit(redirect)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 502
    assert signed_in(client) is None


def test_no_id_number_no_account(client, db, provider):
    provider.tamper = "no_id_number"
    response = back(client, provider)
    assert response.status_code == 400
    assert "số định danh cá nhân hợp lệ" in response.content.decode()
    assert not User.objects.exists()


def test_claims_can_come_from_userinfo_and_be_mapped(client, db, provider, settings):
    settings.MOTCUA_OIDC_CLAIMS = {"id_number": "citizen.pid", "name": "full_name"}
    provider.claims = {"sub": "vneid-0002"}
    provider.userinfo_claims = {"citizen": {"pid": "001305000001"}, "full_name": "Lê Thị Hoa"}
    back(client, provider)
    user = signed_in(client)
    assert (user.id_number, user.full_name) == ("001305000001", "Lê Thị Hoa")


def test_a_cancel_at_the_provider_goes_back_to_sign_in(client, db, provider):
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start(client)).query))["state"]
    response = client.get(CALLBACK, {"error": "access_denied", "state": state}, follow=True)
    assert "Bạn đã hủy đăng nhập" in response.content.decode()
    assert client.get(CALLBACK, {"code": "x", "state": state}).status_code == 400  # and the flow is gone


def test_an_unreachable_provider_is_explained(client, db, provider):
    redirect = provider.authorize(start(client))
    provider.stop()
    parts = urllib.parse.urlsplit(redirect)
    from django.core.cache import cache

    cache.clear()  # forget the discovery document too
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 502
    assert "Chưa kết nối được" in response.content.decode()


def test_a_plain_http_provider_elsewhere_is_refused(client, db, settings):
    settings.MOTCUA_OIDC_ISSUER = "http://sso.example.gov.vn"
    settings.MOTCUA_OIDC_CLIENT_ID = "portal"
    response = client.get("/dang-nhap/dinh-danh/")
    assert response.status_code == 502


def test_a_rotated_signing_key_is_fetched_again(client, db, provider):
    back(client, provider)  # the portal now caches the provider's keys
    client.logout()
    from cryptography.hazmat.primitives.asymmetric import rsa

    provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    provider.kid = "fake-key-2"
    response = back(client, provider)
    assert response.status_code == 302
    assert signed_in(client) is not None


def test_signing_in_as_someone_else_while_signed_in_is_no_link(client, citizen, provider):
    """A flow started signed out and finished signed in (another tab) signs in; it links nobody."""
    redirect = provider.authorize(start(client))
    client.force_login(citizen)
    parts = urllib.parse.urlsplit(redirect)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 302 and response["Location"] == "/"
    citizen.refresh_from_db()
    assert not citizen.identity_verified
    assert signed_in(client).pk != citizen.pk
