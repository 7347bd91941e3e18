"""The API's error shape (DESIGN §9): {"error": {"code": "<stable_code>", "message": "<vi>"}}."""

from __future__ import annotations


def error_body(code: str, message: str, **extra) -> dict:
    error = {"code": code, "message": message}
    error.update(extra)
    return {"error": error}


class ApiError(Exception):
    """Raise in a handler to answer with a JSON error of the given status."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
