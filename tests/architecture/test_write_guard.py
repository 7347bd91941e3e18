"""The write guard itself (tests/write_guard.py): it catches a write of a guarded table from
application code outside the allow-list, through the ORM and through raw SQL, in the test's thread
and in another, and lets the action layer and test code write."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier
from tests import write_guard
from tests.backoffice.conftest import online_dossier

pytestmark = pytest.mark.django_db


def _application_function(relative: str, source: str):
    """A function whose frames say it lives in src/motcua/<relative>, as a stray write would."""
    namespace = {"Dossier": Dossier, "connection": connection}
    exec(compile(source, write_guard.SRC + relative, "exec"), namespace)  # noqa: S102
    return namespace["write"]


ORM = "def write(pk):\n    Dossier.objects.filter(pk=pk).update(applicant_address='sửa ngoài lớp hành động')\n"
RAW = ("def write(pk):\n    with connection.cursor() as c:\n"
       "        c.execute('UPDATE dossiers_event SET note = %s WHERE dossier_id = %s', ['x', pk])\n")


@pytest.mark.parametrize("source", [ORM, RAW], ids=["orm", "raw-sql"])
def test_a_write_from_outside_the_action_layer_is_caught(people, source):
    dossier = online_dossier(people)
    write_guard.GUARD.take()
    _application_function("backoffice/views.py", source)(dossier.pk)
    found = write_guard.GUARD.take()
    assert [(s.table, s.where) for s in found][:1] == [
        ("dossiers_dossier" if source is ORM else "dossiers_event", "src/motcua/backoffice/views.py:2"
         if source is ORM else "src/motcua/backoffice/views.py:3")]


def test_the_action_layer_and_test_code_may_write(people):
    dossier = online_dossier(people)
    write_guard.GUARD.take()
    _application_function("dossiers/actions.py", ORM)(dossier.pk)
    Dossier.objects.filter(pk=dossier.pk).update(applicant_address="dữ liệu thử")  # test code
    assert write_guard.GUARD.take() == []


@pytest.mark.django_db(transaction=True)
def test_a_write_in_another_thread_is_caught_too(people):
    dossier = online_dossier(people)
    write = _application_function("portal/views.py", ORM)
    write_guard.GUARD.take()

    def run():
        try:
            write(dossier.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert [s.where for s in write_guard.GUARD.take()] == ["src/motcua/portal/views.py:2"]


CATALOG = ("def write(pk):\n    WorkflowStep.objects.filter(pk=pk).update(quota_hours=99)\n")


def test_a_catalogue_write_from_outside_its_actions_is_caught(catalog):
    """The catalogue's parts too (#15): only catalog/actions.py (and the allow-list) writes them."""
    from motcua.catalog.models import WorkflowStep

    step = WorkflowStep.objects.first()
    write_guard.GUARD.take()
    namespace = {"WorkflowStep": WorkflowStep}
    for relative in ("administration/workflow.py", "catalog/actions.py"):
        exec(compile(CATALOG, write_guard.SRC + relative, "exec"), namespace)  # noqa: S102
        namespace["write"](step.pk)
    assert [(s.table, s.where) for s in write_guard.GUARD.take()] == [
        ("catalog_workflowstep", "src/motcua/administration/workflow.py:2")]


def test_a_helper_writing_on_behalf_of_the_action_layer_must_be_listed(people):
    """The innermost application frame is the writer: a write from an unlisted module is caught
    even when the action layer called it (it would be a second writer the list does not show)."""
    dossier = online_dossier(people)
    helper = _application_function("backoffice/views.py", ORM)
    namespace = {"helper": helper}
    exec(compile("def write(pk):\n    helper(pk)\n", write_guard.SRC + "dossiers/actions.py", "exec"),  # noqa: S102
         namespace)
    write_guard.GUARD.take()
    namespace["write"](dossier.pk)
    assert [s.where for s in write_guard.GUARD.take()] == ["src/motcua/backoffice/views.py:2"]
