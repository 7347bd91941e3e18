"""The catalogue's version: one counter that changes whenever what the public sees of the catalogue
changes (a publication, a retirement, an import, a synonym or colloquial-name edit).

`bump_catalog_version()` is called by the catalogue's actions inside their transaction;
`current_catalog_version()` is one indexed read of one row. The search index of each process is
rebuilt when it changes; page caches (issue #19) can key on it as well.
"""

from __future__ import annotations

import secrets
from typing import NamedTuple

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from .models import CatalogVersion

ROW = 1


class Version(NamedTuple):
    number: int
    stamp: str


def current_catalog_version() -> Version | None:
    """The current version. A missing row (a flushed database) is created, with a random stamp, so
    that the search index is cached from then on instead of rebuilt on every search; None only if
    even that fails (nothing to cache on then)."""
    row = CatalogVersion.objects.filter(pk=ROW).values_list("number", "stamp").first()
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: a race with another process never fails the caller
                CatalogVersion.objects.get_or_create(
                    pk=ROW, defaults={"number": 1, "stamp": secrets.token_hex(8), "changed_at": timezone.now()})
        except DatabaseError:
            return None
        row = CatalogVersion.objects.filter(pk=ROW).values_list("number", "stamp").first()
    return Version(*row) if row else None


def bump_catalog_version() -> None:
    """A new version, visible to other processes when the caller's transaction commits."""
    now, stamp = timezone.now(), secrets.token_hex(8)
    if not CatalogVersion.objects.filter(pk=ROW).update(number=F("number") + 1, stamp=stamp, changed_at=now):
        CatalogVersion.objects.get_or_create(pk=ROW, defaults={"number": 1, "stamp": stamp, "changed_at": now})
