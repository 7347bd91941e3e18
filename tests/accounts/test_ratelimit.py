"""The reusable rate limiter: counts, refuses with the wait, lifts when the window closes."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from motcua.core import ratelimit
from motcua.core.ratelimit import Rule

# Without Redis the counters are in the database (shared by the web processes).
pytestmark = pytest.mark.django_db


def test_it_allows_up_to_the_limit_then_refuses_with_the_wait(clock):
    decisions = [ratelimit.hit("k", limit=3, window=60) for _ in range(3)]
    assert all(d.allowed for d in decisions)
    assert [d.remaining for d in decisions] == [2, 1, 0]
    clock.advance(20)
    refused = ratelimit.hit("k", limit=3, window=60)
    assert not refused.allowed
    assert refused.retry_after == 40


def test_it_lifts_when_the_window_closes(clock):
    for _ in range(4):
        ratelimit.hit("k", 3, 60)
    assert not ratelimit.peek("k", 3, 60).allowed
    clock.advance(61)
    assert ratelimit.peek("k", 3, 60).allowed
    assert ratelimit.hit("k", 3, 60).count == 1


def test_peek_counts_nothing(clock):
    for _ in range(5):
        assert ratelimit.peek("k", 1, 60).allowed
    assert ratelimit.hit("k", 1, 60).allowed


def test_reset_forgets_a_key(clock):
    ratelimit.hit("k", 1, 60)
    assert not ratelimit.hit("k", 1, 60).allowed
    ratelimit.reset("k")
    assert ratelimit.hit("k", 1, 60).allowed


def test_keys_are_separate_and_any_text_is_a_key(clock):
    odd = "ñ🙂' OR 1=1; --\x00" + "x" * 10_000
    assert ratelimit.hit(odd, 1, 60).allowed
    assert not ratelimit.hit(odd, 1, 60).allowed
    assert ratelimit.hit("another", 1, 60).allowed


def test_hit_all_counts_nothing_when_one_rule_refuses(clock):
    ratelimit.hit("b", 1, 60)
    decision = ratelimit.hit_all([Rule("a", 5, 60), Rule("b", 1, 60)])
    assert not decision.allowed
    assert ratelimit.peek("a", 5, 60).count == 0
    clock.advance(61)
    assert ratelimit.hit_all([Rule("a", 5, 60), Rule("b", 1, 60)]).allowed
    assert ratelimit.peek("a", 5, 60).count == 1


def test_the_longest_wait_is_reported(clock):
    ratelimit.hit("short", 1, 10)
    ratelimit.hit("long", 1, 3600)
    decision = ratelimit.peek_all([Rule("short", 1, 10), Rule("long", 1, 3600)])
    assert decision.retry_after == 3600


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.9"),  # not trusted: the socket's address
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # one proxy: the address it saw (the client's forgery ignored)
        (2, "6.6.6.6, 1.2.3.4, 172.16.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.9"),  # fewer entries than proxies: do not trust it
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.MOTCUA_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_ip(request) == expected
