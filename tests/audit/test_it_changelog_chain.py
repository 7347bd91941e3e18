"""The configuration change log (audit.ChangeLog) is sealed into one hash chain by the
audit app; `verify_audit` reports an edited, deleted or smuggled-in row."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.audit.changelog import record
from motcua.audit.models import ChangeLog, ChangeLogSeal
from motcua.audit.verify import DELETED, EDITED, INSERTED, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(people):
    rows = [record(people.admin, people.commune, "update", before={"name": "Xã cũ"}, after={"name": f"Xã {i}"},
                   agency=people.commune, note=f"lần {i}") for i in range(4)]
    return rows


def _sql(statement: str, params: list) -> None:
    table = connection.ops.quote_name(ChangeLog._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{t}", table), params)


def _config_problems():
    return [(p.position, p.kind) for p in verify() if p.log == "config"]


def test_each_change_is_sealed_in_order(logged):
    seals = list(ChangeLogSeal.objects.order_by("seq"))
    assert [s.changelog_id for s in seals] == [r.pk for r in logged]
    assert seals[0].prev_hash == "" and all(b.prev_hash == a.hash for a, b in zip(seals, seals[1:], strict=False))
    assert _config_problems() == []
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "toàn vẹn" in out.getvalue()


def test_an_edited_change_is_reported(logged):
    _sql("UPDATE {t} SET note = %s WHERE id = %s", ["sửa lén", logged[1].pk])
    assert _config_problems() == [(2, EDITED)]
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_.value.code == 1


def test_a_deleted_change_is_reported(logged):
    _sql("DELETE FROM {t} WHERE id = %s", [logged[2].pk])
    assert _config_problems() == [(3, DELETED)]


def test_a_change_inserted_behind_the_app_is_reported(logged, people):
    ChangeLog.objects.bulk_create([ChangeLog(at=logged[0].at, actor=people.admin, object_type="x", object_id="1",
                                             object_repr="x", action="update")])  # no signal: no seal
    assert [k for _p, k in _config_problems()] == [INSERTED]
