"""Errors of the signing app. They are dossier errors, so the API and the back office show them
like any other refusal of an action (status, stable code, Vietnamese message)."""

from __future__ import annotations

from motcua.core.errors import DomainError
from motcua.dossiers.errors import DossierError


class CertificateUnavailable(DossierError):
    """A registered certificate cannot be used (file missing, passphrase not set or wrong, expired).

    Completing a dossier is refused while this lasts: the operator must fix the configuration,
    and the results must not silently go out unsigned."""

    status = 503
    default_code = "signing_unavailable"


class NotSignable(DomainError):
    """This file cannot be signed (not a PDF nor an image, unreadable, encrypted PDF)."""


class SigningRefused(DossierError):
    """The approver's personal certificate cannot sign now: wrong PIN, locked, expired, revoked.

    Always with a Vietnamese message saying what to do; the use is logged (never the PIN)."""

    status = 409
    default_code = "signing_refused"


class WrongPin(SigningRefused):
    status = 400
    default_code = "wrong_pin"

    def __init__(self, message: str, code: str | None = None, **extra: object):
        super().__init__(message, code, **extra)
        self.field = "pin"
        self.extra.setdefault("field", "pin")


class CertificateUploadError(DomainError):
    """An uploaded personal certificate is refused (the form shows the message)."""
