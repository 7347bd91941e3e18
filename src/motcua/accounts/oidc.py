"""Sign-in through an OpenID Connect provider (the national identity provider, VNeID), off unless configured.

Authorization code flow with PKCE (S256), `state` and `nonce`; the ID token's signature is checked
against the provider's published keys (JWKS) with PyJWT, and its issuer, audience, expiry and
nonce too. The verified personal ID number (số định danh) claim then finds, links or creates the
citizen account (see `account_for`).

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

import base64
import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import validation
from .models import IdentityLink, User
from .services import contact_taken, new_username

log = logging.getLogger("motcua.accounts.oidc")

DEFAULT_CLAIMS = {
    "id_number": "id_number",
    "name": "name",
    "birthdate": "birthdate",
    "phone": "phone_number",
    "email": "email",
    "address": "address.formatted",
}
DEFAULT_ALGORITHMS = ["RS256", "PS256", "ES256"]
MAX_RESPONSE = 1_000_000
CACHE_SECONDS = 3600
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
    issuer = (getattr(settings, "MOTCUA_OIDC_ISSUER", "") or "").rstrip("/")
    client_id = getattr(settings, "MOTCUA_OIDC_CLIENT_ID", "") or ""
    if not issuer or not client_id:
        return None
    scopes = getattr(settings, "MOTCUA_OIDC_SCOPES", None) or ["openid", "profile"]
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    if "openid" not in scopes:
        scopes = ["openid", *scopes]
    redirect = getattr(settings, "MOTCUA_OIDC_REDIRECT_URI", "") or (
        str(getattr(settings, "MOTCUA_PUBLIC_URL", "")).rstrip("/") + reverse("accounts:oidc_callback")
    )
    return Config(
        issuer=issuer,
        client_id=client_id,
        client_secret=getattr(settings, "MOTCUA_OIDC_CLIENT_SECRET", "") or "",
        scopes=list(scopes),
        claims={**DEFAULT_CLAIMS, **(getattr(settings, "MOTCUA_OIDC_CLAIMS", None) or {})},
        label=getattr(settings, "MOTCUA_OIDC_LABEL", "") or _("Đăng nhập bằng VNeID / tài khoản định danh điện tử"),
        token_auth=getattr(settings, "MOTCUA_OIDC_TOKEN_AUTH", "client_secret_basic") or "client_secret_basic",
        redirect_uri=redirect,
        use_userinfo=bool(getattr(settings, "MOTCUA_OIDC_USE_USERINFO", True)),
        algorithms=list(getattr(settings, "MOTCUA_OIDC_ALGORITHMS", None) or DEFAULT_ALGORITHMS),
        timeout=float(getattr(settings, "MOTCUA_OIDC_TIMEOUT", 10) or 10),
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


def _http_json(url: str, cfg: Config, *, data: dict | None = None, headers: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = {"Accept": "application/json", **(headers or {})}
    request = urllib.request.Request(_check_url(url), data=body, headers=headers)  # noqa: S310 (http(s) only)
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=cfg.timeout) as response:  # noqa: S310 (_check_url: http(s) only)
            raw = response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace")
        log.warning("OpenID Connect provider answered %s at %s: %s", exc.code, url, detail)
        raise OIDCError(
            "provider_refused",
            _("Hệ thống định danh điện tử từ chối yêu cầu đăng nhập. Vui lòng bắt đầu lại."),
            status=UNREACHABLE,
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        log.warning("OpenID Connect provider unreachable at %s: %s", url, exc)
        raise _unreachable() from None
    if len(raw) > MAX_RESPONSE:
        raise _unreachable()
    try:
        value = json.loads(raw)
    except ValueError:
        log.warning("OpenID Connect provider sent no JSON at %s", url)
        raise _unreachable() from None
    if not isinstance(value, dict):
        raise _unreachable()
    return value


def _cache_key(kind: str, issuer: str) -> str:
    return f"motcua:oidc:{kind}:{hashlib.sha256(issuer.encode()).hexdigest()[:32]}"


def discovery(cfg: Config) -> dict:
    key = _cache_key("discovery", cfg.issuer)
    doc = cache.get(key)
    if doc is None:
        doc = _http_json(f"{cfg.issuer}/.well-known/openid-configuration", cfg)
        if doc.get("issuer", "").rstrip("/") != cfg.issuer:
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
        keys = _http_json(discovery(cfg)["jwks_uri"], cfg)
        if not isinstance(keys.get("keys"), list):
            raise _unreachable()
        cache.set(key, keys, CACHE_SECONDS)
    return keys


# --- The flow ---------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def begin(request, cfg: Config, next_url: str) -> str:
    """Remember state, nonce and PKCE verifier in the session; return the provider's authorize URL."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
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
    params = {
        "response_type": "code", "client_id": cfg.client_id, "redirect_uri": cfg.redirect_uri,
        "scope": " ".join(cfg.scopes), "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }
    endpoint = discovery(cfg)["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return f"{_check_url(endpoint)}{separator}{urllib.parse.urlencode(params)}"


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
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": cfg.redirect_uri,
            "code_verifier": verifier}
    headers = {}
    if cfg.token_auth == "client_secret_post":  # noqa: S105 (a method name, not a secret)
        data.update(client_id=cfg.client_id, client_secret=cfg.client_secret)
    else:
        pair = f"{urllib.parse.quote(cfg.client_id, safe='')}:{urllib.parse.quote(cfg.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    tokens = _http_json(discovery(cfg)["token_endpoint"], cfg, data=data, headers=headers)
    if not isinstance(tokens.get("id_token"), str):
        raise OIDCError("no_id_token", _("Hệ thống định danh điện tử không trả về thông tin đăng nhập."), status=502)
    return tokens


def _bad_token(code: str) -> OIDCError:
    return OIDCError(
        code, _("Thông tin đăng nhập từ hệ thống định danh điện tử không hợp lệ. Vui lòng đăng nhập lại.")
    )


def _signing_key(cfg: Config, header: dict):
    kid = header.get("kid")
    for attempt in (False, True):
        keys = [k for k in jwks(cfg, refresh=attempt)["keys"] if isinstance(k, dict) and k.get("use", "sig") == "sig"]
        chosen = [k for k in keys if k.get("kid") == kid] if kid else keys
        if len(chosen) == 1:
            try:
                return jwt.PyJWK(chosen[0], algorithm=header.get("alg")).key
            except jwt.PyJWTError:
                raise _bad_token("bad_key") from None
        # An unknown kid: the provider may have rotated its keys; fetch them again, once a minute at most.
        throttle = _cache_key("jwks-refetch", cfg.issuer)
        if attempt or not cache.add(throttle, 1, 60):
            break
    raise _bad_token("unknown_key")


def verify_id_token(cfg: Config, id_token: str, nonce: str) -> dict:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise _bad_token("malformed") from None
    if header.get("alg") not in cfg.algorithms:
        raise _bad_token("bad_algorithm")
    key = _signing_key(cfg, header)
    try:
        claims = jwt.decode(
            id_token, key=key, algorithms=[header["alg"]], audience=cfg.client_id, issuer=cfg.issuer,
            leeway=60, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise _bad_token("expired") from None
    except jwt.InvalidSignatureError:
        raise _bad_token("bad_signature") from None
    except jwt.PyJWTError as exc:
        log.warning("ID token refused: %s", exc)
        raise _bad_token("invalid") from None
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise _bad_token("bad_nonce")
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != cfg.client_id:
        raise _bad_token("bad_azp")
    return claims


def userinfo(cfg: Config, access_token: str, sub: str) -> dict:
    endpoint = discovery(cfg).get("userinfo_endpoint")
    if not cfg.use_userinfo or not endpoint or not access_token:
        return {}
    info = _http_json(endpoint, cfg, headers={"Authorization": f"Bearer {access_token}"})
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
    birthdate = None
    raw_birth = _claim(claims, mapping.get("birthdate", ""))
    if isinstance(raw_birth, str):
        try:
            birthdate = dt.date.fromisoformat(raw_birth[:10])
        except ValueError:
            birthdate = None
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
    if person.name:
        user.full_name = person.name
    if person.birthdate:
        user.date_of_birth = person.birthdate
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
    claims = verify_id_token(cfg, tokens["id_token"], flow["nonce"])
    info = userinfo(cfg, str(tokens.get("access_token") or ""), claims["sub"])
    merged = {**info, **claims}
    user, created = account_for(cfg, person_from(cfg, merged), flow.get("link_user"))
    return user, created, flow
