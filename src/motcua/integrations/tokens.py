"""Issue, check and revoke service-account tokens (the raw token is shown once, never stored)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from .models import ServiceAccount, ServiceToken
from .scopes import unknown

PREFIX = "mcs_"
TOUCH_SECONDS = 60


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class ServiceAuth:
    account: ServiceAccount
    token: ServiceToken
    scopes: frozenset[str]

    @property
    def user(self):
        return self.account.user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(
    account: ServiceAccount, scopes: list[str] | None = None, *, days: int | None = None, label: str = "",
    now: dt.datetime | None = None,
) -> tuple[str, ServiceToken]:
    """A new token for `account` with `scopes` (None or empty: all of the account's)."""
    scopes = sorted(set(scopes or []))
    if bad := unknown(scopes):
        raise TokenError(f"Phạm vi không hợp lệ: {', '.join(bad)}.")
    if extra := sorted(set(scopes) - set(account.scopes or [])):
        raise TokenError(f"Tài khoản {account.name} không có phạm vi: {', '.join(extra)}.")
    if not account.active:
        raise TokenError(f"Tài khoản {account.name} đang bị khóa.")
    now = now or timezone.now()
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ServiceToken.objects.create(
        account=account, label=label[:100], prefix=raw[:12], key_hash=hash_token(raw), scopes=scopes,
        expires_at=now + dt.timedelta(days=days) if days else None,
    )
    return raw, token


def effective_scopes(token: ServiceToken) -> frozenset[str]:
    allowed = set(token.account.scopes or [])
    return frozenset(set(token.scopes) & allowed if token.scopes else allowed)


def authenticate(raw: str, *, now: dt.datetime | None = None) -> ServiceAuth | None:
    """The service account behind a bearer token, or None (unknown, revoked, expired, inactive)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = (
        ServiceToken.objects.select_related("account__user").filter(key_hash=hash_token(raw)).first()
    )
    now = now or timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    account = token.account
    if not account.active or account.user is None or not account.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return ServiceAuth(account=account, token=token, scopes=effective_scopes(token))


def revoke(token: ServiceToken) -> None:
    ServiceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
