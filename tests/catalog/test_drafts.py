"""Drafts copy the whole version; publishing the draft retires the old one, which keeps its rows."""

from __future__ import annotations

import pytest

from motcua.catalog.actions import copy_procedure, publish_version, start_draft
from motcua.catalog.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"


def _counts(v: ProcedureVersion) -> tuple:
    return (v.cases.count(), sum(c.steps.count() for c in v.cases.all()), v.components.count(),
            v.fees.count(), v.guides.count(), v.faqs.count(), hasattr(v, "eform"))


def test_it_copies_the_published_version_into_a_draft(catalog):
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    procedure = Procedure.objects.get(code=BIRTH)
    published = procedure.published
    draft = start_draft(procedure, note="Thêm giấy tờ")
    assert draft.state == ProcedureVersion.State.DRAFT and draft.number == published.number + 1
    assert _counts(draft) == _counts(ProcedureVersion.objects.get(pk=published.pk))
    assert draft.cases.first().pk != published.cases.first().pk
    if hasattr(draft, "eform") and draft.eform.component_id:
        assert draft.eform.component.version_id == draft.pk
    # A second call returns the same draft rather than a new one.
    assert start_draft(procedure).pk == draft.pk


def test_it_leaves_the_old_version_intact_after_publishing_the_draft(catalog):
    procedure = Procedure.objects.get(code=BIRTH)
    old = procedure.published
    draft = start_draft(procedure)
    draft.components.first().delete()
    publish_version(draft)
    old.refresh_from_db()
    procedure.refresh_from_db()
    assert old.state == ProcedureVersion.State.RETIRED and procedure.published_id == draft.pk
    assert old.components.count() == draft.components.count() + 1


def test_it_copies_a_procedure_under_a_new_code(catalog):
    source = Procedure.objects.get(code=BIRTH).published
    copy = copy_procedure(source, code="9.999001", name="Thủ tục thử")
    assert copy.procedure.code == "9.999001" and copy.number == 1 and copy.state == "draft"
    assert copy.name == "Thủ tục thử" and copy.components.count() == source.components.count()


def test_it_dates_the_draft_when_any_part_of_it_changes(catalog):
    import datetime as dt

    from django.utils import timezone

    from motcua.catalog import actions
    from motcua.catalog.models import WorkflowStep

    draft = start_draft(Procedure.objects.get(code=BIRTH))
    step = WorkflowStep.objects.filter(case__version=draft).first()
    later = timezone.now() + dt.timedelta(hours=2)
    actions.update_step(draft, step.pk, actor=None, name=step.name + " (sửa)", role=step.role,
                        quota_hours=step.quota_hours, at=later)
    draft.refresh_from_db()
    assert draft.updated_at == later
    component = draft.components.first()
    actions.save_part(draft, "component", actor=None, pk=component.pk, at=later + dt.timedelta(minutes=5),
                      values={"name": component.name + " (sửa)"})
    draft.refresh_from_db()
    assert draft.updated_at == later + dt.timedelta(minutes=5)
