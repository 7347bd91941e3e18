"""The hash chains other apps own, registered here at start-up (their AppConfig.ready()), so
that audit, below those apps, verifies and checkpoints them without importing them.

Today one: the dossier events (motcua.dossiers), one chain per dossier numbered by its version.
The personal-data access log (audit's own) is chained per dossier too, so both read the
registered owner model (the dossier: pk, code, version).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model


@dataclass(frozen=True)
class OwnedChain:
    """A chain per owner record: its rows carry `<owner>_id`, `position` numbers them from 1 within
    the owner, and the owner's `version` is the last position expected."""

    log: str  # the AuditLog value it is named by in anchors and checkpoints
    owner: type[Model]  # the records each chain belongs to (fields pk, code, version)
    model: type[Model]  # the chain's rows (fields id, prev_hash, hash and `fields`)
    fields: tuple[str, ...]  # the hashed fields
    payload: Callable[[str, Mapping[str, Any]], dict[str, Any]]  # (owner's code, row values) -> payload
    position: str = "version"


_chains: dict[str, OwnedChain] = {}


def register(chain: OwnedChain) -> None:
    _chains[chain.log] = chain


def get(log: str) -> OwnedChain:
    try:
        return _chains[log]
    except KeyError:
        raise ImproperlyConfigured(f"no hash chain registered for the {log!r} log") from None
