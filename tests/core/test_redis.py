"""MOTCUA_REDIS_URL: the cache, rate limits and job wake-ups on the real Redis server (127.0.0.1:6379).

Each test uses its own key prefix, so runs on SQLite and PostgreSQL (or parallel runs) never meet.
A second cache object stands for another web process or machine sharing the same Redis."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from tests import workers

REDIS_URL = workers.redis_url()


@pytest.fixture
def redis_settings(settings):
    prefix = f"motcua-test-{uuid.uuid4().hex[:12]}"
    settings.MOTCUA_REDIS_URL = REDIS_URL
    settings.MOTCUA_REDIS_PREFIX = prefix
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix,
    }}
    yield prefix
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*")) + list(client.scan_iter(f":*:{prefix}*"))
    keys += list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def other_process_cache(prefix: str) -> RedisCache:
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


def test_it_uses_redis_for_the_cache(redis_settings):
    from django.core.cache import cache

    cache.set("shared", "từ tiến trình một", 60)
    assert other_process_cache(redis_settings).get("shared") == "từ tiến trình một"


def test_it_counts_rate_limits_together_across_processes(redis_settings, monkeypatch):
    from django.core.cache import cache

    from motcua.core import ratelimit

    first, second = cache, other_process_cache(redis_settings)
    for _ in range(3):
        monkeypatch.setattr(ratelimit, "counters", lambda: first)
        assert ratelimit.hit("sign-in:0912345678", limit=5, window=60).allowed
        monkeypatch.setattr(ratelimit, "counters", lambda: second)
        decision = ratelimit.hit("sign-in:0912345678", limit=5, window=60)
    # 6 attempts across the two processes: the sixth is refused, whichever process counts it.
    assert not decision.allowed


def test_it_wakes_a_waiting_worker_when_a_job_is_committed(redis_settings, transactional_db):
    from django.db import transaction

    from motcua.jobs import runner, wakeup

    woke: list[tuple[bool, float]] = []

    def worker():
        started = time.monotonic()
        woke.append((wakeup.wait(10), time.monotonic() - started))

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.3)  # the worker is now blocked on Redis
    with transaction.atomic():
        runner.enqueue(next(iter(runner.HANDLERS)), {})
    thread.join(timeout=10)
    assert woke and woke[0][0] is True and woke[0][1] < 5


def test_it_falls_back_to_polling_when_redis_is_down(settings, caplog):
    from motcua.jobs import wakeup

    settings.MOTCUA_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    wakeup.notify()  # must not raise
    started = time.monotonic()
    assert wakeup.wait(1) is False
    assert time.monotonic() - started >= 0.9
    assert "wake-up" in caplog.text
