"""Keeping pytest-xdist's workers apart: each has its own data folder (mail and SMS files,
certificates, media), its own test database (pytest-django adds the worker's name to it) and its
own Redis database. Outside xdist nothing changes."""

from __future__ import annotations

import os
from pathlib import Path

REDIS_HOST = "redis://127.0.0.1:6379"


def worker() -> str:
    """'gw0', 'gw1'... under xdist; '' otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def isolate() -> None:
    """Move this worker's settings that point into the data folder to a folder of its own.

    pytest-django has read the settings before any conftest is imported, so the settings are
    rebased here rather than through MOTCUA_DATA_DIR; the variable is set too, for the commands
    that tests start in a subprocess."""
    name = worker()
    if not name:
        return
    from django.conf import settings

    shared = Path(settings.DATA_DIR)
    own = shared / f"test-{name}"
    own.mkdir(parents=True, exist_ok=True)
    for key in dir(settings):
        value = getattr(settings, key) if key.isupper() else None
        # STATIC_ROOT is only read (collected files), never written by a test.
        if isinstance(value, Path | str) and key not in ("DATA_DIR", "STATIC_ROOT"):
            path = Path(value)
            if path.is_absolute() and path.is_relative_to(shared) and not path.is_relative_to(own):
                setattr(settings, key, own / path.relative_to(shared))
    settings.DATA_DIR = own
    os.environ["MOTCUA_DATA_DIR"] = str(own)
    # A child reads the audit key from its own data folder otherwise: seal with the test's key.
    os.environ["MOTCUA_AUDIT_KEY"] = settings.MOTCUA_AUDIT_KEY


def redis_url() -> str:
    """The Redis database of this worker: 0 outside xdist, 1 + the worker's number under it
    (a test's cache.clear() is FLUSHDB, which must not empty another worker's database).

    MOTCUA_TEST_REDIS_BASE moves the first worker's database (default 1), so that a second
    suite on the same machine (a `make test-clock` in another clone) keeps apart too."""
    name = worker()
    base = int(os.environ.get("MOTCUA_TEST_REDIS_BASE", "1"))
    number = (base + int(name[2:])) % 16 if name.startswith("gw") else 0
    return f"{REDIS_HOST}/{number}"


def database_url() -> str:
    """The test database as a DATABASE_URL, for the commands a test starts in a subprocess."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
