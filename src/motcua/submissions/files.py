"""Storing a draft's files: the same checks as a dossier's (type from the bytes, the component's
accepted types, MOTCUA_MAX_UPLOAD_BYTES; see dossiers.files), under ``drafts/`` in the default
storage with a generated name, before any row refers to the file. A stored file is never
overwritten (the storage picks another name rather than replace one)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.errors import FileRefused
from motcua.dossiers.files import (
    CHUNK,
    accepted_extensions,
    check_content,
    clean_name,
    max_upload_bytes,
    scan,
    sniff,
)

TYPE_NAMES = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG", "tif": "TIFF"}


@dataclass(frozen=True)
class Stored:
    storage_key: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}".replace(".", ",")


def accepted_text(accepted_types: str | None) -> str:
    """"PDF, JPEG, PNG" for a component's accepted types (all four when it lists none)."""
    allowed = accepted_extensions(accepted_types or "") or set(TYPE_NAMES)
    return ", ".join(TYPE_NAMES.get(ext, ext.upper()) for ext in TYPE_NAMES if ext in allowed) or ", ".join(
        sorted(e.upper() for e in allowed))


def accept_attribute(accepted_types: str | None) -> str:
    """The file input's accept="": extensions and MIME types the browser should offer."""
    allowed = accepted_extensions(accepted_types or "") or set(TYPE_NAMES)
    parts = []
    for ext, mimes in (("pdf", ".pdf,application/pdf"), ("jpg", ".jpg,.jpeg,image/jpeg"),
                       ("png", ".png,image/png"), ("tif", ".tif,.tiff,image/tiff")):
        if ext in allowed:
            parts.append(mimes)
    return ",".join(parts)


def too_big(name: str, limit: int, size: int | None = None) -> FileRefused:
    if size:
        message = _("Tệp «%(name)s» (%(size)s MB) lớn hơn giới hạn %(mb)s MB mỗi tệp.") % {
            "name": name, "size": f"{size / 1024 / 1024:.1f}".replace(".", ","), "mb": mb(limit)}
    else:
        message = _("Tệp «%(name)s» lớn hơn giới hạn %(mb)s MB mỗi tệp.") % {"name": name, "mb": mb(limit)}
    return FileRefused(message, field="file", code="file_too_large")


def store(upload: IO[bytes], name: str, *, accepted_types: str | None) -> Stored:
    """Check the upload against the component's rules and write it under drafts/; FileRefused
    (naming the file and the rule) otherwise."""
    display = clean_name(name)
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_big(display, limit, size)
    with contextlib.suppress(AttributeError, OSError):
        upload.seek(0)
    head = upload.read(16)
    if not head:
        raise FileRefused(_("Tệp «%(name)s» rỗng (0 byte).") % {"name": display}, field="file", code="file_empty")
    detected = sniff(head)
    allowed_text = accepted_text(accepted_types)
    if detected is None:
        raise FileRefused(
            _("Tệp «%(name)s» không được nhận: giấy tờ này chỉ nhận tệp %(allowed)s "
              "(loại tệp được xác định theo nội dung, không theo tên).") % {"name": display, "allowed": allowed_text},
            field="file", code="file_type_refused",
        )
    content_type, extension = detected
    allowed = accepted_extensions(accepted_types or "")
    if allowed and extension not in allowed:
        raise FileRefused(
            _("Tệp «%(name)s» là %(type)s, nhưng giấy tờ này chỉ nhận tệp %(allowed)s.")
            % {"name": display, "type": TYPE_NAMES.get(extension, extension.upper()), "allowed": allowed_text},
            field="file", code="file_type_refused",
        )
    digest = hashlib.sha256(head)
    total = len(head)
    while chunk := upload.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise too_big(display, limit)
        digest.update(chunk)
    upload.seek(0)
    check_content(upload, display, extension)  # pages, pixels, HTML/script polyglots
    scan(upload, display)  # clamd, when MOTCUA_CLAMD is set
    key = f"drafts/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"
    stored_key = default_storage.save(key, File(upload, name=key))
    return Stored(stored_key, display, content_type, total, digest.hexdigest())


def delete_stored(keys: list[str]) -> None:
    """Remove stored draft files (after the rows are gone); a missing file is not an error."""
    for key in keys:
        if key.startswith("drafts/"):
            with contextlib.suppress(OSError):
                default_storage.delete(key)
