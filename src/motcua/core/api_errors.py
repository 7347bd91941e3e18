"""The API's error shape (docs/architecture.md §9): {"error": {"code": "<stable_code>", "message": "<vi>"}}."""

from __future__ import annotations


def error_body(code: str, message: str, **extra) -> dict:
    error = {"code": code, "message": message}
    error.update(extra)
    return {"error": error}


class ApiError(Exception):
    """Raise in a handler to answer with a JSON error of the given status.

    A refusal by a rate limit passes `retry_after` (the limiter's Decision.retry_after, seconds):
    the answer carries it as the `Retry-After` header and as `retry_after` in the error."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = max(1, int(retry_after)) if retry_after is not None else None
        if self.retry_after is not None:
            extra["retry_after"] = self.retry_after
        self.extra = extra
