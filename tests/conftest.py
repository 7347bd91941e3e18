"""Shared fixtures and the suite's ground rules. The suite runs on SQLite by default and on
PostgreSQL when DATABASE_URL says so.

- Every non-browser test runs under the test clock (tests/clock.py): one instant of a matrix
  of awkward times per run, chosen by MOTCUA_TEST_CLOCK_SEED and printed at the start.
- The sample catalogue is imported once per test database (and again after a test that
  empties the tables: transaction=True, live_server); a test that does not ask for it
  (`catalog`, or a fixture built on it) sees the tables empty, as if it had never been loaded.
- Passwords are hashed with a fast hasher (MD5): the production hasher costs ~0.4 s a password.
- Under pytest-xdist each worker has its own data folder, database and Redis database.
- Only an aggregate's action layer writes its tables (tests/write_guard.py): a test whose code
  path writes them from anywhere else fails at teardown.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests import clock, workers, write_guard

# Before any test database or file is made.
workers.isolate()

SAMPLE_CATALOG = Path(__file__).resolve().parent.parent / "src/motcua/catalog/fixtures/sample_catalog.json"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_CLOCK = pytest.StashKey()
_INSTANT = clock.chosen()


def pytest_sessionstart(session):
    # Printed even with -q (a report header is not), once: by the controller, not by xdist's workers.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not workers.worker():
        reporter.write_line(_INSTANT.describe() if _INSTANT else f"test clock: the real clock ({clock.ENV}=none)")


def _is_browser(item) -> bool:
    return item.get_closest_marker("browser") is not None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    # Started before any fixture, so fixtures, the test and its teardown all see the instant.
    _SharedData.clocked = _INSTANT is not None and not _is_browser(item)
    if _SharedData.clocked:
        import time_machine

        traveller = time_machine.travel(_INSTANT.at, tick=True)
        traveller.start()
        item.stash[_CLOCK] = traveller
    if _SharedData.stale:
        _SharedData.reload(item.config)
    return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        traveller = item.stash.get(_CLOCK, None)
        if traveller is not None:
            traveller.stop()
        if _SharedData.loaded and _flushes_tables(item):
            _SharedData.stale = True  # put back before the next test starts, at its clock


def pytest_terminal_summary(terminalreporter):
    # pytest names "skipped" only when there were some; a run should always say.
    skipped = len(terminalreporter.stats.get("skipped", []))
    terminalreporter.write_line(f"skipped: {skipped}")


def _flushes_tables(item) -> bool:
    """Mirrors pytest-django: these tests commit, and Django empties every table after them."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


class _SharedData:
    """The sample catalogue, written once per database and put back after a flush (at the start of
    the next test, before its fixtures, stamped an hour before its instant, or at the real time
    for a browser test: the browser and the live server run on the real clock)."""

    loaded = False
    stale = False  # emptied by a flush, not loaded again yet
    clocked = False  # the test being set up runs under the test clock
    tables: list[str] = []  # the tables the catalogue fills (they are empty before it)

    @classmethod
    def load(cls) -> None:
        from django.apps import apps
        from django.db import connection, transaction

        from motcua.catalog.importer import import_catalog

        def counts() -> dict[str, int]:
            with connection.cursor() as cursor:
                found = {}
                for model in apps.get_models():
                    table = model._meta.db_table
                    if model._meta.managed and not model._meta.proxy and table not in found:
                        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                        found[table] = cursor.fetchone()[0]
                return found

        before = counts()
        with _setup_clock(cls.clocked), transaction.atomic():
            import_catalog(json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8")))
        after = counts()
        grown = {t for t in after if after[t] != before.get(t, 0)}
        shared = sorted(t for t in grown if before.get(t, 0))
        # Emptying only tables that were empty keeps rows that migrations wrote (content types...).
        assert not shared, f"the catalogue adds rows to tables that migrations fill: {shared}"
        cls.tables = sorted(grown)
        cls.loaded = True

    @classmethod
    def reload(cls, config) -> None:
        from pytest_django.plugin import blocking_manager_key

        with config.stash[blocking_manager_key].unblock():
            cls.load()
            # The rate-limit counters' table (a cache table, not a model's) is not emptied by a flush.
            from django.conf import settings
            from django.core.cache import caches

            if "ratelimit" in settings.CACHES:
                caches["ratelimit"].clear()
        cls.stale = False

    @classmethod
    def hide(cls) -> None:
        """Empties the catalogue's tables inside the running test's transaction (rolled back after).
        Foreign keys are deferred to the commit on both databases, so the order of the deletes does
        not matter."""
        from django.db import connection, transaction

        # One transaction: in a transaction=True test each statement would otherwise commit alone
        # and check the foreign keys of a half-emptied catalogue.
        with transaction.atomic(), connection.cursor() as cursor:
            for table in cls.tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def _setup_clock(clocked: bool):
    import contextlib

    if not clocked:
        return contextlib.nullcontext()
    import time_machine

    return time_machine.travel(_INSTANT.at - clock.SETUP_LEAD, tick=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    from pytest_django.fixtures import _get_databases_for_setup

    # When no collected test uses the database, pytest-django makes no test database: the
    # connection still names the real one, which must never be written.
    if "default" in _get_databases_for_setup(request.session.items)[0]:
        with django_db_blocker.unblock():
            _SharedData.load()
    yield


@pytest.fixture(scope="session", autouse=True)
def _check_database(django_db_setup, django_db_blocker):
    """In CI an unreachable database is a failure, never a silent skip."""
    from django.db import connection

    with django_db_blocker.unblock():
        connection.ensure_connection()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _catalogue_only_when_asked(request):
    if "catalog" in request.fixturenames or "_django_db_helper" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    _SharedData.hide()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a page asked in English leaves English active in
    its thread, and a later test's messages (built outside a request) would come out English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (dossier codes repeat across tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _only_action_layers_write():
    write_guard.install()
    write_guard.GUARD.take()
    yield
    found = write_guard.GUARD.take()
    if found and os.environ.get("MOTCUA_WRITE_GUARD") == "report":
        with open(os.environ.get("MOTCUA_WRITE_GUARD_FILE", "write-guard.txt"), "a", encoding="utf-8") as out:
            out.writelines(f"{stray}\n" for stray in found)
    elif found:
        pytest.fail("Written outside the action layer (tests/write_guard.py):\n" +
                    "\n".join(f"  {stray}" for stray in dict.fromkeys(found)), pytrace=False)


@pytest.fixture
def sample_data() -> dict:
    return json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8"))


@pytest.fixture
def catalog(db, sample_data):
    """The sample province and its procedures, imported through the real importer (once per test
    database; see the module's docstring)."""
    return sample_data


@pytest.fixture(scope="session")
def browser_executable() -> str:
    import shutil

    path = os.environ.get("MOTCUA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium).")
        pytest.skip("Chromium is not installed")
    return path
