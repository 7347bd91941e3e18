"""Concurrent actions on one dossier, with real threads and real transactions.

On PostgreSQL the row lock (SELECT ... FOR UPDATE) serialises the actions; on SQLite the whole
transaction holds the database's write lock (BEGIN IMMEDIATE), so the same tests run on both.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from motcua.dossiers import actions
from motcua.dossiers.errors import ActionNotAllowed, ConcurrentUpdate, PermissionDenied
from motcua.dossiers.models import Dossier, Event, IdempotencyKey
from tests.answers import valid_answers

from .conftest import BIRTH, T0, applicant, at, counter_dossier, result_file, version_of

THREADS = 20
pytestmark = pytest.mark.django_db(transaction=True)


def _members(people, agency, role: str, count: int) -> list:
    from motcua.accounts.models import Membership, User

    users = []
    for i in range(count):
        user = User.objects.create_user(f"{role}_{i:02d}", password="x-not-used-123")
        Membership.objects.create(user=user, agency=agency, role=role)
        users.append(user)
    return users


def _race(func, args: list) -> list[str]:
    """Run func(arg) for every arg at the same moment, one thread (and connection) each."""
    barrier = threading.Barrier(len(args))

    def run(arg):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            func(arg)
            return "ok"
        except (ConcurrentUpdate, ActionNotAllowed, PermissionDenied) as exc:
            return type(exc).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(args)) as pool:
        return list(pool.map(run, args))


def test_twenty_simultaneous_handovers_make_exactly_one(people, catalog):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))  # now in the officers' pool, version 2
    officer_step = Dossier.objects.get(pk=dossier.pk).current_step
    officers = _members(people, people.commune, "officer", THREADS)

    results = _race(
        lambda user: actions.handover(dossier.pk, actor=user, expected_version=2, at=at(9, 10)), officers
    )

    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "ConcurrentUpdate"}
    assert Event.objects.filter(dossier=dossier, kind="handover", from_step=officer_step).count() == 1
    final = Dossier.objects.get(pk=dossier.pk)
    assert final.version == 3 and final.current_role == "leader"
    versions = list(Event.objects.filter(dossier=dossier).order_by("version").values_list("version", flat=True))
    assert versions == [1, 2, 3]


def test_simultaneous_completions_without_a_version_complete_once(people, catalog):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))
    actions.handover(dossier, actor=people.officer, at=at(9, 10))
    actions.handover(dossier, actor=people.leader, at=at(9, 10, 30))  # the clerks' pool
    result_file(dossier, people.clerk, at(9, 10, 40))
    clerks = _members(people, people.commune, "clerk", THREADS)

    # No expected version: only the lock decides; the losers find the dossier already done.
    results = _race(lambda user: actions.complete(dossier.pk, actor=user, at=at(9, 11)), clerks)

    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "ActionNotAllowed"}
    assert Event.objects.filter(dossier=dossier, kind="completed").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).status == 9


def test_simultaneous_receptions_get_distinct_consecutive_codes(people, catalog):
    receptionists = [people.receptionist, *_members(people, people.commune, "receptionist", THREADS - 1)]
    version = version_of(BIRTH)
    when = dt.datetime(2026, 3, 9, 10, 0, tzinfo=T0.tzinfo)

    results = _race(
        lambda user: actions.create_dossier(actor=user, version=version, channel=1, applicant=applicant(), at=when),
        receptionists,
    )

    assert results == ["ok"] * THREADS
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert codes == [f"000.21.01.H12-260309-{n:04d}" for n in range(1, THREADS + 1)]


def test_simultaneous_retries_with_one_idempotency_key_create_one_dossier(people, catalog):
    version = version_of(BIRTH)
    answers = valid_answers(version)
    created = []

    def submit(_):
        result = actions.create_dossier(actor=people.citizen, version=version, channel=2, applicant=applicant(),
                                        idempotency_key="same-key", at=T0, form_data=answers)
        created.append(result.dossier.pk)

    results = _race(submit, list(range(10)))

    assert results == ["ok"] * 10
    assert len(set(created)) == 1
    assert Dossier.objects.count() == 1 and Event.objects.count() == 1 and IdempotencyKey.objects.count() == 1
