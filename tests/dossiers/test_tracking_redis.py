"""With Redis, an action drops the tracking entry for every web process at once."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from tests import workers

from .conftest import T0, counter_dossier, fresh

REDIS_URL = workers.redis_url()
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_never_shows_another_process_a_stale_status(people, settings):
    from motcua.dossiers import actions, tracking

    prefix = f"motcua-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix,
    }}
    settings.MOTCUA_TRACKING_CACHE_SECONDS = 3600
    dossier = counter_dossier(people, when=T0)
    before = tracking.public_status(dossier.code, dossier.tracking_key)
    other = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    assert other.get(tracking._cache_key(dossier.code)) is not None  # shared, not per process

    actions.handover(fresh(dossier), actor=people.receptionist, at=T0)

    assert other.get(tracking._cache_key(dossier.code)) is None
    after = tracking.public_status(dossier.code, dossier.tracking_key)
    assert after != before
    other.delete(tracking._cache_key(dossier.code))


def test_it_answers_a_cached_lookup_with_one_cache_call(people, client, monkeypatch, settings):
    """The rate-limit counters and the cached answer come in one call (one Redis round trip: MGET)."""
    from django.core.cache import caches

    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"motcua-test-{uuid.uuid4().hex[:12]}",
    }}
    dossier = counter_dossier(people, when=T0)
    url = f"/api/v1/track/{dossier.code}?key={dossier.tracking_key}"
    assert client.get(url).status_code == 200  # fills the cache
    backend = caches["default"]
    calls: list[str] = []
    for name in ("get", "get_many", "set", "add", "incr"):
        original = getattr(backend, name)
        monkeypatch.setattr(backend, name, lambda *a, _n=name, _o=original, **k: calls.append(_n) or _o(*a, **k))
    response = client.get(url)
    assert response.status_code == 200 and response.json()["code"] == dossier.code
    assert calls == ["get_many"]
    from motcua.dossiers import tracking

    caches["default"].delete(tracking.cache_key(dossier.code))
