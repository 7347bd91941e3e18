"""Who calls the REST API: a user's bearer token (issued by POST /api/v1/auth/token), a service
account's scoped token (motcua.integrations), or the browser's session."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from motcua.core.api_errors import ApiError
from motcua.dossiers.models import ApiToken
from motcua.integrations.scopes import REQUEST_ATTRIBUTE
from motcua.integrations.tokens import authenticate as service_auth

# Writing last_used_at on every request would make each API call a write; once a minute is enough.
TOKEN_TOUCH_SECONDS = 60


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user, *, now: dt.datetime | None = None) -> tuple[str, ApiToken]:
    """A new random token for `user`; only its hash is stored."""
    now = now or timezone.now()
    days = settings.MOTCUA_API_TOKEN_DAYS
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_hash=hash_token(raw), expires_at=now + dt.timedelta(days=days))
    return raw, token


class ApiAuth(HttpBearer):
    """`Authorization: Bearer <token>`, or the browser's session (with its CSRF check on writes).

    A request that sends an Authorization header is judged on it alone: a bad token is a 401,
    never a fallback to the session (which would answer a confusing CSRF 403)."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", "Phiên đăng nhập thiếu mã CSRF; hãy tải lại trang rồi thử lại.")
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token.strip())).first()
        if row is None:  # a service account's scoped token (integrations)?
            found = service_auth(token.strip())
            if found is None:
                return None
            setattr(request, REQUEST_ATTRIBUTE, found.scopes)
            return found.user
        now = timezone.now()
        if row.revoked_at is not None or row.expires_at <= now or not row.user.is_active:
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > TOKEN_TOUCH_SECONDS:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user


api_auth = ApiAuth()
