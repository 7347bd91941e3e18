"""Wake a waiting worker through Redis the moment a job is committed.

The queue itself stays in the database (jobs are written in the same transaction as the change
that causes them, so a rolled-back change leaves no job and a committed one never loses its job).
Without Redis a worker polls every second; with MOTCUA_REDIS_URL it blocks on a Redis list and a
commit that enqueued work pushes to it, so jobs start at once without busy polling. Redis being
down only brings back polling: nothing is lost.
"""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings

log = logging.getLogger(__name__)


def _key() -> str:
    return f"{settings.MOTCUA_REDIS_PREFIX}:jobs:wake"


@functools.lru_cache(maxsize=4)
def _client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def client():
    url = settings.MOTCUA_REDIS_URL
    return _client(url) if url else None


def notify() -> None:
    """Tell one waiting worker there is work (called after the enqueuing transaction commits)."""
    redis_client = client()
    if redis_client is None:
        return
    try:
        pipe = redis_client.pipeline()
        pipe.lpush(_key(), 1)
        pipe.ltrim(_key(), 0, 99)  # many commits while workers are busy need only a few wake-ups
        pipe.execute()
    except Exception as exc:  # Redis down: the workers' polling still finds the job
        log.warning("job wake-up not sent: %s", exc)


def wait(seconds: float) -> bool:
    """Sleep up to `seconds`, returning early (True) when woken."""
    redis_client = client()
    if redis_client is None:
        time.sleep(seconds)
        return False
    try:
        return redis_client.blpop([_key()], timeout=max(int(round(seconds)), 1)) is not None
    except Exception as exc:
        log.warning("job wake-up wait failed, polling instead: %s", exc)
        time.sleep(seconds)
        return False
