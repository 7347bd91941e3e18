"""Sign-in through an OpenID Connect provider (the national identity provider, VNeID), off unless configured.

The protocol is Authlib's (https://authlib.org), with joserfc (Authlib's JOSE library, by the same
maintainer) for the signatures:

- `authlib.integrations.requests_client.OAuth2Session` builds the authorize URL (PKCE S256 challenge
  from our verifier, `state`, `nonce`) and makes the token request (client authentication by
  `client_secret_basic` or `client_secret_post`, the code and its PKCE verifier, OAuth error answers);
- `joserfc.jwt.decode` checks the ID token's signature against the provider's JWK set, picking the
  key by `kid` and accepting only the algorithms of `MOTCUA_OIDC_ALGORITHMS` (so never `none`, and
  never an HMAC "signed" with the public key);
- `authlib.oidc.core.CodeIDToken` checks the claims: `iss`, `aud` (and `azp`), `exp`, `iat`, `nbf`
  with 60 s leeway, `nonce`, and `at_hash` against the access token.

Why Authlib: it is maintained, covers both OAuth 2 client and OIDC claims rules, and its lower
layers let us keep what is ours. Its Django integration (and mozilla-django-oidc) would own the
views, the session layout and the user lookup; ours are below. What stays here: which URLs may be
called (https only, http only for a provider on this machine, in tests), response size limits and
timeouts, the discovery document and JWK set cached in Django's cache (shared by all workers, an
hour) with a bounded refetch when the provider rotates its keys (an unknown `kid` refetches the set
at most once a minute per `kid`), the flows kept in the session (bound to it, single use, 10
minutes, a few tabs at once), the Vietnamese messages, and what the verified personal ID number
(số định danh) claim does to accounts (see `account_for`).

Settings (read at each request, so tests and operators can change them):
    MOTCUA_OIDC_ISSUER            https://… (http only for a provider on this machine, in tests)
    MOTCUA_OIDC_CLIENT_ID, MOTCUA_OIDC_CLIENT_SECRET
    MOTCUA_OIDC_SCOPES            ["openid", "profile", …]
    MOTCUA_OIDC_CLAIMS            {"id_number": "…", "name": "name", "phone": "phone_number", …}
    MOTCUA_OIDC_LABEL             text of the button
    MOTCUA_OIDC_TOKEN_AUTH        "client_secret_basic" (default) or "client_secret_post"
    MOTCUA_OIDC_REDIRECT_URI      default: MOTCUA_PUBLIC_URL + /dang-nhap/dinh-danh/ket-qua/
    MOTCUA_OIDC_USE_USERINFO      also read the userinfo endpoint (default True)
    MOTCUA_OIDC_ALGORITHMS        accepted ID token algorithms (default RS256, PS256, ES256)
    MOTCUA_OIDC_TIMEOUT           seconds per HTTP call to the provider (default 10)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import logging
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingAlgorithmError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import JWKRegistry, KeySet

from motcua import conf
from motcua.core.dates import parse_iso_date

from . import validation
from .models import IdentityLink, User
from .services import contact_taken, new_username

log = logging.getLogger("motcua.accounts.oidc")

MAX_RESPONSE = 1_000_000
CACHE_SECONDS = 3600
REFETCH_SECONDS = 60
LEEWAY_SECONDS = 60
PENDING_SECONDS = 600
SESSION_KEY = "motcua_oidc_pending"


class OIDCError(Exception):
    """A failed sign-in: `code` for logs and tests, `message` for the person (Vietnamese)."""

    def __init__(self, code: str, message: str, *, status: int = 400):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: list[str]
    claims: dict[str, str]
    label: str
    token_auth: str
    redirect_uri: str
    use_userinfo: bool
    algorithms: list[str]
    timeout: float = 10.0
    extra: dict[str, Any] = field(default_factory=dict)


def config() -> Config | None:
    issuer = settings.MOTCUA_OIDC_ISSUER.rstrip("/")
    client_id = settings.MOTCUA_OIDC_CLIENT_ID
    if not issuer or not client_id:
        return None
    scopes = settings.MOTCUA_OIDC_SCOPES
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    if "openid" not in scopes:
        scopes = ["openid", *scopes]
    redirect = settings.MOTCUA_OIDC_REDIRECT_URI or (
        str(settings.MOTCUA_PUBLIC_URL).rstrip("/") + reverse("accounts:oidc_callback")
    )
    return Config(
        issuer=issuer,
        client_id=client_id,
        client_secret=settings.MOTCUA_OIDC_CLIENT_SECRET,
        scopes=list(scopes),
        # A partial mapping (set in Python) keeps the default claim of the keys it leaves out.
        claims={**conf.OIDC_CLAIM_DEFAULTS, **settings.MOTCUA_OIDC_CLAIMS},
        label=settings.MOTCUA_OIDC_LABEL or _("Đăng nhập bằng VNeID / tài khoản định danh điện tử"),
        token_auth="client_secret_post" if settings.MOTCUA_OIDC_TOKEN_AUTH == "client_secret_post"  # noqa: S105
        else "client_secret_basic",
        redirect_uri=redirect,
        use_userinfo=bool(settings.MOTCUA_OIDC_USE_USERINFO),
        # None (set in Python) stands for the declared default.
        algorithms=list(settings.MOTCUA_OIDC_ALGORITHMS or conf.default("MOTCUA_OIDC_ALGORITHMS")),
        timeout=float(settings.MOTCUA_OIDC_TIMEOUT),
    )


def enabled() -> bool:
    return config() is not None


# --- HTTP to the provider -----------------------------------------------------------------------

UNREACHABLE = 502


def _unreachable() -> OIDCError:
    return OIDCError(
        "provider_unreachable",
        _("Chưa kết nối được với hệ thống định danh điện tử. Vui lòng thử lại sau ít phút, "
          "hoặc đăng nhập bằng số điện thoại / e-mail và mật khẩu."),
        status=UNREACHABLE,
    )


def _refused() -> OIDCError:
    return OIDCError(
        "provider_refused",
        _("Hệ thống định danh điện tử từ chối yêu cầu đăng nhập. Vui lòng bắt đầu lại."),
        status=UNREACHABLE,
    )


def _check_url(url: str) -> str:
    """Only https, except for a provider on this machine (the tests' fake provider)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return url
    host = parts.hostname or ""
    loopback = host == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(host).is_loopback
    if parts.scheme == "http" and loopback:
        return url
    log.error("refusing a non-https OpenID Connect address: %s", url)
    raise _unreachable()


def _guard(response: requests.Response, *args, **kwargs) -> requests.Response:
    """Every answer of the provider, before requests reads its body: redirects only to addresses
    `_check_url` allows, an error status is a refusal, and at most MAX_RESPONSE bytes are read."""
    if response.is_redirect:
        _check_url(urllib.parse.urljoin(response.url, response.headers.get("Location", "")))
        return response
    body = response.raw.read(MAX_RESPONSE + 1, decode_content=True)
    response._content, response._content_consumed = body, True
    if len(body) > MAX_RESPONSE:
        log.warning("OpenID Connect provider sent more than %s bytes at %s", MAX_RESPONSE, response.url)
        raise _unreachable()
    if response.status_code >= 400:
        log.warning("OpenID Connect provider answered %s at %s: %s", response.status_code, response.url,
                    body[:2000].decode("utf-8", "replace"))
        raise _refused()
    return response


def _client(cfg: Config) -> OAuth2Session:
    client = OAuth2Session(
        client_id=cfg.client_id, client_secret=cfg.client_secret, token_endpoint_auth_method=cfg.token_auth,
        scope=" ".join(cfg.scopes), redirect_uri=cfg.redirect_uri, code_challenge_method="S256",
        default_timeout=cfg.timeout,
    )
    client.max_redirects = 3
    client.headers["Accept"] = "application/json"
    client.hooks["response"].append(_guard)
    return client


@contextlib.contextmanager
def _talking_to(url: str):
    """Map what can go wrong on the wire to the person's message (never a 500)."""
    try:
        yield
    except OAuthError as exc:  # the token endpoint's own error answer
        log.warning("OpenID Connect provider refused at %s: %s", url, exc)
        raise _refused() from None
    except (requests.RequestException, ValueError, TypeError, KeyError) as exc:
        log.warning("OpenID Connect provider unreachable or unreadable at %s: %r", url, exc)
        raise _unreachable() from None


def _get_json(cfg: Config, url: str, headers: dict | None = None) -> dict:
    with _client(cfg) as client, _talking_to(url):
        value = client.get(_check_url(url), withhold_token=True, headers=headers).json()
    if not isinstance(value, dict):
        log.warning("OpenID Connect provider sent no JSON object at %s", url)
        raise _unreachable()
    return value


def _cache_key(kind: str, issuer: str) -> str:
    return f"motcua:oidc:{kind}:{hashlib.sha256(issuer.encode()).hexdigest()[:32]}"


def discovery(cfg: Config) -> dict:
    key = _cache_key("discovery", cfg.issuer)
    doc = cache.get(key)
    if doc is None:
        doc = _get_json(cfg, f"{cfg.issuer}/.well-known/openid-configuration")
        if not isinstance(doc.get("issuer"), str) or doc["issuer"].rstrip("/") != cfg.issuer:
            log.error("discovery document names issuer %r, expected %r", doc.get("issuer"), cfg.issuer)
            raise _unreachable()
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(doc.get(name), str):
                log.error("discovery document lacks %s", name)
                raise _unreachable()
        cache.set(key, doc, CACHE_SECONDS)
    return doc


def jwks(cfg: Config, *, refresh: bool = False) -> dict:
    key = _cache_key("jwks", cfg.issuer)
    keys = None if refresh else cache.get(key)
    if keys is None:
        keys = _get_json(cfg, discovery(cfg)["jwks_uri"])
        if not isinstance(keys.get("keys"), list):
            raise _unreachable()
        cache.set(key, keys, CACHE_SECONDS)
    return keys


def key_set(cfg: Config, *, refresh: bool = False) -> KeySet:
    """The provider's signing keys; one it publishes that joserfc cannot read is skipped, not fatal."""
    keys = []
    for data in jwks(cfg, refresh=refresh)["keys"]:
        if not isinstance(data, dict) or data.get("use", "sig") != "sig":
            continue
        try:
            keys.append(JWKRegistry.import_key(data))
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            log.warning("skipping a key of the provider's JWK set (kid %r): %r", data.get("kid"), exc)
    return KeySet(keys)


# --- The flow ---------------------------------------------------------------------------------


def begin(request, cfg: Config, next_url: str) -> str:
    """Remember state, nonce and PKCE verifier in the session; return the provider's authorize URL."""
    state, nonce, verifier = generate_token(48), generate_token(48), generate_token(96)
    pending = {
        k: v for k, v in (request.session.get(SESSION_KEY) or {}).items()
        if isinstance(v, dict) and time.time() - v.get("at", 0) < PENDING_SECONDS
    }
    while len(pending) >= 5:  # a few tabs at once are fine; not an unbounded session
        pending.pop(min(pending, key=lambda k: pending[k].get("at", 0)))
    pending[state] = {
        "nonce": nonce, "verifier": verifier, "next": next_url, "at": time.time(),
        "link_user": request.user.pk if request.user.is_authenticated else None,
    }
    request.session[SESSION_KEY] = pending
    endpoint = _check_url(discovery(cfg)["authorization_endpoint"])
    with _client(cfg) as client:
        url, _state = client.create_authorization_url(endpoint, state=state, code_verifier=verifier, nonce=nonce)
    return url


def take_pending(request, state: str) -> dict:
    """The flow that `state` names, removed from the session (single use); OIDCError if none."""
    pending = request.session.get(SESSION_KEY) or {}
    flow = pending.pop(state, None) if state and len(state) <= 200 else None
    request.session[SESSION_KEY] = pending
    if not isinstance(flow, dict) or time.time() - flow.get("at", 0) >= PENDING_SECONDS:
        raise OIDCError(
            "bad_state",
            _("Phiên đăng nhập bằng định danh điện tử không hợp lệ hoặc đã hết hạn. Vui lòng bấm đăng nhập lại."),
        )
    return flow


def exchange_code(cfg: Config, code: str, verifier: str) -> dict:
    url = _check_url(discovery(cfg)["token_endpoint"])
    with _client(cfg) as client, _talking_to(url):
        tokens = dict(client.fetch_token(url, grant_type="authorization_code", code=code, code_verifier=verifier))
    if not isinstance(tokens.get("id_token"), str):
        raise OIDCError("no_id_token", _("Hệ thống định danh điện tử không trả về thông tin đăng nhập."), status=502)
    return tokens


def _bad_token(code: str) -> OIDCError:
    return OIDCError(
        code, _("Thông tin đăng nhập từ hệ thống định danh điện tử không hợp lệ. Vui lòng đăng nhập lại.")
    )


def _decode(cfg: Config, id_token: str) -> jwt.Token:
    """Signature checked by joserfc; an unknown `kid` (the provider rotated its keys) refetches the
    key set once, and no more than once a minute for the same `kid`."""
    registry = jws.JWSRegistry(algorithms=cfg.algorithms, strict_check_header=False)
    try:
        return jwt.decode(id_token, key_set(cfg), registry=registry)
    except InvalidKeyIdError:
        kid = str(jws.extract_compact(id_token.encode("ascii")).headers().get("kid", ""))[:200]
        if not cache.add(_cache_key("jwks-refetch", f"{cfg.issuer}\n{kid}"), 1, REFETCH_SECONDS):
            raise
        log.info("ID token signed with an unknown key %r: fetching the provider's keys again", kid)
        return jwt.decode(id_token, key_set(cfg, refresh=True), registry=registry)


def verify_id_token(cfg: Config, id_token: str, nonce: str, access_token: str = "") -> dict:
    issuer = discovery(cfg)["issuer"]
    try:
        token = _decode(cfg, id_token)
        claims = CodeIDToken(
            token.claims, token.header,
            options={"iss": {"essential": True, "value": issuer},
                     "aud": {"essential": True, "value": cfg.client_id}},
            params={"nonce": nonce, "client_id": cfg.client_id, "access_token": access_token or None},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except (UnsupportedAlgorithmError, MissingAlgorithmError):
        raise _bad_token("bad_algorithm") from None
    except InvalidKeyIdError:
        raise _bad_token("unknown_key") from None
    except BadSignatureError:
        raise _bad_token("bad_signature") from None
    except ExpiredTokenError:
        raise _bad_token("expired") from None
    except ClaimError as exc:
        log.warning("ID token refused: %s", exc)
        raise _bad_token("bad_nonce" if exc.claim == "nonce" else "invalid") from None
    except (JoseError, ValueError, TypeError, KeyError, UnicodeError) as exc:
        log.warning("ID token refused: %r", exc)
        raise _bad_token("invalid") from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _bad_token("invalid")
    return dict(claims)


def userinfo(cfg: Config, access_token: str, sub: str) -> dict:
    endpoint = discovery(cfg).get("userinfo_endpoint")
    if not cfg.use_userinfo or not endpoint or not access_token:
        return {}
    info = _get_json(cfg, endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if info.get("sub") != sub:
        log.warning("userinfo names another subject")
        raise _bad_token("userinfo_sub")
    return info


def _claim(claims: dict, path: str):
    value: Any = claims
    for part in (path or "").split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class Person:
    subject: str
    id_number: str
    name: str
    birthdate: dt.date | None
    phone: str
    email: str
    address: str


def person_from(cfg: Config, claims: dict) -> Person:
    """The mapped claims, cleaned; an ID number of 12 digits is required."""
    mapping = cfg.claims
    number = validation.normalize_id_number(str(_claim(claims, mapping.get("id_number", "")) or ""))
    if len(number) != 12 or not number.isdigit():
        raise OIDCError(
            "no_id_number",
            _("Tài khoản định danh điện tử không cung cấp số định danh cá nhân hợp lệ, nên chưa thể đăng nhập."),
        )
    raw_name = str(_claim(claims, mapping.get("name", "")) or "")[:255]
    try:
        name = validation.clean_name(raw_name)
    except ValidationError:
        name = " ".join(raw_name.split())[:255]
    raw_birth = _claim(claims, mapping.get("birthdate", ""))
    birthdate = parse_iso_date(raw_birth[:10]) if isinstance(raw_birth, str) else None
    phone = email = ""
    with contextlib.suppress(ValidationError):
        phone = validation.clean_mobile(str(_claim(claims, mapping.get("phone", "")) or ""))
    raw_email = _claim(claims, mapping.get("email", ""))
    if raw_email:
        with contextlib.suppress(ValidationError):
            email = validation.clean_email(str(raw_email))
    address = _claim(claims, mapping.get("address", ""))
    if not isinstance(address, str):
        address = ""
    address = " ".join("".join(ch if ch.isprintable() else " " for ch in address).split())[:500]
    return Person(str(claims["sub"])[:255], number, name, birthdate, phone, email, address)


def _conflict() -> OIDCError:
    return OIDCError(
        "id_number_taken",
        _("Số định danh này đã được liên kết với một tài khoản khác trên cổng. Vui lòng đăng xuất rồi đăng nhập "
          "bằng tài khoản định danh điện tử, hoặc liên hệ Bộ phận Một cửa."),
        status=409,
    )


def _apply_identity(user: User, person: Person, now: dt.datetime) -> None:
    """The provider is the authority for name, ID number and birth date; contacts only fill blanks."""
    user.id_number = person.id_number
    supplied = ["id_number"]  # what the provider proved this time: only these are marked verified
    if person.name:
        user.full_name = person.name
        supplied.append("full_name")
    if person.birthdate:
        user.date_of_birth = person.birthdate
        supplied.append("date_of_birth")
    user.identity_fields = supplied
    if person.address and not user.address:
        user.address = person.address
    if person.phone and not user.phone and not contact_taken(validation.Contact("phone", person.phone), user):
        user.phone = person.phone
    if person.email and not user.email and not contact_taken(validation.Contact("email", person.email), user):
        user.email = person.email
    user.identity_verified_at = now


def account_for(cfg: Config, person: Person, link_user_id: int | None) -> tuple[User, bool]:
    """Find, link or create the account of a verified person; (user, created).

    1. an account already linked to this provider subject;
    2. the signed-in account that started the flow (linking from the profile page);
    3. an account whose ID number was verified through the provider before;
    4. otherwise a new citizen account.
    An ID number that was only typed into a profile never links: anyone can type a number.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            link = IdentityLink.objects.select_related("user").filter(
                issuer=cfg.issuer, subject=person.subject
            ).first()
            created = False
            if link is not None:
                user = link.user
                if link_user_id and link_user_id != user.pk:
                    raise _conflict()
            elif link_user_id:
                user = User.objects.filter(pk=link_user_id).first()
                if user is None:
                    raise OIDCError("session_changed", _("Phiên đăng nhập đã thay đổi. Vui lòng làm lại."))
                if user.identity_verified and user.id_number and user.id_number != person.id_number:
                    raise OIDCError(
                        "other_identity",
                        _("Tài khoản này đã được xác thực với một số định danh khác."),
                        status=409,
                    )
            else:
                user = User.objects.filter(
                    id_number=person.id_number, identity_verified_at__isnull=False, is_active=True
                ).first()
                if user is None:
                    user = User(username=new_username("dd"), self_registered=True, privacy_consent_at=now)
                    user.set_unusable_password()
                    created = True
            if User.objects.filter(id_number=person.id_number, identity_verified_at__isnull=False).exclude(
                pk=user.pk
            ).exists():
                raise _conflict()
            _apply_identity(user, person, now)
            user.save()
            if link is None:
                link = IdentityLink.objects.create(user=user, issuer=cfg.issuer, subject=person.subject)
            IdentityLink.objects.filter(pk=link.pk).update(last_login_at=now)
    except IntegrityError:
        raise _conflict() from None
    if not user.is_active:
        raise OIDCError("inactive", _("Tài khoản này đã bị khóa. Vui lòng liên hệ Bộ phận Một cửa."), status=403)
    return user, created


def complete(request, cfg: Config, state: str, code: str) -> tuple[User, bool, dict]:
    """Finish the flow from the callback's parameters; (user, created, the flow: next, link_user)."""
    flow = take_pending(request, state)
    if not code or len(code) > 2000:
        raise OIDCError("no_code", _("Thiếu mã đăng nhập từ hệ thống định danh điện tử. Vui lòng đăng nhập lại."))
    tokens = exchange_code(cfg, code, flow["verifier"])
    access_token = tokens.get("access_token") if isinstance(tokens.get("access_token"), str) else ""
    claims = verify_id_token(cfg, tokens["id_token"], flow["nonce"], access_token)
    info = userinfo(cfg, access_token, claims["sub"])
    merged = {**info, **claims}
    user, created = account_for(cfg, person_from(cfg, merged), flow.get("link_user"))
    return user, created, flow
