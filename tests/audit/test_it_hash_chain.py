"""The audit hash chain on dossier events and `verify_audit`: clean data passes; rows edited,
deleted (middle or tail), swapped or inserted behind the application's back are reported."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.audit import chain
from motcua.audit.verify import DELETED, EDITED, INSERTED, verify
from motcua.dossiers import actions
from motcua.dossiers.models import Event
from tests.backoffice.conftest import fresh, online_dossier

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{t}", connection.ops.quote_name(Event._meta.db_table)), params)


@pytest.fixture
def walked(people):
    """A dossier with four events: submitted, received, handed to the officers, handed to the leader."""
    dossier = online_dossier(people)
    actions.receive(dossier, actor=people.receptionist)
    actions.handover(fresh(dossier), actor=people.receptionist)
    actions.handover(fresh(dossier), actor=people.officer)
    other = online_dossier(people)
    actions.receive(other, actor=people.receptionist)
    return fresh(dossier)


def _delete_event(pk: int) -> None:
    """Raw DELETE, as an intruder with database access would; rows that refer to it go first."""
    for relation in Event._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        relation.related_model._default_manager.filter(**{relation.field.name: pk}).delete()
    _sql("DELETE FROM {t} WHERE id = %s", [pk])


def _event(dossier, version) -> Event:
    return Event.objects.get(dossier=dossier, version=version)


def test_it_chains_each_dossiers_events_in_version_order(walked):
    events = list(Event.objects.filter(dossier=walked).order_by("version"))
    assert [e.version for e in events] == [1, 2, 3, 4] and walked.version == 4
    assert events[0].prev_hash == ""
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in events:  # the stored hash is the hash of what the database returns
        values = {name: getattr(event, name) for name in chain.EVENT_FIELDS}
        assert event.hash == chain.event_hash(walked.code, values, event.prev_hash)
    assert len({e.hash for e in events}) == 4


def test_it_passes_clean_data(walked):
    assert list(verify()) == []
    code, output = _run()
    assert code == 0, output
    assert "toàn vẹn" in output
    assert _run("--dossier", walked.code)[0] == 0


def test_it_detects_an_edited_row(walked):
    _sql("UPDATE {t} SET note = %s WHERE id = %s", ["sửa lén", _event(walked, 2).pk])
    problems = list(verify())
    assert [(p.dossier, p.position, p.kind) for p in problems] == [(walked.code, 2, EDITED)]
    code, output = _run()
    assert code == 1
    assert f"{walked.code} sự kiện #2: sửa" in output


def test_it_detects_an_edited_time_or_actor(walked, people):
    _sql("UPDATE {t} SET actor_id = %s WHERE id = %s", [people.leader.pk, _event(walked, 3).pk])
    assert [(p.position, p.kind) for p in verify()] == [(3, EDITED)]


def test_it_detects_a_deleted_row(walked):
    _delete_event(_event(walked, 2).pk)
    problems = list(verify(walked.code))
    assert (walked.code, 2, DELETED) in [(p.dossier, p.position, p.kind) for p in problems]
    code, output = _run("--dossier", walked.code)
    assert code == 1 and "xóa" in output


def test_it_detects_a_deleted_tail(walked):
    _delete_event(_event(walked, 4).pk)
    problems = list(verify())
    assert [(p.position, p.kind) for p in problems] == [(4, DELETED)]
    assert "phiên bản 4" in problems[0].detail


def test_it_detects_two_swapped_rows(walked):
    second, third = _event(walked, 2).pk, _event(walked, 3).pk
    _sql("UPDATE {t} SET version = 999 WHERE id = %s", [second])
    _sql("UPDATE {t} SET version = 2 WHERE id = %s", [third])
    _sql("UPDATE {t} SET version = 3 WHERE id = %s", [second])
    kinds = {(p.position, p.kind) for p in verify()}
    assert (2, EDITED) in kinds and (3, EDITED) in kinds


def test_it_detects_a_row_rehashed_by_someone_who_knows_the_formula(walked):
    """Editing a row and recomputing its own hash still breaks the link from the next row."""
    event = _event(walked, 2)
    values = {name: getattr(event, name) for name in chain.EVENT_FIELDS}
    values["note"] = "sửa có tính lại mã băm"
    forged = chain.event_hash(walked.code, values, event.prev_hash)
    _sql("UPDATE {t} SET note = %s, hash = %s WHERE id = %s", [values["note"], forged, event.pk])
    assert [(p.position, p.kind) for p in verify()] == [(3, INSERTED)]


def test_it_detects_an_inserted_row(walked, people):
    bogus = Event(dossier=walked, version=5, kind="handover", actor=people.officer, at=_event(walked, 4).at,
                  prev_hash=_event(walked, 4).hash, hash="0" * 64)
    bogus.save()
    kinds = {(p.position, p.kind) for p in verify()}
    assert (5, INSERTED) in kinds and (5, EDITED) in kinds
    assert _run()[0] == 1


def test_it_checks_only_the_named_dossier(walked, people):
    other = online_dossier(people)
    _sql("UPDATE {t} SET note = %s WHERE id = %s", ["x", _event(other, 1).pk])
    assert _run("--dossier", walked.code)[0] == 0
    assert _run("--dossier", other.code)[0] == 1


def test_it_refuses_an_unknown_dossier_code(walked):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có hồ sơ"):
        call_command("verify_audit", "--dossier", "KHONG-CO")


def test_it_walks_many_dossiers_in_small_batches(walked, people):
    others = [online_dossier(people) for _ in range(5)]
    _sql("UPDATE {t} SET note = %s WHERE id = %s", ["x", _event(others[3], 1).pk])
    problems = list(verify(batch=2))
    assert [(p.dossier, p.kind) for p in problems] == [(others[3].code, EDITED)]
