"""Without Redis the rate-limit counters live in the database, so every web process of the
embedded set-up counts together: `serve` runs two, and a per-process count once let a sign-in
lockout come at attempt 20 instead of 10."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from motcua.core import ratelimit
from tests import clock, workers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # the other process must see what this one wrote

OTHER_PROCESS = clock.CHILD_PROLOGUE + """
import os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
django.setup()
from motcua.core import ratelimit
for _ in range(int(sys.argv[1])):
    decision = ratelimit.hit("signin-id:0912345678", limit=10, window=900)
print(decision.count, decision.allowed)
"""


def test_two_processes_count_one_lockout_together():
    assert "ratelimit" in settings.CACHES  # the embedded set-up (no MOTCUA_REDIS_URL)
    for _ in range(5):
        assert ratelimit.hit("signin-id:0912345678", limit=10, window=900).allowed
    connection.close()  # SQLite: let the other process open the file on its own
    env = dict(os.environ, DATABASE_URL=workers.database_url(), PYTHONPATH=str(ROOT / "src"), **clock.child_env())
    env.pop("MOTCUA_REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", OTHER_PROCESS, "5"], env=env, cwd=ROOT, capture_output=True,
                         timeout=120, check=True).stdout.decode().split()
    assert out == ["10", "True"]  # the other process saw this one's five
    decision = ratelimit.hit("signin-id:0912345678", limit=10, window=900)
    assert not decision.allowed and decision.count == 11  # the eleventh, in either process


def test_migrate_makes_the_counters_table():
    """The test database gets cache tables from Django's test set-up anyway; a real installation
    only from the migration (which once made a table of the wrong name)."""
    import importlib

    migration = importlib.import_module("motcua.core.migrations.0001_ratelimit_cache_table")
    table = settings.CACHES["ratelimit"]["LOCATION"]
    with connection.schema_editor() as editor:
        editor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    assert table not in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        migration.create_table(None, editor)
    assert table in connection.introspection.table_names()
    assert "ratelimit" not in connection.introspection.table_names()
