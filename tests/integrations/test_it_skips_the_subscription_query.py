"""Events skip the webhook-subscription query while the cache says nobody listens (webhooks.FLAG_KEY),
and never miss a subscription made, re-activated or un-rolled-back meanwhile.

Real commits (transaction=True): the flag is only ever stored by transaction.on_commit callbacks.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.dossiers import actions
from motcua.integrations import tokens, webhooks
from motcua.integrations.models import WebhookDelivery, WebhookSubscription
from tests import workers
from tests.dossiers.conftest import BIRTH, T0, at, counter_dossier, fresh

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_URL = workers.redis_url()


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """The flag is only used with a cache every process shares: the real Redis, a fresh prefix."""
    import uuid

    import redis

    prefix = f"motcua-test-{uuid.uuid4().hex[:12]}"
    settings.MOTCUA_REDIS_URL = REDIS_URL
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix,
    }}
    yield
    client = redis.Redis.from_url(REDIS_URL)
    keys = [*client.scan_iter(f"{prefix}*"), *client.scan_iter(f":*:{prefix}*")]
    if keys:
        client.delete(*keys)

SUBSCRIPTION_TABLE = '"integrations_webhooksubscription"'
# A handover of a BIRTH dossier at the commune, without subscription, with the flag unknown (as every
# handover was before the flag): 15 on SQLite and on PostgreSQL.
HANDOVER_QUERIES = 15


def handover(people, dossier, minute: int = 40):
    return actions.handover(fresh(dossier), actor=people.receptionist, at=at(9, 9, minute))


def counted(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def asks_subscriptions(sqls: list[str]) -> bool:
    return any(SUBSCRIPTION_TABLE in sql for sql in sqls)


def subscribe(account, url, kinds=()):
    return WebhookSubscription.objects.create(account=account, target_url=url, event_kinds=list(kinds))


def test_it_spares_a_handover_one_query_when_nobody_listens(people, accounts):
    first, second = counter_dossier(people, BIRTH, T0), counter_dossier(people, BIRTH, T0)
    assert cache.get(webhooks.FLAG_KEY) is False  # the receptions found nobody, and said so on commit

    cache.delete(webhooks.FLAG_KEY)  # unknown (expired, or another process): the event asks the database
    before = counted(lambda: handover(people, first))
    assert len(before) == HANDOVER_QUERIES and asks_subscriptions(before)
    assert cache.get(webhooks.FLAG_KEY) is False

    after = counted(lambda: handover(people, second))
    assert len(after) == HANDOVER_QUERIES - 1 and not asks_subscriptions(after)
    assert len([sql for sql in before if SUBSCRIPTION_TABLE in sql]) == 1  # the one query spared
    assert not WebhookDelivery.objects.exists()


def test_a_subscription_created_through_the_api_gets_the_very_next_event(people, accounts, receiver, client,
                                                                          clock):
    dossier = counter_dossier(people, BIRTH, T0)
    assert cache.get(webhooks.FLAG_KEY) is False
    raw, _ = tokens.issue(accounts.kiosk, ["webhooks:manage"])
    created = client.post("/api/v1/webhooks", {"target_url": receiver.url}, content_type="application/json",
                          headers={"Authorization": f"Bearer {raw}"})
    assert created.status_code == 201, created.content
    assert cache.get(webhooks.FLAG_KEY) is True  # set on commit, in the shared cache

    handover(people, dossier)
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event.kind == "handover" and delivery.subscription_id == created.json()["id"]
    clock.drain()
    [request] = receiver.received
    assert request.headers["X-Motcua-Event"] == "handover"


def test_a_subscription_re_activated_in_the_admin_gets_the_next_event(people, accounts, receiver, admin_client):
    subscription = subscribe(accounts.kiosk, receiver.url)
    subscription.active = False
    subscription.save()
    cache.delete(webhooks.FLAG_KEY)
    dossier = counter_dossier(people, BIRTH, T0)
    assert cache.get(webhooks.FLAG_KEY) is False and not WebhookDelivery.objects.exists()

    url = reverse("admin:integrations_webhooksubscription_change", args=[subscription.pk])
    response = admin_client.post(url, {"account": accounts.kiosk.pk, "target_url": receiver.url,
                                       "active": "on", "secret": subscription.secret})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert cache.get(webhooks.FLAG_KEY) is True

    handover(people, dossier)
    assert list(WebhookDelivery.objects.values_list("event__kind", flat=True)) == ["handover"]


def test_deactivating_the_account_stops_deliveries_and_re_activating_resumes_them(people, accounts, receiver):
    subscribe(accounts.kiosk, receiver.url)
    dossier = counter_dossier(people, BIRTH, T0)
    assert WebhookDelivery.objects.count() == 1
    assert cache.get(webhooks.FLAG_KEY) is True

    kiosk = accounts.kiosk
    kiosk.active = False
    kiosk.save()
    handover(people, dossier)
    assert WebhookDelivery.objects.count() == 1  # the flag still says "maybe": the query finds nobody

    cache.delete(webhooks.FLAG_KEY)  # ... until it expires: then the next event learns "nobody"
    dossier = counter_dossier(people, BIRTH, T0)
    assert cache.get(webhooks.FLAG_KEY) is False and WebhookDelivery.objects.count() == 1

    kiosk.active = True
    kiosk.save()
    assert cache.get(webhooks.FLAG_KEY) is True
    handover(people, dossier)
    assert WebhookDelivery.objects.count() == 2


def test_a_rolled_back_subscription_leaves_the_flag_false(people, accounts, receiver):
    dossier = counter_dossier(people, BIRTH, T0)
    assert cache.get(webhooks.FLAG_KEY) is False
    with pytest.raises(RuntimeError), transaction.atomic():
        subscribe(accounts.kiosk, receiver.url)
        raise RuntimeError("rolled back")
    assert cache.get(webhooks.FLAG_KEY) is False
    assert not asks_subscriptions(counted(lambda: handover(people, dossier)))

    subscribe(accounts.kiosk, receiver.url)  # committed this time
    assert cache.get(webhooks.FLAG_KEY) is True
    dossier = counter_dossier(people, BIRTH, T0)
    assert WebhookDelivery.objects.count() == 1


def test_a_stale_no_never_overwrites_a_writer_s_yes(people, accounts, receiver):
    """An event that read the database before another process committed a subscription stores its
    "nobody" only after its own commit, with `add`: the writer's True, set meanwhile, stays."""
    dossier = counter_dossier(people, BIRTH, T0)
    cache.delete(webhooks.FLAG_KEY)
    with transaction.atomic():
        handover(people, dossier)  # finds nobody, stores False on commit ...
        cache.set(webhooks.FLAG_KEY, True, webhooks.FLAG_SECONDS)  # ... but a writer elsewhere committed first
    assert cache.get(webhooks.FLAG_KEY) is True


def test_a_rolled_back_event_stores_nothing(people, accounts):
    dossier = counter_dossier(people, BIRTH, T0)
    cache.delete(webhooks.FLAG_KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        handover(people, dossier)
        raise RuntimeError("rolled back")
    assert cache.get(webhooks.FLAG_KEY) is None


def test_a_cache_outage_costs_the_query_never_a_delivery(people, accounts, receiver, monkeypatch):
    subscribe(accounts.kiosk, receiver.url)

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(webhooks, "cache", Down())
    counter_dossier(people, BIRTH, T0)
    assert WebhookDelivery.objects.count() == 1


def test_without_a_shared_cache_every_event_asks_the_database(people, accounts, settings):
    """A per-process cache could keep a stale "no" in another process and lose deliveries."""
    settings.MOTCUA_REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first, second = counter_dossier(people, BIRTH, T0), counter_dossier(people, BIRTH, T0)
    assert cache.get(webhooks.FLAG_KEY) is None
    for dossier in (first, second):
        sqls = counted(lambda d=dossier: handover(people, d))
        assert len(sqls) == HANDOVER_QUERIES and asks_subscriptions(sqls)
    assert cache.get(webhooks.FLAG_KEY) is None
