"""Every change of a procedure version's state goes through these functions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import Procedure, ProcedureVersion


class PublishError(Exception):
    pass


class NotADraft(PublishError):
    """The version was published or retired meanwhile: a published version is never modified."""

    def __init__(self, version: ProcedureVersion | None = None):
        super().__init__("Bản nháp vừa được công bố hoặc ngừng áp dụng nên thay đổi chưa được lưu. "
                         "Hãy tạo bản nháp mới để sửa tiếp.")
        self.version = version


def lock_draft(version: ProcedureVersion | int) -> ProcedureVersion:
    """The draft version, its row locked until the caller's transaction ends; NotADraft otherwise.

    Every change of a draft or of one of its parts (cases, steps, components, fees, guides, FAQ,
    the e-form) takes this lock first, so two admins' edits and a publication are serialised and
    a change never lands on a version that was published in between."""
    pk = version if isinstance(version, int) else version.pk
    locked = ProcedureVersion.objects.select_for_update().select_related("procedure", "agency").get(pk=pk)
    if locked.state != ProcedureVersion.State.DRAFT:
        raise NotADraft(locked)
    return locked


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


def _latest(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.order_by("-number").first()


def _copy_children(source: ProcedureVersion, target: ProcedureVersion) -> None:
    """Copy cases (with their workflow steps), components, fees, guides, FAQ and the e-form.
    Form templates and guide videos are shared (they are never changed in place: a new upload
    makes a new file)."""
    from motcua.eforms.models import EForm

    for case in source.cases.prefetch_related("steps").order_by("order", "pk"):
        steps = list(case.steps.all())
        case.pk = None
        case.version = target
        case.save()
        for step in steps:
            step.pk = None
            step.case = case
            step.save()
    component_map: dict[int, int] = {}
    for component in source.components.order_by("order", "pk"):
        old = component.pk
        component.pk = None
        component.version = target
        component.save()
        component_map[old] = component.pk
    for related in ("fees", "guides", "faqs"):
        manager = getattr(source, related, None)
        if manager is None:
            continue
        for row in manager.order_by("order", "pk"):
            row.pk = None
            row.version = target
            row.save()
    eform = EForm.objects.filter(procedure_version=source).first()
    if eform is not None:
        eform.pk = None
        eform.procedure_version = target
        eform.component_id = component_map.get(eform.component_id)
        eform.save()


@transaction.atomic
def start_draft(procedure: Procedure, *, note: str = "") -> ProcedureVersion:
    """The procedure's draft to edit: the existing draft, or a new one copied from the latest
    version (published or not). The published version stays in use until the draft is published."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    draft = procedure.versions.filter(state=ProcedureVersion.State.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    source = _latest(procedure)
    if source is None:
        raise PublishError("Thủ tục chưa có phiên bản nào để sao chép.")
    draft = ProcedureVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.number = source.number + 1
    draft.state = ProcedureVersion.State.DRAFT
    draft.published_at = None
    draft.retired_at = None
    draft.change_note = note[:500]
    draft.source_hash = ""
    draft.save()
    _copy_children(source, draft)
    return draft


@transaction.atomic
def copy_procedure(source: ProcedureVersion, *, code: str, name: str | None = None,
                   agency=None) -> ProcedureVersion:
    """A new procedure (new code) whose first version is a draft copy of `source`."""
    procedure = Procedure.objects.create(code=code)
    draft = ProcedureVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.procedure = procedure
    draft.number = 1
    draft.state = ProcedureVersion.State.DRAFT
    draft.published_at = None
    draft.retired_at = None
    draft.change_note = ""
    draft.source_hash = ""
    if name:
        draft.name = name
    if agency is not None:
        draft.agency = agency
    draft.save()
    _copy_children(source, draft)
    return draft
