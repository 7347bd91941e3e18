"""Every change of a procedure version's state goes through these functions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import Procedure, ProcedureVersion


class PublishError(Exception):
    pass


@transaction.atomic
def publish_version(version: ProcedureVersion, *, at: dt.datetime | None = None) -> ProcedureVersion:
    """Publish a draft: the previous published version is retired; dossiers keep theirs."""
    at = at or timezone.now()
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version = ProcedureVersion.objects.select_related("sector").get(pk=version.pk)
    if version.state != ProcedureVersion.State.DRAFT:
        raise PublishError(f"Chỉ công bố được bản nháp (phiên bản {version.number} đang là {version.state}).")
    ProcedureVersion.objects.filter(
        procedure=procedure, state=ProcedureVersion.State.PUBLISHED
    ).update(state=ProcedureVersion.State.RETIRED, retired_at=at)
    version.state = ProcedureVersion.State.PUBLISHED
    version.published_at = at
    version.refresh_search_fields()
    version.save(update_fields=[
        "state", "published_at", "search_name", "search_name_accented", "search_body", "updated_at",
    ])
    procedure.published = version
    procedure.save(update_fields=["published"])
    return version


@transaction.atomic
def retire_version(version: ProcedureVersion, *, at: dt.datetime | None = None) -> None:
    """Withdraw a published version: the procedure leaves the portal until a new one is published."""
    at = at or timezone.now()
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    ProcedureVersion.objects.filter(pk=version.pk).update(
        state=ProcedureVersion.State.RETIRED, retired_at=at
    )
    if procedure.published_id == version.pk:
        procedure.published = None
        procedure.save(update_fields=["published"])


def reindex_published() -> int:
    """Recompute the search columns of every published version (after a folding change)."""
    count = 0
    qs = ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED).select_related(
        "procedure", "sector"
    ).prefetch_related("components", "cases")
    for version in qs.iterator(chunk_size=500):
        version.refresh_search_fields()
        version.save(update_fields=["search_name", "search_name_accented", "search_body"])
        count += 1
    return count
