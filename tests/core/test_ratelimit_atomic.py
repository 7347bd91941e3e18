"""Without Redis the rate-limit counters are rows of the database cache, and Django's
DatabaseCache.incr is a read then a write: two web processes hitting one key at the same instant
could both read 4 and both write 5. The limiter counts under a lock instead (SQLite: the
transaction's write lock; PostgreSQL: a per-key advisory lock), so every hit counts and exactly
`limit` hits are allowed however many arrive together. Real threads, each with its own database
connection, stand for the processes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from motcua.core import ratelimit

pytestmark = pytest.mark.django_db(transaction=True)  # each thread commits on its own connection

THREADS = 8


def _together(func, times: int) -> list:
    """Run func() `times` times in each of THREADS threads, all starting at the same moment."""
    barrier = threading.Barrier(THREADS)

    def run(_):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            return [func() for _ in range(times)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [d for batch in pool.map(run, range(THREADS)) for d in batch]


def test_simultaneous_hits_on_the_database_counters_all_count():
    assert "ratelimit" in settings.CACHES  # the embedded set-up: counters in the database
    _together(lambda: ratelimit.hit("signin-id:0912345678", limit=10_000, window=900), 20)
    assert ratelimit.peek("signin-id:0912345678", limit=10_000, window=900).count == THREADS * 20


def test_a_burst_of_simultaneous_attempts_gets_exactly_the_limit():
    decisions = _together(lambda: ratelimit.hit("signin-user:42", limit=10, window=900), 3)
    assert sum(d.allowed for d in decisions) == 10
    assert sorted(d.count for d in decisions) == list(range(1, THREADS * 3 + 1))  # each hit saw its own count
