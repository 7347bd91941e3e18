"""Rate limits on Django's cache: works with the local-memory cache and with Redis.

    from motcua.core.ratelimit import hit, peek, Rule, hit_all

    decision = hit(f"track:{ip}", limit=30, window=60)
    if not decision.allowed:
        ...  # answer 429, tell the person to retry in decision.retry_after seconds

A window opens at the first hit on a key and lasts `window` seconds; up to `limit` hits are
allowed in it, the next ones are refused until it closes (`retry_after` says when). Counting
uses the cache's `add` and `incr`: with Redis (atomic) every process and machine counts together.
Without Redis the counters live in the database (the `ratelimit` cache, Django's DatabaseCache),
so the web processes of one installation count together too (`serve` runs two; a per-process
count once let a sign-in lockout come at attempt 20 instead of 10). DatabaseCache's `incr` is a
read then a write, so a hit there runs in a transaction holding a lock on its key (`_counting`):
on PostgreSQL a transaction-level advisory lock named after the key, on SQLite the transaction's
write lock (the project's SQLite transactions begin IMMEDIATE). Two processes hitting one key at
the same instant then count twice, and exactly `limit` hits are allowed. Keys are hashed, so any
text (an e-mail address, a phone number) can be a key.

A refusal's `retry_after` (whole seconds until the window closes) is the one number every door
shows: `refused_response` puts it in a page's `Retry-After` header, the API's ApiError takes it
as `retry_after`, and the Vietnamese text says it in minutes and clock time.

`peek` tells without counting (check before doing the work, count only failures), `reset`
forgets a key (after a successful sign-in), `hit_all` checks several rules and counts all of
them only when every one allows it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

PREFIX = "motcua:rl:"
ALIAS = "ratelimit"


def counters():
    """The cache that holds the counters: the `ratelimit` alias when configured (the database, in
    the embedded set-up), else the default cache (Redis)."""
    return caches[ALIAS] if ALIAS in settings.CACHES else default_cache


def _now() -> float:
    """The clock (tests move it)."""
    return time.time()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int  # hits counted in the current window (including this one, for `hit`)
    limit: int
    retry_after: int  # seconds until the window closes when refused; 0 when allowed

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)


@dataclass(frozen=True)
class Rule:
    key: str
    limit: int
    window: int  # seconds


def _keys(key: str) -> tuple[str, str]:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{PREFIX}{digest}:t", f"{PREFIX}{digest}:n"


def _window_start(cache, start_key: str, count_key: str, window: int, now: float) -> float:
    """The start of the open window; opens a new one when there is none or it has passed."""
    start = cache.get(start_key)
    if start is not None and now < start + window:
        return start
    if start is None and cache.add(start_key, now, timeout=window + 1):
        cache.set(count_key, 0, timeout=window + 1)
        return now
    if start is not None:  # the window passed (the cache did not expire it yet, or the clock moved)
        cache.set(start_key, now, timeout=window + 1)
        cache.set(count_key, 0, timeout=window + 1)
        return now
    return cache.get(start_key, now)  # another process opened it just now


@contextlib.contextmanager
def _counting(cache, lock_name: str):
    """Hold the key's lock while a hit reads and writes its counters (database counters only:
    Redis's `incr` is atomic by itself). Nested in a caller's transaction, the lock lasts until it
    commits, when the new count becomes visible to the other processes."""
    if not isinstance(cache, DatabaseCache):
        yield
        return
    alias = router.db_for_write(cache.cache_model_class)
    connection = connections[alias]
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            lock_id = int(hashlib.sha256(lock_name.encode()).hexdigest()[:15], 16)  # < 2**60: a bigint
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
        # SQLite: the transaction began IMMEDIATE (settings), so it already holds the write lock.
        yield


def _retry_after(start: float, window: int, now: float) -> int:
    return max(1, math.ceil(start + window - now))


def peek(key: str, limit: int, window: int) -> Decision:
    """Would one more hit be allowed? Counts nothing."""
    start_key, count_key = _keys(key)
    now = _now()
    cache = counters()
    start = cache.get(start_key)
    if start is None or now >= start + window:
        return Decision(True, 0, limit, 0)
    count = int(cache.get(count_key) or 0)
    if count >= limit:
        return Decision(False, count, limit, _retry_after(start, window, now))
    return Decision(True, count, limit, 0)


def hit(key: str, limit: int, window: int, *, cost: int = 1) -> Decision:
    """Count one hit (or `cost`) on `key` and say whether it is within `limit` per `window` seconds."""
    start_key, count_key = _keys(key)
    cache = counters()
    with _counting(cache, start_key):
        now = _now()
        start = _window_start(cache, start_key, count_key, window, now)
        try:
            count = cache.incr(count_key, cost)
        except ValueError:  # the count expired between the two calls
            cache.set(count_key, cost, timeout=window + 1)
            count = cost
    if count > limit:
        return Decision(False, count, limit, _retry_after(start, window, now))
    return Decision(True, count, limit, 0)


def reset(key: str) -> None:
    counters().delete_many(list(_keys(key)))


def peek_all(rules: list[Rule]) -> Decision:
    """The first refusing rule's decision (the longest wait), or an allowing one."""
    return peek_all_with(rules, ())[0]


def peek_all_with(rules: list[Rule], also: tuple[str, ...]) -> tuple[Decision, dict]:
    """peek_all, reading the rules' counters and the `also` cache keys in one cache call (with
    Redis, one network round trip; public tracking peeks on every request). Returns the decision
    and the values found for `also` (absent keys were misses)."""
    now = _now()
    keys = {rule: _keys(rule.key) for rule in rules}
    wanted = [k for pair in keys.values() for k in pair]
    cache = counters()
    if cache is default_cache:  # Redis: the counters and the `also` keys in one round trip
        values = cache.get_many(wanted + list(also))
    else:
        values = {**cache.get_many(wanted), **(default_cache.get_many(list(also)) if also else {})}
    refused = []
    for rule, (start_key, count_key) in keys.items():
        start = values.get(start_key)
        if start is None or now >= start + rule.window:
            continue
        count = int(values.get(count_key) or 0)
        if count >= rule.limit:
            refused.append(Decision(False, count, rule.limit, _retry_after(start, rule.window, now)))
    found = {k: values[k] for k in also if k in values}
    if refused:
        return max(refused, key=lambda d: d.retry_after), found
    return Decision(True, 0, min((r.limit for r in rules), default=0), 0), found


def hit_all(rules: list[Rule]) -> Decision:
    """Check every rule first; count a hit on all of them only if all allow it."""
    decision = peek_all(rules)
    if not decision.allowed:
        return decision
    results = [hit(r.key, r.limit, r.window) for r in rules]
    refused = [d for d in results if not d.allowed]
    if refused:  # another request took the last slot meanwhile
        return max(refused, key=lambda d: d.retry_after)
    return min(results, key=lambda d: d.remaining, default=decision)


def wait_text(seconds: int) -> str:
    """'Vui lòng thử lại sau 14 phút (lúc 10:35).' from a wait in seconds: every refusal says when."""
    from django.utils import timezone
    from django.utils.formats import time_format
    from django.utils.translation import ngettext

    seconds = max(int(seconds), 1)
    if seconds < 60:
        return ngettext(
            "Vui lòng thử lại sau %(n)s giây.", "Vui lòng thử lại sau %(n)s giây.", seconds
        ) % {"n": seconds}
    at = time_format(timezone.localtime(timezone.now() + dt.timedelta(seconds=seconds)), "H:i")
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Vui lòng thử lại sau %(n)s phút (lúc %(at)s).", "Vui lòng thử lại sau %(n)s phút (lúc %(at)s).", minutes
    ) % {"n": minutes, "at": at}


def refused_response(response, retry_after: int):
    """A page's refusal (429): its `Retry-After` header is the limiter's seconds left."""
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def client_ip(request) -> str:
    """The client's address; behind N trusted proxies (MOTCUA_TRUSTED_PROXIES), the N-th from the right."""
    from django.conf import settings

    proxies = int(settings.MOTCUA_TRUSTED_PROXIES)
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]
