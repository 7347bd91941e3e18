"""The keyed audit chain and the signed checkpoints (#14 finding 10). The two edits an intruder with
database write access made unseen — the last event changed with its hash recomputed (plain
SHA-256), the last event deleted with the dossier's version lowered — are found, done with raw SQL
as the intruder did; so are the ways around the first design a review found (re-anchoring,
checkpoint state kept in the database, a key that left with a person). The checkpoint files are
the only authority: nothing in the database tells the worker or the verifier what they hold."""

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
from motcua.audit.access import log_access
from motcua.audit.models import AuditLog, PersonalDataAccess
from motcua.audit.verify import DELETED, EDITED, RETIRED, STALE, UNKEYED, verify
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, Event
from tests.backoffice.conftest import fresh, online_dossier

pytestmark = pytest.mark.django_db
PERIOD = dt.timedelta(minutes=16)  # more than MOTCUA_AUDIT_CHECKPOINT_MINUTES (15)


def _sql(statement: str, params: list) -> None:
    tables = {"{event}": Event, "{dossier}": Dossier, "{access}": PersonalDataAccess}
    for name, model in tables.items():
        statement = statement.replace(name, connection.ops.quote_name(model._meta.db_table))
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


def _found() -> list[tuple]:
    return [(p.log, p.dossier, p.position, p.kind) for p in verify()]


class Clock:
    """Checkpoints a period apart, as the worker writes them."""

    def __init__(self):
        self.now = timezone.now()

    def checkpoint(self) -> dict:
        self.now += PERIOD
        with time_machine.travel(self.now, tick=False):
            made = checkpoints.write()
        assert made is not None
        return made

    def verify(self) -> list[tuple]:
        with time_machine.travel(self.now, tick=False):
            return _found()


@pytest.fixture
def files(settings, tmp_path):
    settings.MOTCUA_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints" / checkpoints.FOLDER / "0000"


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
    assert chain.sealed_with(payload, last.prev_hash, last.hash) == (chain.KEYED, keys.current().kid)


def _forge_last_plain(dossier) -> None:
    last = _event(dossier, 4)
    values = _values(last) | {"note": "đã chuyển đúng hạn"}
    forged = chain.plain_digest(chain.event_payload(dossier.code, values), last.prev_hash)
    _sql("UPDATE {event} SET note = %s, hash = %s WHERE id = %s", [values["note"], forged, last.pk])


def test_the_last_event_edited_and_rehashed_without_the_key_is_found(walked):
    """Finding 10, first edit. Found with no checkpoint yet (nothing unkeyed is accepted without
    an anchor), and still found after later checkpoints (they never re-anchor)."""
    _forge_last_plain(walked)
    problems = list(verify())
    assert [(p.dossier, p.position, p.kind, p.detail) for p in problems] == [(walked.code, 4, EDITED, UNKEYED)]
    clock = Clock()
    clock.checkpoint()
    clock.checkpoint()
    assert (AuditLog.EVENT, walked.code, 4, EDITED) in clock.verify()


def test_the_last_event_deleted_with_the_version_lowered_is_found_by_the_checkpoint(walked):
    """Finding 10, second edit: the shorter chain is consistent; the signed checkpoint is not."""
    clock = Clock()
    clock.checkpoint()
    clock.checkpoint()  # seals every row the first one saw
    assert clock.verify() == []
    _delete_event(_event(walked, 4).pk)
    _sql("UPDATE {dossier} SET version = 3 WHERE id = %s", [walked.pk])
    with time_machine.travel(clock.now, tick=False):
        problems = list(verify())
        out = io.StringIO()
        with pytest.raises(SystemExit) as exited:
            call_command("verify_audit", stdout=out, stderr=io.StringIO())
    assert [(p.log, p.kind) for p in problems] == [("checkpoint", DELETED)]
    assert "sự kiện hồ sơ" in problems[0].detail and "thiếu 1 bản ghi" in problems[0].detail
    assert exited.value.code == 1 and "điểm kiểm tra #2" in out.getvalue()


def test_a_row_deleted_between_first_sight_and_sealing_is_found(walked):
    clock = Clock()
    clock.checkpoint()  # sees the four events, seals nothing yet
    _delete_event(_event(walked, 4).pk)
    _sql("UPDATE {dossier} SET version = 3 WHERE id = %s", [walked.pk])
    clock.checkpoint()  # seals three: fewer than it saw
    found = clock.verify()
    assert [(log, kind) for log, _d, _p, kind in found] == [("checkpoint", DELETED)]


def test_a_range_is_sealed_one_period_after_it_was_first_seen(walked, files):
    clock = Clock()
    first = clock.checkpoint()
    assert first["sealed"][AuditLog.EVENT]["count"] == 0
    assert first["pending"][AuditLog.EVENT] == _event(walked, 4).pk
    assert first["pending_count"][AuditLog.EVENT] == Event.objects.count()
    with time_machine.travel(clock.now + dt.timedelta(minutes=5), tick=False):
        assert checkpoints.write() is None  # too soon: a transaction may still be open
    second = clock.checkpoint()
    sealed = second["sealed"][AuditLog.EVENT]
    assert sealed["after"] == 0 and sealed["upto"] == _event(walked, 4).pk
    assert sealed["count"] == Event.objects.filter(pk__lte=sealed["upto"]).count()
    on_disk = json.loads((files / "00000002.json").read_text())
    assert on_disk == second and on_disk["prev"] == first["mac"]


def test_the_worker_state_lives_in_the_files_only(walked, files):
    """Nothing in the database says where the checkpoints stand: a file left by a crash or a
    restore is simply the newest one, and a newest file that does not verify stops the job loudly."""
    clock = Clock()
    clock.checkpoint()
    second = clock.checkpoint()
    assert clock.checkpoint()["prev"] == second["mac"] and (files / "00000003.json").exists()
    (files / "00000004.json").write_text("{ hỏng")
    with time_machine.travel(clock.now + PERIOD, tick=False), pytest.raises(checkpoints.CheckpointError):
        checkpoints.write()
    assert (0, EDITED) in [(p.position, p.kind) for p in verify() if p.log == "checkpoint"]


def test_forged_dropped_or_malformed_files_are_found_without_a_crash(walked, files):
    clock = Clock()
    for _ in range(3):
        clock.checkpoint()
    assert clock.verify() == []
    second = json.loads((files / "00000002.json").read_text())
    second["sealed"][AuditLog.EVENT]["count"] -= 1  # hide a deletion by editing the file
    (files / "00000002.json").write_text(json.dumps(second))
    assert ("checkpoint", "", 2, EDITED) in clock.verify()
    (files / "00000002.json").unlink()
    assert ("checkpoint", "", 2, DELETED) in clock.verify()  # the gap in the numbering
    (files / "00000005.json").write_text("[" * 100_000 + "]" * 100_000)  # deeply nested
    (files / "00000006.json").write_text(json.dumps({"format": checkpoints.FORMAT, "n": 6}))  # missing fields
    (files / "00000007.json").write_bytes(b" " * (checkpoints.MAX_FILE_BYTES + 1))
    unreadable = [p for p in verify() if p.log == "checkpoint" and "không đọc được" in p.detail]
    assert len(unreadable) == 3


def test_a_file_renamed_to_another_number_is_found(walked, files):
    clock = Clock()
    clock.checkpoint()
    (files / "00000001.json").rename(files / "00000009.json")
    assert any("tên không khớp" in p.detail for p in verify())


def test_unkeyed_history_is_anchored_at_its_head_not_rewritten(people, files):
    """An upgraded installation: chains sealed before the key. The first checkpoint anchors them
    as they are; rewriting that history with the plain formula changes the anchor's digest."""
    old = online_dossier(people)
    actions.receive(old, actor=people.receptionist)
    _unkey(old)
    before = list(Event.objects.filter(dossier=old).order_by("version").values_list("hash", flat=True))
    assert {p.detail for p in verify()} == {UNKEYED}  # not anchored yet: refused, not trusted
    clock = Clock()
    first = clock.checkpoint()
    anchor = first["anchors"][AuditLog.EVENT]
    assert anchor["upto"] == _event(old, 2).pk
    assert anchor["count"] == Event.objects.filter(pk__lte=anchor["upto"]).count()
    assert list(Event.objects.filter(dossier=old).order_by("version").values_list("hash", flat=True)) == before
    actions.handover(fresh(old), actor=people.receptionist)  # the chain goes on, keyed
    assert clock.verify() == []
    first_event = _event(old, 1)
    _sql("UPDATE {event} SET note = %s WHERE id = %s", ["viết lại", first_event.pk])
    _unkey(fresh(old))
    found = clock.verify()
    assert [kind for log, _d, _p, kind in found if log == "checkpoint"] == [EDITED]
    clock.checkpoint()  # sealing the rewritten rows later does not whitewash them
    assert [kind for log, _d, _p, kind in clock.verify() if log == "checkpoint"] == [EDITED]


def _unkey(dossier) -> None:
    """Rewrite a dossier's chain as the code before the audit key sealed it (plain SHA-256)."""
    prev = chain.GENESIS
    for event in Event.objects.filter(dossier=dossier).order_by("version"):
        plain = chain.plain_digest(chain.event_payload(dossier.code, _values(event)), prev)
        _sql("UPDATE {event} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, plain, event.pk])
        prev = plain


def test_a_rotated_key_verifies_old_rows_and_stops_forging_with_it(walked, settings, people):
    clock = Clock()
    clock.checkpoint()
    old_secret = settings.MOTCUA_AUDIT_KEY
    old = keys.derive(old_secret)
    settings.MOTCUA_AUDIT_KEY, settings.MOTCUA_AUDIT_OLD_KEYS = "khóa mới của tỉnh " + "x" * 20, [old_secret]
    newer = online_dossier(people)  # sealed with the new key
    second = clock.checkpoint()
    assert second["kid"] == keys.current().kid
    assert second["retired"][old.kid][AuditLog.EVENT] == _event(newer, 1).pk
    assert clock.verify() == []  # rows the old key sealed before the rotation still verify
    # Whoever left with the old key appends an event after the rotation, chain and version consistent.
    first = _event(newer, 1)
    forged = Event(dossier=newer, version=2, kind=first.kind, actor=people.receptionist, at=first.at,
                   from_status=first.to_status, to_status=first.to_status, prev_hash=first.hash)
    forged.hash = chain.digest(chain.event_payload(newer.code, _values(forged)), first.hash, old)
    forged.save()
    _sql("UPDATE {dossier} SET version = 2 WHERE id = %s", [newer.pk])
    assert [(p.dossier, p.position, p.detail) for p in verify() if p.log == AuditLog.EVENT] == [
        (newer.code, 2, RETIRED)]
    settings.MOTCUA_AUDIT_OLD_KEYS = []  # the old key lost: nothing it sealed can be trusted
    assert (AuditLog.EVENT, walked.code, 1, EDITED) in clock.verify()


def test_access_and_change_log_ranges_are_sealed_too(walked, people, rf):
    request = rf.get("/can-bo/ho-so/")
    request.user = people.officer
    row = log_access(request, walked)
    clock = Clock()
    clock.checkpoint()
    clock.checkpoint()
    assert clock.verify() == []
    _sql("DELETE FROM {access} WHERE id = %s", [row.pk])
    assert ("checkpoint", DELETED) in [(log, kind) for log, _d, _p, kind in clock.verify()]


def test_a_stale_checkpoint_is_reported(walked):
    clock = Clock()
    clock.checkpoint()
    with time_machine.travel(clock.now + 4 * PERIOD, tick=False):
        assert [(p.log, p.kind) for p in verify()] == [("checkpoint", STALE)]


def test_a_restore_elsewhere_verifies_only_with_the_key_supplied_apart(walked, settings):
    clock = Clock()
    clock.checkpoint()
    clock.checkpoint()
    right = settings.MOTCUA_AUDIT_KEY
    settings.MOTCUA_AUDIT_KEY = "khóa của máy khác " + "y" * 20  # the new machine made its own
    assert clock.verify() != []
    settings.MOTCUA_AUDIT_KEY = right  # supplied by the operator (MOTCUA_AUDIT_KEY_FILE)
    assert clock.verify() == []


def test_the_worker_job_writes_a_checkpoint(files):
    from django.conf import settings

    from motcua.jobs.runner import PERIODIC

    periodic = PERIODIC["audit.checkpoint"]
    assert periodic.every == dt.timedelta(minutes=settings.MOTCUA_AUDIT_CHECKPOINT_MINUTES)
    from motcua.audit.jobs import checkpoint

    checkpoint({})
    assert (files / "00000001.json").exists()
