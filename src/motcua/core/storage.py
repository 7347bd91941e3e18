"""Where files live: the local data folder (embedded default) or S3-compatible storage.

Views read files through Django's default storage, so access checks and the personal-data log stay
in one place. For large files on S3, `signed_url` gives a short-lived link that makes the browser
download straight from the bucket (always as an attachment, with the stored content type), so
the web workers do not stream the bytes."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage


def is_remote() -> bool:
    return settings.MOTCUA_STORAGE == "s3"


def signed_url(key: str, *, filename: str, content_type: str = "application/octet-stream",
               seconds: int | None = None) -> str | None:
    """A pre-signed GET URL for an S3 object, or None with local storage (serve it from the view)."""
    if not is_remote():
        return None
    seconds = seconds or settings.MOTCUA_S3_URL_SECONDS
    safe = quote(filename.replace("\\", "_").replace("/", "_"), safe="")
    return default_storage.url(key, parameters={
        "ResponseContentDisposition": f"attachment; filename*=UTF-8''{safe}",
        "ResponseContentType": content_type,
    }, expire=seconds)


# The signed checkpoints of the audit logs (motcua.audit.checkpoints). Unlike every other stored
# file they refer to rows rather than rows to them, so `backup` copies them before the database dump.
AUDIT_CHECKPOINT_FOLDER = "audit-checkpoints"


def audit_checkpoint_storage():
    """MOTCUA_AUDIT_CHECKPOINT_DIR when set (a folder of its own), else the file storage."""
    from django.core.files.storage import FileSystemStorage

    if settings.MOTCUA_AUDIT_CHECKPOINT_DIR:
        return FileSystemStorage(location=settings.MOTCUA_AUDIT_CHECKPOINT_DIR)
    return default_storage
