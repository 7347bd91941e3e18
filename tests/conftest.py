"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SAMPLE_CATALOG = Path(__file__).resolve().parent.parent / "src/motcua/catalog/fixtures/sample_catalog.json"


@pytest.fixture(scope="session", autouse=True)
def _check_database(django_db_setup, django_db_blocker):
    """In CI an unreachable database is a failure, never a silent skip."""
    from django.db import connection

    with django_db_blocker.unblock():
        connection.ensure_connection()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (dossier codes repeat across tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sample_data() -> dict:
    return json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8"))


@pytest.fixture
def catalog(db, sample_data):
    """The sample province and its procedures, imported through the real importer."""
    from motcua.catalog.importer import import_catalog

    import_catalog(sample_data)
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
