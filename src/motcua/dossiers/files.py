"""Uploaded files: type from the bytes (not the name), size limit, SHA-256, storage.

Accepted types (DESIGN §4): PDF, JPEG, PNG, TIFF, recognised by their magic numbers. The file is
written through Django's default storage under a generated name (never the user's file name as
a path), and only then may a row refer to it; a stored file is never overwritten.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import FileRefused

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_NAME_CHARS = 255
CHUNK = 64 * 1024

# (magic prefix, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"II*\x00", "image/tiff", "tif"),
    (b"MM\x00*", "image/tiff", "tif"),
)
# `Component.accepted_types` uses extensions; these are the same types under other names.
EXTENSION_ALIASES = {"jpeg": "jpg", "tiff": "tif"}


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    original_name: str
    content_type: str
    extension: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None when not an accepted type."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def clean_name(name: str | None) -> str:
    """A display name: the last path part, NFC, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name[:MAX_NAME_CHARS]
    return name or "tep-khong-ten"


def accepted_extensions(accepted_types: str) -> set[str]:
    items = {t.strip().lower().lstrip(".") for t in (accepted_types or "").split(",") if t.strip()}
    return {EXTENSION_ALIASES.get(t, t) for t in items}


def check_and_store(upload: IO[bytes], name: str, *, accepted_types: str | None = None) -> StoredFile:
    """Check the upload and write it to storage; raise FileRefused (naming the file) otherwise."""
    display = clean_name(name)
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(display, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(16)
    if not head:
        raise FileRefused(_("Tệp «%(name)s» rỗng.") % {"name": display}, field="file", code="file_empty")
    detected = sniff(head)
    if detected is None:
        raise FileRefused(
            _("Tệp «%(name)s» không phải PDF, JPEG, PNG hay TIFF "
              "(loại tệp được xác định theo nội dung, không theo tên).")
            % {"name": display},
            field="file",
            code="file_type_refused",
        )
    content_type, extension = detected
    if accepted_types is not None:
        allowed = accepted_extensions(accepted_types)
        if allowed and extension not in allowed:
            raise FileRefused(
                _("Tệp «%(name)s» là %(type)s, nhưng giấy tờ này chỉ nhận: %(allowed)s.")
                % {"name": display, "type": extension.upper(), "allowed": ", ".join(sorted(allowed)).upper()},
                field="file",
                code="file_type_refused",
            )
    # Hash and measure in one pass; the size check here also covers uploads without `.size`.
    digest = hashlib.sha256(head)
    total = len(head)
    while chunk := upload.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise _too_big(display, limit)
        digest.update(chunk)
    upload.seek(0)
    now = timezone.now()
    key = f"dossiers/{now:%Y/%m}/{secrets.token_hex(16)}.{extension}"
    # Storage picks another name rather than overwrite; we keep whatever name it returns.
    stored_key = default_storage.save(key, File(upload, name=key))
    return StoredFile(stored_key, display, content_type, extension, total, digest.hexdigest())


def _too_big(display: str, limit: int) -> FileRefused:
    return FileRefused(
        _("Tệp «%(name)s» lớn hơn giới hạn %(mb)s MB.") % {"name": display, "mb": f"{limit / 1024 / 1024:g}"},
        field="file",
        code="file_too_large",
    )


def _mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}"


def upload_problem(upload: IO[bytes], name: str, accepted_types: str | None) -> str | None:
    """None when the file may be stored, else a Vietnamese message naming the file and the rule.

    The pages check every file of a form before storing any (so that one bad file does not
    leave others stored); `check_and_store` checks again when it stores."""
    display = clean_name(name)
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        return _("Tệp «%(name)s» lớn hơn giới hạn %(mb)s MB (tệp này %(size)s MB).") % {
            "name": display, "mb": _mb(limit), "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
        }
    if size == 0:
        return _("Tệp «%(name)s» rỗng (0 byte).") % {"name": display}
    try:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
    except (OSError, ValueError):
        return _("Không đọc được tệp «%(name)s»; hãy chọn lại.") % {"name": display}
    if not head:
        return _("Tệp «%(name)s» rỗng (0 byte).") % {"name": display}
    detected = sniff(head)
    if detected is None:
        return _("Tệp «%(name)s» không phải PDF, JPEG, PNG hay TIFF (loại tệp được xác định theo nội dung, "
                 "không theo tên). Chỉ nhận tệp PDF, JPEG, PNG, TIFF.") % {"name": display}
    allowed = accepted_extensions(accepted_types or "")
    if allowed and detected[1] not in allowed:
        return _("Tệp «%(name)s» là %(type)s, nhưng giấy tờ này chỉ nhận: %(allowed)s.") % {
            "name": display, "type": detected[1].upper(), "allowed": ", ".join(sorted(allowed)).upper(),
        }
    return None



def download_response(dossier_file, *, inline: bool = False):
    """Serve a stored file as an attachment under its original name, type from the stored check."""
    from django.http import FileResponse

    handle = default_storage.open(dossier_file.storage_key, "rb")
    response = FileResponse(
        handle, as_attachment=not inline, filename=dossier_file.original_name, content_type=dossier_file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
