"""Public tracking: what anyone holding a dossier's code and tracking key may see.

Shared by the API (/api/v1/track/<code>), the portal's page (/tra-cuu/) and the kiosk, so all
show the same facts and answer an unknown code and a wrong key the same way (None).

Tracking is the portal's hottest read (receipts' QR codes, kiosks, citizens refreshing), so
the public facts of a dossier are cached for MOTCUA_TRACKING_CACHE_SECONDS and dropped when
any action on the dossier commits (`forget`, called by the action layer). With a shared
cache (Redis) the page is never stale; with the embedded per-process cache another worker
may show the previous state for at most that many seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.core.dates import iso as _iso

from .codes import tracking_key_matches
from .models import Dossier, Event, EventKind, Status

OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
STEP_ENDS = (
    EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.COMPLETED, EventKind.STOPPED, EventKind.WITHDRAWN,
    EventKind.APPROVED,
)
STEP_STARTS = (EventKind.RECEIVED, EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS)


def mask_name(name: str) -> str:
    """"Nguyễn Văn An" -> "N***** V** A*": initials only, so a neighbour cannot read it."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


@dataclass(frozen=True)
class TrackedEvent:
    kind: str
    at: dt.datetime
    step_punctuality: str
    to_step_id: int | None
    step_name: str | None


def steps_passed(events: list[TrackedEvent]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    current_step = None
    for event in events:
        if steps and steps[-1]["finished_at"] is None and event.kind in STEP_ENDS:
            steps[-1]["finished_at"] = _iso(event.at)
            steps[-1]["punctuality"] = event.step_punctuality
        # An approval moves on like a hand-over, unless it completed the dossier at the last step.
        approved_on = event.kind == EventKind.APPROVED and event.to_step_id != current_step
        if event.to_step_id and (event.kind in STEP_STARTS or approved_on):
            steps.append({"name": event.step_name, "started_at": _iso(event.at), "finished_at": None,
                          "punctuality": ""})
        current_step = event.to_step_id or current_step
    return steps


def _cache_key(code: str) -> str:
    return "track:" + hashlib.sha256(code.encode()).hexdigest()[:32]


def forget(code: str) -> None:
    cache.delete(_cache_key(code))


def public_status(code: str, key: str) -> dict[str, Any] | None:
    """The public facts of a dossier, or None when the code is unknown or the key is wrong."""
    entry = _entry(code)
    if entry is None or not tracking_key_matches(entry[0], key or ""):
        return None
    return entry[1]


def cache_key(code: str) -> str:
    return _cache_key((code or "")[:50])


def public_json(code: str, key: str, *, prefetched: dict | None = None) -> bytes | None:
    """The same facts as JSON bytes, serialised once per cache entry (the API's hot path).
    `prefetched`: cache values already read in this request's one round trip (by cache key)."""
    entry = _entry(code, prefetched)
    if entry is None or not tracking_key_matches(entry[0], key or ""):
        return None
    return entry[2]


def _entry(code: str, prefetched: dict | None = None) -> tuple[str, dict[str, Any], bytes] | None:
    code = (code or "")[:50]
    if "\x00" in code:  # PostgreSQL refuses NUL in text: an unknown code, not a 500
        return None
    seconds = settings.MOTCUA_TRACKING_CACHE_SECONDS
    if not seconds:
        entry = None
    elif prefetched is not None:  # already read with the rate-limit counters, in one round trip
        entry = prefetched.get(_cache_key(code))
    else:
        entry = cache.get(_cache_key(code))
    if entry is None:
        loaded = _load(code)
        if loaded is None:
            return None  # unknown codes are not cached: nobody can fill the cache with them
        entry = (loaded[0], loaded[1], json.dumps(loaded[1], ensure_ascii=False).encode())
        if seconds:
            cache.set(_cache_key(code), entry, seconds)
    return entry


def _when(value) -> dt.datetime | None:
    """A datetime from a raw row: SQLite gives UTC text, PostgreSQL aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _tables() -> dict[str, str]:
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Procedure, ProcedureVersion, WorkflowStep

    return {
        "dossier": Dossier._meta.db_table, "event": Event._meta.db_table, "version": ProcedureVersion._meta.db_table,
        "procedure": Procedure._meta.db_table, "agency": Agency._meta.db_table, "step": WorkflowStep._meta.db_table,
    }


def _fetch(sql: str, params: list) -> list[tuple]:
    """Run the tracking query; on PostgreSQL as a prepared statement.

    Planning this six-table join costs about ten times its execution, so on PostgreSQL the
    query is prepared once per connection (a server-side binding cursor; Django's own queries
    keep client-side binding and are not affected). Behind a transaction-mode connection pooler
    that cannot keep prepared statements, set MOTCUA_PREPARED_TRACKING=0."""
    if connection.vendor == "postgresql" and settings.MOTCUA_PREPARED_TRACKING:
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django turns preparing off; server-binding cursors only
            raw.prepare_threshold = 5
        with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load(code: str) -> tuple[str, dict[str, Any]] | None:
    # One plain SQL query (the dossier joined with its events) instead of the ORM: on this hot
    # path building querysets cost ten times more than running them, and each extra round trip
    # to the database counts (bench/tracking.py). Table names come from the models.
    t = _tables()
    rows = _fetch(
        f"SELECT d.tracking_key, d.status, d.applicant_name, d.submitted_at, d.received_at, d.due_at, "  # noqa: S608
        f"d.finished_at, d.returned_at, v.name, p.code, a.name, s.name, "
        f"e.kind, e.at, e.step_punctuality, e.to_step_id, es.name "
        f"FROM {t['dossier']} d JOIN {t['version']} v ON v.id = d.procedure_version_id "
        f"JOIN {t['procedure']} p ON p.id = v.procedure_id JOIN {t['agency']} a ON a.id = d.agency_id "
        f"LEFT JOIN {t['step']} s ON s.id = d.current_step_id "
        f"LEFT JOIN {t['event']} e ON e.dossier_id = d.id AND e.kind <> %s "
        f"LEFT JOIN {t['step']} es ON es.id = e.to_step_id "
        f"WHERE d.code = %s ORDER BY e.version",
        [EventKind.FILE_ADDED, code],
    )
    if not rows:
        return None
    (tracking_key, status, applicant, submitted, received, due, finished, returned,
     procedure_name, procedure_code, agency_name, step_name) = rows[0][:12]
    events = [
        TrackedEvent(kind=kind, at=_when(at), step_punctuality=punct or "", to_step_id=step_id, step_name=name)
        for kind, at, punct, step_id, name in (row[12:] for row in rows)
        if kind is not None
    ]
    status = Status(status)
    return tracking_key, {
        "code": code,
        "status": str(status.label),
        "status_code": int(status),
        "procedure": procedure_name,
        "procedure_code": procedure_code,
        "agency": agency_name,
        "applicant": mask_name(applicant),
        "submitted_at": _iso(_when(submitted)),
        "received_at": _iso(_when(received)),
        "due_at": _iso(_when(due)),
        "finished_at": _iso(_when(finished)),
        "returned_at": _iso(_when(returned)),
        "current_step": step_name if step_name and status in OPEN_STATUSES else None,
        "steps": steps_passed(events),
    }
