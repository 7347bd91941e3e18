"""Scanned files on the back-office forms: checked before anything is created, kept when the form
has to be shown again.

`check_upload` applies the same rules as `dossiers.files.check_and_store` (type from the bytes,
the component's accepted types, MOTCUA_MAX_UPLOAD_BYTES) without storing, so that a bad file is
refused with a message naming it before a dossier is created.

When a form comes back with errors (a bad ID number, a refused file next to good ones…), the
files that passed are kept as *pending uploads*: stored under `pending/` in the default storage
and listed on the form again, each with a signed token (user, component, storage key, name)
in a checkbox, so nothing has to be picked from the scanner folder twice. On success they are
handed to `dossiers.actions.add_file` like fresh uploads and the pending copy is deleted.
Pending files that are never used stay under `pending/`; a cleanup job can delete those older
than a day (see the issue note).
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import IO

from django.core import signing
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone

from motcua.dossiers.files import clean_name, sniff, upload_problem

PENDING_SALT = "motcua.backoffice.pending-upload"
PENDING_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class Pending:
    token: str
    component_id: int
    key: str
    name: str
    size: int


check_upload = upload_problem  # one check for every upload page (dossiers.files)


def keep_pending(upload: IO[bytes], name: str, component_id: int, user_id: int) -> Pending:
    """Store a checked upload under pending/ and return its signed token."""
    ext = sniff(upload.read(16))
    upload.seek(0)
    key = f"pending/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{ext[1] if ext else 'bin'}"
    key = default_storage.save(key, File(upload, name=key))
    display = clean_name(name)
    size = getattr(upload, "size", None) or default_storage.size(key)
    token = signing.dumps(
        {"u": user_id, "c": component_id, "k": key, "n": display, "s": size}, salt=PENDING_SALT, compress=True
    )
    return Pending(token, component_id, key, display, size)


def read_pending(token: str, user_id: int) -> Pending | None:
    """The pending upload behind a token the same user was given, or None (tampered, expired, gone)."""
    try:
        data = signing.loads(token[:2000], salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("u") != user_id:
        return None
    key = str(data.get("k", ""))
    if not key.startswith("pending/") or not default_storage.exists(key):
        return None
    try:
        return Pending(token, int(data["c"]), key, str(data["n"]), int(data["s"]))
    except (KeyError, TypeError, ValueError):
        return None


def open_pending(pending: Pending):
    return default_storage.open(pending.key, "rb")


def discard(pending: Pending) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(pending.key)
