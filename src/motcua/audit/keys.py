"""The audit key: HMAC keys for the hash chains and the checkpoints, derived from MOTCUA_AUDIT_KEY.

A plain SHA-256 chain is only tamper-evident against someone who does not know the formula:
whoever can write to the database can edit a row and recompute its hash and every hash after it.
Keyed with a secret kept outside the database (the environment, a mounted file), a forged row
needs the key too. Two keys are derived from the one secret, so a chain hash can never be
replayed as a checkpoint signature or the other way round.

Rotation: the new secret becomes MOTCUA_AUDIT_KEY and the old one moves to MOTCUA_AUDIT_OLD_KEYS,
which only verifies. Rows and checkpoints keep the key they were sealed with; each checkpoint names
its key by `kid`, a fingerprint that says nothing about the key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class AuditKey:
    kid: str  # 16 hex digits naming the key in checkpoints and messages
    chain: bytes  # keys the rows' hashes
    checkpoint: bytes  # signs checkpoint files and anchors


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), b"motcua.audit." + purpose, hashlib.sha256).digest()


@functools.lru_cache(maxsize=16)
def derive(secret: str) -> AuditKey:
    return AuditKey(
        kid=_derive(secret, b"kid").hex()[:16],
        chain=_derive(secret, b"chain.v1"),
        checkpoint=_derive(secret, b"checkpoint.v1"),
    )


def current() -> AuditKey:
    """The key new rows and checkpoints are sealed with."""
    return derive(settings.MOTCUA_AUDIT_KEY)


def known() -> tuple[AuditKey, ...]:
    """Every key verification accepts: the current one first, then the old ones."""
    keys = [current()]
    for secret in settings.MOTCUA_AUDIT_OLD_KEYS:
        key = derive(secret)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def by_kid(kid: str) -> AuditKey | None:
    return next((key for key in known() if key.kid == kid), None)


def sign(key: AuditKey, message: bytes) -> str:
    return hmac.new(key.checkpoint, message, hashlib.sha256).hexdigest()


def signed_by(key: AuditKey, message: bytes, mac: str) -> bool:
    return hmac.compare_digest(sign(key, message), mac or "")
