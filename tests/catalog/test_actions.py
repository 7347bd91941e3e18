"""The catalogue's action layer (#15): each action locks the draft, refuses a version that is no
longer a draft, applies the catalogue's rules and writes its change-log row in the same
transaction; a refusal writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.audit.models import ChangeLog
from motcua.catalog import actions
from motcua.catalog.models import Procedure, ProcedureVersion, WorkflowStep

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"  # same day: 2 working hours from the 15:00 cut-off; the sample's steps use 2


def _draft(code: str = BIRTH) -> ProcedureVersion:
    return actions.start_draft(Procedure.objects.get(code=code))


def _log(obj) -> list[str]:
    return list(ChangeLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                .values_list("action", flat=True))


def test_a_step_over_the_legal_time_is_refused_and_nothing_is_written(catalog):
    draft = _draft()
    case = draft.cases.get()
    before = list(case.steps.values_list("pk", "order", "quota_hours"))
    logged = ChangeLog.objects.count()
    with pytest.raises(actions.OverBudget) as refused:
        actions.add_step(draft, actor=None, case=case, name="Thêm", role="officer", quota_hours=Decimal("0.5"))
    assert refused.value.field == "quota_hours"
    assert refused.value.message == "Tổng định mức 2.5 giờ vượt thời hạn 2 giờ làm việc 0.5 giờ."
    assert list(case.steps.values_list("pk", "order", "quota_hours")) == before
    assert ChangeLog.objects.count() == logged


def test_a_step_is_added_updated_moved_and_removed_with_its_log(catalog):
    draft = _draft()
    case = draft.cases.get()
    first = case.steps.order_by("order").first()
    actions.update_step(draft, first.pk, actor=None, name=first.name, role=first.role, quota_hours=Decimal("0.1"))
    step, budget = actions.add_step(draft, actor=None, case=case, position=0, name="Kiểm tra", role="officer",
                                    quota_hours=Decimal("0.15"))
    assert step.order == 0 and budget.used == Decimal(2)
    assert actions.move_step(draft, step.pk, actor=None, direction="down") == 1
    assert actions.move_step(draft, first.pk, actor=None, direction="up") is None  # already first
    actions.remove_step(draft, step.pk, actor=None)
    assert list(case.steps.order_by("order").values_list("order", flat=True)) == [0, 1, 2, 3]
    assert _log(first) == ["update"]
    assert sorted(_log(step)) == ["create", "delete"]
    assert _log(case) == ["reorder"]


def test_parts_are_saved_moved_and_removed_with_their_log(catalog):
    draft = _draft()
    fee = actions.add_fee(draft, actor=None, values={"name": "Lệ phí thử", "amount_vnd": 5000})
    assert fee.order == draft.fees.count() - 1
    actions.update_fee(draft, fee.pk, actor=None, values={"amount_vnd": 6000})
    moved, done = actions.move_fee(draft, fee.pk, actor=None, direction="down")
    assert not done  # the last one
    actions.remove_fee(draft, fee.pk, actor=None)
    assert not draft.fees.filter(pk=fee.pk).exists()
    assert sorted(_log(fee)) == ["create", "delete", "update"]
    with pytest.raises(actions.InvalidChange) as refused:
        actions.add_faq(draft, actor=None, values={"question": "", "answer": "Có"})
    assert refused.value.field == "question"
    with pytest.raises(actions.InvalidChange):
        actions.remove_case(draft, draft.cases.get().pk, actor=None)  # the last case stays


def test_a_published_version_is_never_changed(catalog):
    published = Procedure.objects.get(code=BIRTH).published
    step = WorkflowStep.objects.filter(case__version=published).first()
    with pytest.raises(actions.NotADraft):
        actions.update_step(published, step.pk, actor=None, name="x", role="officer", quota_hours=1)
    with pytest.raises(actions.NotADraft):
        actions.add_fee(published, actor=None, values={"name": "x"})
    with pytest.raises(actions.NotADraft):
        actions.edit_general(published, actor=None, values={"name": "x"})
    assert WorkflowStep.objects.get(pk=step.pk).name == step.name


def test_publishing_checks_the_draft_and_logs_both_versions(catalog):
    draft = _draft("2.000815")  # level 2: the publication check has nothing to ask
    step = draft.cases.get().steps.order_by("order").first()
    step.quota_hours += 1
    step.save()
    with pytest.raises(actions.DraftRefused) as refused:
        actions.publish_draft(draft, actor=None, note="Thử")
    assert [p.section for p in refused.value.problems] == ["quy-trinh"]
    assert ProcedureVersion.objects.get(pk=draft.pk).state == "draft"
    step.quota_hours -= 1
    step.save()
    previous = Procedure.objects.get(code="2.000815").published
    published = actions.publish_draft(draft, actor=None, note="Thử")
    assert published.state == "published" and published.change_note == "Thử"
    assert sorted(_log(published)) == ["create", "publish"] and _log(previous) == ["retire"]


def test_the_django_admin_shows_the_catalogue_and_publishes_only_through_the_actions(catalog, admin_client):
    """The Django admin edits nothing of a procedure (no lock, no check, no log there); its publish
    action goes through publish_draft, so it refuses what the administration pages refuse."""
    draft = _draft("2.000815")  # level 2: the publication check asks only for the workflow
    case = draft.cases.get()
    WorkflowStep.objects.create(case=case, order=9, name="Thêm", role="officer", quota_hours=Decimal(3))  # over
    url = f"/quan-tri-he-thong/catalog/procedureversion/{draft.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"name": "sửa ngoài quy trình"}).status_code == 403
    changelist = "/quan-tri-he-thong/catalog/procedureversion/"
    admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.DRAFT
    WorkflowStep.objects.filter(case=case, name="Thêm").delete()
    admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.PUBLISHED
    assert "publish" in _log(ProcedureVersion.objects.get(pk=draft.pk))


def test_a_case_of_more_than_fifty_steps_is_refused_at_every_door(catalog):
    """The step limit is a rule of the draft (validate_draft), so the import refuses it as the
    workflow editor does."""
    from motcua.catalog import validation
    from motcua.catalog.importer import CatalogError, import_catalog

    draft = _draft("2.000815")
    case = draft.cases.get()
    step = case.steps.first()
    with pytest.raises(actions.InvalidChange) as refused:
        for _i in range(validation.MAX_STEPS):
            actions.add_step(draft, actor=None, case=case, name="Bước", role="officer", quota_hours=Decimal(0))
    assert refused.value.message == validation.too_many_steps()
    WorkflowStep.objects.bulk_create([WorkflowStep(case=case, order=100 + i, name="Thêm", role=step.role,
                                                   quota_hours=Decimal(0)) for i in range(2)])
    assert validation.too_many_steps() in [str(p.message) for p in validation.validate_draft(draft)]
    with pytest.raises(actions.InvalidChange):
        actions.set_level(draft.procedure, actor=None, level=7)

    from motcua.catalog.importer import export_catalog

    data = export_catalog()
    procedure = next(p for p in data["procedures"] if p["code"] == "2.000815")
    procedure["cases"][0]["steps"] = [{"name": f"Bước {i}", "role": "officer", "quota_hours": 0}
                                      for i in range(validation.MAX_STEPS + 1)]
    with pytest.raises(CatalogError) as refused_import:
        import_catalog(data)
    assert validation.too_many_steps() in str(refused_import.value)


def test_a_new_or_copied_procedure_needs_a_free_well_formed_code(catalog):
    """One rule (catalog.actions.code_problem) for the forms and the actions behind them: a copy
    made by any caller is refused a code already taken, whatever its letter case."""
    source = Procedure.objects.get(code=BIRTH).published
    Procedure.objects.create(code="1.001193-B")
    for code in ("1.001193-b", "mã có dấu cách"):
        with pytest.raises(actions.InvalidChange) as refused:
            actions.copy_procedure(source, code=code, name="Bản sao")
        assert refused.value.field == "code" and refused.value.message == actions.code_problem(code)
    assert not Procedure.objects.filter(code__in=["1.001193-b", "mã có dấu cách"]).exists()


@pytest.mark.django_db(transaction=True)
def test_two_admins_retiring_the_same_version_at_once_retire_it_once(catalog):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import close_old_connections, connection

    published = Procedure.objects.get(code=BIRTH).published
    barrier = threading.Barrier(2)

    def run(_n):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            actions.retire(published, actor=None)
            return "ok"
        except actions.PublishError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(run, range(2)))
    assert results == ["ok", "refused"]
    assert _log(published) == ["retire"]
    assert Procedure.objects.get(code=BIRTH).published is None
