"""The keyed audit chain, its anchor and the signed checkpoints (#14 finding 10): the two edits an
intruder with database write access made unseen — the last event changed with its hash
recomputed (plain SHA-256), the last event deleted with the dossier's version lowered — are found,
with raw SQL as the intruder used; unkeyed history is anchored, not rewritten; keys rotate; a
restore elsewhere verifies with the key supplied apart from the backup."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from motcua.audit import chain, checkpoints, keys
from motcua.audit.models import AuditLog, ChainAnchor
from motcua.audit.verify import DELETED, EDITED, UNKEYED, verify
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, Event
from tests.backoffice.conftest import fresh, online_dossier

pytestmark = pytest.mark.django_db
PERIOD = dt.timedelta(minutes=16)


def _sql(statement: str, params: list) -> None:
    tables = {"{event}": Event._meta.db_table, "{dossier}": Dossier._meta.db_table,
              "{anchor}": ChainAnchor._meta.db_table}
    for name, table in tables.items():
        statement = statement.replace(name, connection.ops.quote_name(table))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _event(dossier, version) -> Event:
    return Event.objects.get(dossier=dossier, version=version)


def _values(event) -> dict:
    return {name: getattr(event, name) for name in chain.EVENT_FIELDS}


def _delete_event(pk: int) -> None:
    for relation in Event._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete:
            relation.related_model._default_manager.filter(**{relation.field.name: pk}).delete()
    _sql("DELETE FROM {event} WHERE id = %s", [pk])


def _found(**filters) -> list[tuple]:
    return [(p.log, p.dossier, p.position, p.kind) for p in verify(**filters)]


def _checkpoint_twice():
    """Two checkpoints a period apart: the second seals every row that existed at the first."""
    start = timezone.now()
    first = checkpoints.write(start)
    with time_machine.travel(start + PERIOD, tick=False):
        second = checkpoints.write()
    assert first is not None and second is not None
    return second


@pytest.fixture
def files(settings, tmp_path):
    settings.MOTCUA_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints" / checkpoints.FOLDER


@pytest.fixture
def walked(people, files):
    dossier = online_dossier(people)
    actions.receive(dossier, actor=people.receptionist)
    actions.handover(fresh(dossier), actor=people.receptionist)
    actions.handover(fresh(dossier), actor=people.officer)
    return fresh(dossier)


def test_rows_are_keyed_with_the_audit_key_not_a_bare_formula(walked):
    last = _event(walked, 4)
    payload = chain.event_payload(walked.code, _values(last))
    assert last.hash == chain.digest(payload, last.prev_hash)
    assert last.hash != chain.plain_digest(payload, last.prev_hash)
    assert chain.sealed_with(payload, last.prev_hash, last.hash) == chain.KEYED


def test_the_last_event_edited_and_rehashed_without_the_key_is_found(walked):
    """Finding 10, first edit: before the key, recomputing the plain SHA-256 went unseen."""
    _sql("DELETE FROM {anchor}", [])  # as if anchored by the first checkpoint, not the migration
    checkpoints.write()
    assert {(a.log, a.upto) for a in ChainAnchor.objects.all()} == {(log, 0) for log in AuditLog.values}
    last = _event(walked, 4)
    values = _values(last) | {"note": "đã chuyển đúng hạn"}
    forged = chain.plain_digest(chain.event_payload(walked.code, values), last.prev_hash)
    _sql("UPDATE {event} SET note = %s, hash = %s WHERE id = %s", [values["note"], forged, last.pk])
    problems = list(verify())
    assert [(p.dossier, p.position, p.kind) for p in problems] == [(walked.code, 4, EDITED)]
    assert problems[0].detail == UNKEYED


def test_the_last_event_deleted_with_the_version_lowered_is_found_by_the_checkpoint(walked, files):
    """Finding 10, second edit: the shorter chain is consistent; the signed checkpoint is not."""
    _checkpoint_twice()
    assert _found() == []
    _delete_event(_event(walked, 4).pk)
    _sql("UPDATE {dossier} SET version = 3 WHERE id = %s", [walked.pk])
    problems = list(verify())
    assert [(p.log, p.kind) for p in problems] == [("checkpoint", DELETED)]
    assert "sự kiện" in problems[0].detail and "thiếu 1 bản ghi" in problems[0].detail
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_audit", stdout=out, stderr=io.StringIO())
    assert exited.value.code == 1 and "điểm kiểm tra #2" in out.getvalue()


def test_a_checkpoint_seals_a_range_one_period_after_seeing_it(walked, files):
    start = timezone.now()
    first = checkpoints.write(start)
    assert first.record["sealed"][AuditLog.EVENT]["count"] == 0
    assert first.record["pending"][AuditLog.EVENT] == _event(walked, 4).pk
    assert checkpoints.write(start + dt.timedelta(seconds=30)) is None  # too soon: nothing to settle
    with time_machine.travel(start + PERIOD, tick=False):
        second = checkpoints.write()
    sealed = second.record["sealed"][AuditLog.EVENT]
    assert sealed["after"] == 0 and sealed["upto"] == _event(walked, 4).pk
    assert sealed["count"] == Event.objects.filter(pk__lte=sealed["upto"]).count()
    on_disk = json.loads((files / "00000002.json").read_text())
    assert on_disk["mac"] == second.mac and on_disk["prev"] == first.mac


def test_a_forged_dropped_or_unsigned_checkpoint_file_is_found(walked, files, people):
    _checkpoint_twice()
    with time_machine.travel(timezone.now() + 3 * PERIOD, tick=False):
        checkpoints.write()
    assert _found() == []
    second = json.loads((files / "00000002.json").read_text())
    second["sealed"][AuditLog.EVENT]["count"] -= 1  # hide a deletion by editing the file
    (files / "00000002.json").write_text(json.dumps(second))
    assert ("checkpoint", "", 2, EDITED) in _found()
    (files / "00000002.json").unlink()
    found = _found()
    assert ("checkpoint", "", 2, DELETED) in found  # the gap in the sequence, and the index's missing file


def test_a_deleted_anchor_leaves_nothing_unkeyed_accepted(walked, files):
    checkpoints.write()
    _sql("DELETE FROM {anchor}", [])
    found = [(p.log, p.kind, p.detail) for p in verify()]
    assert ("checkpoint", DELETED, "neo sự kiện đã bị xóa khỏi cơ sở dữ liệu") in found


def _unkey(dossier) -> None:
    """Rewrite a dossier's chain as the code before the audit key sealed it (plain SHA-256)."""
    prev = chain.GENESIS
    for event in Event.objects.filter(dossier=dossier).order_by("version"):
        plain = chain.plain_digest(chain.event_payload(dossier.code, _values(event)), prev)
        _sql("UPDATE {event} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, plain, event.pk])
        prev = plain


def test_unkeyed_history_is_anchored_at_its_head_not_rewritten(people, files):
    """An upgraded installation: chains sealed before the key, no anchor yet (the migration only
    anchors an empty database). The first checkpoint anchors them as they are."""
    _sql("DELETE FROM {anchor}", [])
    old = online_dossier(people)
    actions.receive(old, actor=people.receptionist)
    _unkey(old)
    before = list(Event.objects.filter(dossier=old).order_by("version").values_list("hash", flat=True))
    assert _found() == []  # not anchored yet: unkeyed rows are still the history
    checkpoints.write()
    anchor = ChainAnchor.objects.get(log=AuditLog.EVENT)
    assert anchor.upto == _event(old, 2).pk and anchor.count == Event.objects.filter(pk__lte=anchor.upto).count()
    assert list(Event.objects.filter(dossier=old).order_by("version").values_list("hash", flat=True)) == before
    actions.handover(fresh(old), actor=people.receptionist)  # the chain goes on, keyed
    assert chain.sealed_with(chain.event_payload(old.code, _values(_event(old, 3))), _event(old, 3).prev_hash,
                             _event(old, 3).hash) == chain.KEYED
    assert _found() == []
    # Rewriting the unkeyed history with the plain formula is caught by the anchor's digest.
    first = _event(old, 1)
    values = _values(first) | {"note": "viết lại"}
    _sql("UPDATE {event} SET note = %s WHERE id = %s", [values["note"], first.pk])
    _unkey(fresh(old))
    found = [(p.log, p.kind) for p in verify()]
    assert ("anchor", EDITED) in found


def test_a_rotated_key_still_verifies_while_the_old_one_is_kept(walked, files, settings, people):
    _checkpoint_twice()
    old_secret = settings.MOTCUA_AUDIT_KEY
    settings.MOTCUA_AUDIT_KEY, settings.MOTCUA_AUDIT_OLD_KEYS = "khóa mới của tỉnh " + "x" * 20, [old_secret]
    newer = online_dossier(people)  # sealed with the new key
    with time_machine.travel(timezone.now() + 3 * PERIOD, tick=False):
        assert checkpoints.write().record["kid"] == keys.current().kid
    assert keys.current().kid != keys.derive(old_secret).kid
    assert _found() == []
    settings.MOTCUA_AUDIT_OLD_KEYS = []  # the old key lost: nothing it sealed can be trusted
    found = _found()
    assert (AuditLog.EVENT, walked.code, 1, EDITED) in found and any(log == "checkpoint" for log, *_ in found)
    assert not [f for f in found if f[1] == newer.code]


def test_a_restore_elsewhere_verifies_with_the_key_supplied_apart(walked, files, settings):
    _checkpoint_twice()
    right = settings.MOTCUA_AUDIT_KEY
    settings.MOTCUA_AUDIT_KEY = "khóa của máy khác " + "y" * 20  # the new machine made its own
    assert _found() != []
    settings.MOTCUA_AUDIT_KEY = right  # supplied by the operator (MOTCUA_AUDIT_KEY_FILE)
    assert _found() == []


def test_the_worker_writes_checkpoints_on_its_schedule():
    from django.conf import settings

    from motcua.jobs.runner import PERIODIC

    assert PERIODIC["audit.checkpoint"].every == dt.timedelta(minutes=settings.MOTCUA_AUDIT_CHECKPOINT_MINUTES)
