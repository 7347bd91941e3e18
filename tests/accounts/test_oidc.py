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


def test_only_the_claims_the_provider_supplied_are_recorded_as_proved(client, db, provider):
    back(client, provider)
    assert signed_in(client).identity_fields == ["id_number", "full_name", "date_of_birth"]
    client.logout()
    del provider.claims["name"], provider.claims["birthdate"]
    back(client, provider)
    user = signed_in(client)
    assert user.identity_fields == ["id_number"] and user.full_name == "Nguyễn Văn An"  # kept, no longer proved


def test_the_identity_sign_in_returns_to_the_wizard(client, catalog, provider):
    """From the wizard's start address, signed out: the sign-in page's identity button carries
    where the person was going, and the identity provider's answer brings them back there."""
    wizard = "/nop-ho-so/1.001193/"
    login = client.get(wizard)["Location"]
    page = client.get(login).content.decode()
    assert f'href="/dang-nhap/dinh-danh/?next={wizard}"' in page
    response = back(client, provider, next_url=wizard)
    assert response.status_code == 302 and response["Location"] == wizard
    assert signed_in(client).identity_verified


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


# --- What the protocol library (Authlib, joserfc) now checks -------------------------------------


def test_the_pkce_verifier_sent_matches_the_challenge(client, db, provider):
    import base64
    import hashlib

    back(client, provider)
    challenge = provider.authorize_requests[-1]["code_challenge"]
    verifier = provider.token_requests[-1]["code_verifier"]
    assert 43 <= len(verifier) <= 128
    assert base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode() == challenge
    assert verifier not in start(client)  # only the challenge travels through the browser


def test_client_secret_post_authentication(client, db, provider, settings):
    settings.MOTCUA_OIDC_TOKEN_AUTH = "client_secret_post"
    provider.token_auth = "client_secret_post"
    assert back(client, provider).status_code == 302
    assert provider.token_requests[-1]["client_id"] == provider.client_id
    assert signed_in(client) is not None


def test_after_a_key_rotation_the_next_sign_in_works(client, db, provider):
    back(client, provider)
    client.logout()
    fetches = provider.jwks_fetches
    provider.rotate()
    assert back(client, provider).status_code == 302
    assert signed_in(client) is not None
    assert provider.jwks_fetches == fetches + 1  # fetched again once, on the unknown kid
    client.logout()
    assert back(client, provider).status_code == 302
    assert provider.jwks_fetches == fetches + 1  # and the new set is cached


def test_an_unknown_key_refetches_the_keys_at_most_once_a_minute(client, db, provider):
    back(client, provider)  # keys cached
    client.logout()
    fetches = provider.jwks_fetches
    provider.tamper = "unpublished_key"
    for _ in range(3):
        response = back(client, provider)
        assert response.status_code == 400 and error_code(response) == "unknown_key"
    assert provider.jwks_fetches == fetches + 1
    provider.tamper = None
    provider.rotate()  # another kid is not held back by the first one's limit
    assert back(client, provider).status_code == 302
    assert provider.jwks_fetches == fetches + 2


@pytest.mark.parametrize("algorithms", [None, ["RS256", "HS256"]])
def test_hs256_keyed_with_the_public_key_is_refused(client, db, provider, settings, algorithms):
    settings.MOTCUA_OIDC_ALGORITHMS = algorithms  # even when an operator wrongly allows HS256
    provider.tamper = "hs256_public_key"
    response = back(client, provider)
    assert response.status_code == 400
    assert error_code(response) in {"bad_algorithm", "unknown_key"}
    assert "không hợp lệ" in response.content.decode()
    assert signed_in(client) is None


@pytest.mark.parametrize(
    ("tamper", "code"),
    [("at_hash", "invalid"), ("audiences", "invalid")],
)
def test_more_bad_id_tokens_are_refused(client, db, provider, tamper, code):
    provider.tamper = tamper
    response = back(client, provider)
    assert response.status_code == 400 and error_code(response) == code
    assert signed_in(client) is None


def test_a_token_just_expired_is_accepted_within_the_leeway(client, db, provider):
    provider.tamper = "expired_within_leeway"  # the provider's clock a little ahead of ours
    assert back(client, provider).status_code == 302


def test_userinfo_for_another_subject_is_refused(client, db, provider):
    provider.userinfo_claims = {"sub": "vneid-9999"}
    response = back(client, provider)
    assert response.status_code == 400 and error_code(response) == "userinfo_sub"
    assert signed_in(client) is None


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (("200 OK", b"<html>not json</html>"), 502, "provider_unreachable"),
        (("200 OK", b"[1, 2, 3]"), 502, "provider_unreachable"),
        (("200 OK", b'{"access_token": "a", "token_type": "Bearer"}'), 502, "no_id_token"),
        (("200 OK", b'{"access_token": "a", "token_type": "Bearer", "id_token": 42}'), 502, "no_id_token"),
        (("200 OK", b'{"access_token": "a", "token_type": "Bearer", "expires_in": "soon", "id_token": "x"}'),
         502, "provider_unreachable"),
        (("200 OK", b'{"access_token": "a", "token_type": "Bearer", "id_token": "not.a.jwt"}'), 400, "invalid"),
        (("200 OK", b'{"access_token": "a", "token_type": "Bearer", "id_token": "\\u00e9.\\u00e9.\\u00e9"}'),
         400, "invalid"),
        (("200 OK", b'{"error": "invalid_grant"}'), 502, "provider_refused"),
        (("500 Internal Server Error", b"<html>oops</html>"), 502, "provider_refused"),
        (("200 OK", b'{"id_token": "' + b"a" * 1_100_000 + b'"}'), 502, "provider_unreachable"),
    ],
)
def test_a_bad_answer_from_the_token_endpoint_is_explained(client, db, provider, answer, status, code):
    provider.token_answer = answer
    response = back(client, provider)
    assert response.status_code == status, response.content[:300]
    assert error_code(response) == code
    assert "định danh điện tử" in response.content.decode()
    assert signed_in(client) is None


@pytest.mark.parametrize(
    "query",
    [{}, {"state": ""}, {"code": "x"}, {"state": "s" * 5000, "code": "x"}, {"state": "é\x00", "code": "\x00"},
     {"state": "x", "code": "c" * 5000}, {"error": "server_error", "state": "x"}],
)
def test_junk_from_the_browser_is_refused_without_an_error_page(client, db, provider, query):
    start(client)
    response = client.get(CALLBACK, query)
    assert response.status_code == 400
    assert "định danh điện tử" in response.content.decode()
    assert not provider.token_requests


def test_a_discovery_document_for_another_issuer_is_refused(client, db, provider, monkeypatch):
    discovery = provider.discovery
    monkeypatch.setattr(provider, "discovery", lambda: {**discovery(), "issuer": "https://evil.example"})
    assert client.get("/dang-nhap/dinh-danh/").status_code == 502


def test_a_token_endpoint_elsewhere_over_plain_http_is_refused(client, db, provider, monkeypatch):
    redirect = provider.authorize(start(client))
    from django.core.cache import cache

    cache.clear()
    discovery = provider.discovery
    monkeypatch.setattr(provider, "discovery", lambda: {**discovery(), "token_endpoint": "http://sso.example/t"})
    parts = urllib.parse.urlsplit(redirect)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 502 and error_code(response) == "provider_unreachable"
