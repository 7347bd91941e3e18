"""API scopes of service-account tokens, and the check the API handlers call.

A user's own token (or the browser session) carries no scope list: it has all of that user's
rights, as before. A service-account token carries the scopes it was issued with (never more
than its account's); each handler asks for the scope it needs:

    require_scope(request, DOSSIERS_WRITE)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.core.api_errors import ApiError

DOSSIERS_READ = "dossiers:read"
DOSSIERS_WRITE = "dossiers:write"
TRACKING_READ = "tracking:read"
INDICATORS_READ = "indicators:read"
WEBHOOKS_MANAGE = "webhooks:manage"

SCOPES = {
    DOSSIERS_READ: _("Xem hồ sơ của đơn vị"),
    DOSSIERS_WRITE: _("Tạo, xử lý hồ sơ và thêm tệp"),
    TRACKING_READ: _("Tra cứu tình trạng hồ sơ"),
    INDICATORS_READ: _("Xem số liệu, chỉ số"),
    WEBHOOKS_MANAGE: _("Quản lý webhook"),
}
SCOPE_CHOICES = list(SCOPES.items())

# Set by the API's bearer authentication for service-account tokens; absent: no restriction.
REQUEST_ATTRIBUTE = "motcua_scopes"


def unknown(scopes) -> list[str]:
    return [s for s in scopes if s not in SCOPES]


def granted(request) -> frozenset[str] | None:
    """The request's scopes, or None when it is not limited by scopes (a user token, a session)."""
    return getattr(request, REQUEST_ATTRIBUTE, None)


def has_scope(request, scope: str) -> bool:
    scopes = granted(request)
    return scopes is None or scope in scopes


def require_scope(request, scope: str) -> None:
    if not has_scope(request, scope):
        raise ApiError(
            403, "insufficient_scope",
            f"Mã truy cập không được cấp quyền «{scope}» ({SCOPES.get(scope, scope)}).", scope=scope,
        )
