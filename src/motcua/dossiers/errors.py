"""Domain errors of the dossier app. Each carries an HTTP-like status, a stable code and a
Vietnamese message, so the API and the back office show the same text (docs/architecture.md §2).

Pure module (no Django ORM): the lifecycle raises these too.
"""

from __future__ import annotations

from motcua.core.errors import DomainError


class DossierError(DomainError):
    """Base class: `status` is the HTTP status the API answers with."""

    status = 400
    default_code = "dossier_error"

    def __init__(self, message: str, code: str | None = None, **extra: object):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.extra = extra


class InvalidInput(DossierError):
    """A parameter is missing or wrong; `field` names it."""

    status = 400
    default_code = "invalid_parameter"

    def __init__(self, message: str, field: str = "", code: str | None = None, **extra: object):
        super().__init__(message, code, **extra)
        self.field = field
        if field:
            self.extra.setdefault("field", field)


class FileRefused(InvalidInput):
    """An uploaded file is refused (type by content, size, empty)."""

    default_code = "file_refused"


class PermissionDenied(DossierError):
    """The actor may not do this to this dossier (403)."""

    status = 403
    default_code = "forbidden"


class ActionNotAllowed(DossierError):
    """The lifecycle refuses the action in the dossier's current state (409)."""

    status = 409
    default_code = "action_not_allowed"


class ConcurrentUpdate(DossierError):
    """Someone else changed the dossier since the caller read it (409)."""

    status = 409
    default_code = "concurrent_update"


class IdempotencyConflict(DossierError):
    """An idempotency key was reused for a different request (422)."""

    status = 422
    default_code = "idempotency_key_reused"


class DossierNotFound(DossierError):
    status = 404
    default_code = "not_found"
