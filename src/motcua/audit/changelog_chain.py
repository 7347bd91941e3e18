"""Seal each audit.ChangeLog row into one global hash chain (ChangeLogSeal)."""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction

from . import chain

CHANGELOG_FIELDS = ("at", "actor_id", "agency_id", "object_type", "object_id", "object_repr", "action", "before",
                    "after", "note")
ATTEMPTS = 8


def changelog_payload(seq: int, values) -> dict:
    payload = {name: values.get(name) for name in CHANGELOG_FIELDS}
    for name in ("before", "after"):  # hashed as the database gives them back
        payload[name] = json.loads(json.dumps(payload[name])) if payload[name] is not None else None
    payload["seq"] = seq
    payload["id"] = values.get("id")
    return payload


def seal(row, Seal=None) -> object:
    """Append the seal of one change-log row (inside the caller's transaction)."""
    if Seal is None:
        from .models import ChangeLogSeal as Seal
    values = {name: getattr(row, name) for name in CHANGELOG_FIELDS}
    values["id"] = row.pk
    for _attempt in range(ATTEMPTS):
        last = Seal.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
        digest = chain.digest(changelog_payload(seq, values), prev)
        try:
            with transaction.atomic():
                return Seal.objects.create(changelog_id=row.pk, seq=seq, prev_hash=prev, hash=digest)
        except IntegrityError:
            continue
    raise RuntimeError("could not seal the change log")


def on_changelog_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        seal(instance)
