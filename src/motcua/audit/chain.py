"""Hash chains over audited rows: each row carries the hash of the row before it.

A row's hash is HMAC-SHA-256, keyed with the audit key (motcua.audit.keys), over a canonical
JSON of its audited fields plus the previous row's hash, so editing a row changes its hash (and
no longer matches what the next row recorded), deleting one leaves a gap, and recomputing the
hashes needs the key, which the database does not hold. Rows sealed before the key existed carry
a plain SHA-256 hash, accepted only up to the anchor taken when the key was first set
(recorded in the first signed checkpoint, motcua.audit.checkpoints). Deleting the newest rows of
a chain leaves no gap: the signed checkpoints outside the database catch that too.
`python -m motcua verify_audit` walks every chain.

Dossier events are chained per dossier: the action layer holds the dossier's row lock while
it appends an event (and `(dossier, version)` is unique), so the previous event cannot change
under it and no global lock is needed. This module uses no ORM: the migration that backfills
existing rows and a bulk generator use the same functions as the action layer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from . import keys

GENESIS = ""  # prev_hash of the first row of a chain

# Event's audited fields by attribute name (the order is irrelevant: keys are sorted).
EVENT_FIELDS: tuple[str, ...] = (
    "version", "kind", "actor_id", "at", "from_status", "to_status", "from_step_id", "to_step_id",
    "from_agency_id", "to_agency_id", "from_assignee_id", "to_assignee_id", "note", "data", "step_punctuality",
)


def plain_value(value: Any) -> Any:
    """A value as it is hashed: aware times in UTC with microseconds, dates in ISO."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("audited times must be aware")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical(payload: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes for the same values on every database."""
    plain = {key: plain_value(value) for key, value in payload.items()}
    return json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _message(payload: Mapping[str, Any], prev_hash: str) -> bytes:
    return canonical(payload) + b"|" + (prev_hash or GENESIS).encode("ascii")


def digest(payload: Mapping[str, Any], prev_hash: str, key: keys.AuditKey | None = None) -> str:
    """The row's hash, keyed with the current audit key (or `key`)."""
    key = key or keys.current()
    return hmac.new(key.chain, _message(payload, prev_hash), hashlib.sha256).hexdigest()


def plain_digest(payload: Mapping[str, Any], prev_hash: str) -> str:
    """The unkeyed hash of rows sealed before the audit key existed."""
    return hashlib.sha256(_message(payload, prev_hash)).hexdigest()


KEYED, PLAIN = "keyed", "plain"


def sealed_with(payload: Mapping[str, Any], prev_hash: str, stored: str,
                known: tuple[keys.AuditKey, ...] | None = None) -> tuple[str, str] | None:
    """(KEYED, the key's kid) when a known audit key (current or old) produced `stored`,
    (PLAIN, "") when the unkeyed formula did, None when neither did (the row was changed)."""
    message = _message(payload, prev_hash)
    for key in known or keys.known():
        if hmac.compare_digest(hmac.new(key.chain, message, hashlib.sha256).hexdigest(), stored or ""):
            return KEYED, key.kid
    if hmac.compare_digest(plain_digest(payload, prev_hash), stored or ""):
        return PLAIN, ""
    return None


def event_payload(dossier_code: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The audited content of one dossier event; `values` maps EVENT_FIELDS to their values."""
    payload = {name: values.get(name) for name in EVENT_FIELDS}
    # JSON data goes through the database as JSON: hash what comes back (tuples become lists).
    payload["data"] = json.loads(json.dumps(payload["data"] if payload["data"] is not None else {}))
    payload["note"] = payload["note"] or ""
    payload["step_punctuality"] = payload["step_punctuality"] or ""
    payload["dossier"] = dossier_code
    return payload


def event_hash(dossier_code: str, values: Mapping[str, Any], prev_hash: str) -> str:
    return digest(event_payload(dossier_code, values), prev_hash)


def seal_event(event, dossier_code: str, prev_hash: str) -> None:
    """Set `prev_hash` and `hash` of an unsaved Event (or historical-model instance)."""
    event.prev_hash = prev_hash or GENESIS
    event.hash = event_hash(dossier_code, {name: getattr(event, name) for name in EVENT_FIELDS}, event.prev_hash)


