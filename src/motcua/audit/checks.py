"""System checks: before deploying, the audit key must come from outside the data folder."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_key_supplied(app_configs, **kwargs):
    # settings.py makes (and then reads) data/audit_key only when no key was supplied.
    made = Path(settings.DATA_DIR) / "audit_key"
    if made.is_file() and made.read_text().strip() == settings.MOTCUA_AUDIT_KEY:
        return [Warning(
            "The audit key is the one made in the data folder: a backup of that folder carries it, and "
            "whoever holds it can re-seal edited audit rows.",
            hint="Set MOTCUA_AUDIT_KEY_FILE to a file readable only by motcua, kept apart from the backups "
                 "(docs/operations.md, §5).", id="audit.W001",
        )]
    if len(settings.MOTCUA_AUDIT_KEY) < 32:
        return [Warning("MOTCUA_AUDIT_KEY is shorter than 32 characters.",
                        hint="python -c 'import secrets; print(secrets.token_urlsafe(32))'", id="audit.W002")]
    return []


@register(Tags.security, deploy=True)
def audit_checkpoints_readable(app_configs, **kwargs):
    from . import checkpoints

    try:
        checkpoints.newest()
    except checkpoints.CheckpointError as exc:
        return [Error(str(exc), hint="Supply the key that signed it (MOTCUA_AUDIT_OLD_KEYS), or move a damaged "
                                     "file aside and write a checkpoint (docs/operations.md, §5).", id="audit.E001")]
    return []
