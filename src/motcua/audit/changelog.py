"""Write the configuration change log (models.ChangeLog). Whatever saves a configuration object calls
`record` in the same transaction as the save, with snapshots taken by `snapshot`; each row is sealed
into the change log's hash chain (changelog_chain) by a signal in the same transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from .models import ChangeLog


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model | None, exclude: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The object's concrete fields as JSON-ready data (foreign keys by id)."""
    if obj is None:
        return None
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.name.startswith("search_"):
            continue
        data[f.name] = _plain(getattr(obj, f.attname))
    return data


def record(actor, obj: models.Model, action: str, *, before: dict | None = None, after: dict | None = None,
           agency=None, note: str = "", at: dt.datetime | None = None) -> ChangeLog:
    """Append one change-log row. `after` defaults to a snapshot of obj unless the action deletes it."""
    if after is None and action != "delete":
        after = snapshot(obj)
    return ChangeLog.objects.create(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk if obj.pk is not None else (before or {}).get("id", "")),
        object_repr=str(obj)[:500],
        action=action,
        before=before,
        after=after,
        note=note[:500],
    )


def changed_fields(before: dict | None, after: dict | None) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field whose value differs; for display."""
    before, after = before or {}, after or {}
    keys = [k for k in after if k != "id"] + [k for k in before if k not in after and k != "id"]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
