"""#15: the configuration change log moved from the administration app to audit. A database with
rows and seals written before the move keeps every row, id and seal, and verify_audit stays green."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from motcua.audit.changelog_chain import seal
from motcua.audit.models import ChangeLog, ChangeLogSeal
from motcua.audit.verify import verify_changelog

BEFORE = [("administration", "0002_changelog_security_actions"), ("audit", "0002_changelog_seal")]


@pytest.mark.django_db(transaction=True)
def test_rows_and_seals_written_before_the_move_survive_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldLog, OldSeal = old.get_model("administration", "ChangeLog"), old.get_model("audit", "ChangeLogSeal")
    rows = [OldLog.objects.create(at=timezone.now(), object_type="catalog.procedure", object_id=str(i),
                                  object_repr=f"Thủ tục {i}", action="update", before={"name": "cũ"},
                                  after={"name": f"mới {i}"}, note="trước khi chuyển")
            for i in range(3)]
    for row in rows:
        seal(row, Seal=OldSeal)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = ChangeLog.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert [(r.object_id, r.after, r.note) for r in moved] == [
        (str(i), {"name": f"mới {i}"}, "trước khi chuyển") for i in range(3)]
    assert ChangeLog._meta.db_table == "audit_changelog"
    assert list(verify_changelog()) == []
    edited = moved[1]
    ChangeLog.objects.filter(pk=edited.pk).update(note="sửa lén")
    assert [p.position for p in verify_changelog()] == [ChangeLogSeal.objects.get(changelog_id=edited.pk).seq]
