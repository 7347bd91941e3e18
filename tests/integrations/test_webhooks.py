"""Webhooks: written with the event for subscriptions that may see the dossier, signed with HMAC,
retried with back-off, given up and re-sent by an admin; targets checked against SSRF."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import actions
from motcua.integrations import webhooks
from motcua.integrations.models import WebhookDelivery, WebhookSubscription
from motcua.jobs.models import Job
from tests.dossiers.conftest import BIRTH, T0, at, counter_dossier, fresh


def subscribe(account, url, kinds=()):
    return WebhookSubscription.objects.create(account=account, target_url=url, event_kinds=list(kinds))


def check_signature(secret: str, request) -> dict:
    """What a receiver does (the snippet of docs/integration.md)."""
    timestamp = request.headers["X-Motcua-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + request.body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, request.headers["X-Motcua-Signature"])
    assert abs(time.time() - int(timestamp)) < 300
    return json.loads(request.body)


def test_a_delivery_is_written_with_the_event_for_the_agencies_that_see_it(people, accounts, receiver):
    mine = subscribe(accounts.kiosk, receiver.url)
    only_done = subscribe(accounts.reader, receiver.url, ["completed"])
    theirs = subscribe(accounts.other, receiver.url)
    dossier = counter_dossier(people, BIRTH, T0)
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.subscription == mine and delivery.event.kind == "received"
    assert Job.objects.filter(kind=webhooks.SEND_JOB, payload__delivery=delivery.pk).exists()
    assert not WebhookDelivery.objects.filter(subscription__in=[only_done, theirs]).exists()
    assert receiver.received == []  # nothing is sent inside the action
    # A rolled-back action leaves no delivery.
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 40))
        raise RuntimeError("rolled back")
    assert WebhookDelivery.objects.count() == 1


def test_it_posts_signed_json_without_personal_data(people, accounts, receiver, clock):
    subscription = subscribe(accounts.kiosk, receiver.url)
    dossier = counter_dossier(people, BIRTH, T0)
    clock.drain()
    [request] = receiver.received
    body = check_signature(subscription.secret, request)
    delivery = WebhookDelivery.objects.get()
    assert request.headers["X-Motcua-Delivery"] == str(delivery.uid) == body["delivery"]
    assert request.headers["X-Motcua-Event"] == "received" and request.path == "/hook"
    assert body["event"]["kind"] == "received" and body["event"]["to_status"] == 2
    assert body["event"]["at"] == "2026-03-09T09:15:00+07:00"
    assert body["dossier"]["code"] == dossier.code and body["dossier"]["status_code"] == 2
    text = request.body.decode()
    for personal in ("Nguyễn Văn An", "096090001234", "0912345678", "an@example.invalid", dossier.tracking_key):
        assert personal not in text
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("sent", 1, 204)


def test_a_wrong_secret_or_a_changed_body_fails_the_check(people, accounts, receiver, clock):
    subscription = subscribe(accounts.kiosk, receiver.url)
    counter_dossier(people, BIRTH, T0)
    clock.drain()
    [request] = receiver.received
    timestamp, signature = request.headers["X-Motcua-Timestamp"], request.headers["X-Motcua-Signature"]
    assert webhooks.verify(subscription.secret, timestamp, request.body, signature)
    assert not webhooks.verify("another-secret", timestamp, request.body, signature)
    assert not webhooks.verify(subscription.secret, timestamp, request.body.replace(b"2", b"3"), signature)
    assert not webhooks.verify(subscription.secret, timestamp, request.body, signature, now=int(timestamp) + 600)
    assert not webhooks.verify(subscription.secret, "not-a-time", request.body, signature)


def test_failures_are_retried_with_back_off_until_the_receiver_answers(people, accounts, receiver, clock):
    subscribe(accounts.kiosk, receiver.url)
    receiver.script = [500, 503]
    counter_dossier(people, BIRTH, T0)
    delivery = WebhookDelivery.objects.get()
    clock.run()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == (
        "pending", 1, 500, "HTTP 500")
    assert dt.timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= dt.timedelta(seconds=30)
    assert clock.run(dt.timedelta(seconds=5)) == {}
    clock.run(dt.timedelta(seconds=30))
    clock.run(dt.timedelta(seconds=61))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == ("sent", 3, 204, "")
    assert len(receiver.received) == 3
    uids = {r.headers["X-Motcua-Delivery"] for r in receiver.received}
    assert uids == {str(delivery.uid)}  # the same id on every retry: receivers dedupe on it


def test_after_the_last_attempt_an_admin_resends(people, accounts, receiver, clock, admin_client):
    subscribe(accounts.kiosk, receiver.url)
    receiver.script = [500, 500, 500]
    counter_dossier(people, BIRTH, T0)
    clock.drain()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    url = reverse("admin:integrations_webhookdelivery_changelist")
    page = admin_client.get(url, {"state__exact": "failed"})
    assert page.status_code == 200 and str(delivery.uid) in page.content.decode()
    response = admin_client.post(url, {"action": "resend", "_selected_action": [delivery.pk]}, follow=True)
    assert response.status_code == 200
    clock.drain()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("sent", 1, 204)
    assert len(receiver.received) == 4


def test_a_receiver_that_is_down_never_blocks_the_counter(people, accounts, receiver, clock):
    subscribe(accounts.kiosk, receiver.url)
    receiver.shutdown()
    receiver.server_close()
    start = time.monotonic()
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 40))
    assert time.monotonic() - start < 5 and fresh(dossier).status == 4
    clock.drain()
    states = set(WebhookDelivery.objects.values_list("state", "attempts"))
    assert states == {("failed", 3)}
    assert all("Không kết nối" in e for e in WebhookDelivery.objects.values_list("last_error", flat=True))


@pytest.mark.parametrize("url", [
    "http://hooks.example.vn/x",  # http without MOTCUA_WEBHOOK_ALLOW_HTTP
    "ftp://hooks.example.vn/x",
    "https://localhost/x",
    "https://127.0.0.1/x",
    "https://10.0.0.5/x",
    "https://192.168.1.1/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://user:pw@hooks.example.vn/x",
    "not a url",
])
def test_unsafe_targets_are_refused(url):
    with pytest.raises(webhooks.TargetRefused):
        webhooks.check_target(url, resolve=False)


def test_a_public_https_target_is_accepted_and_loopback_only_when_allowed(settings):
    webhooks.check_target("https://93.184.216.34/hook", resolve=False)
    webhooks.check_target("https://hooks.example.vn/hook", resolve=False)
    settings.MOTCUA_WEBHOOK_ALLOW_HTTP = True
    settings.MOTCUA_WEBHOOK_ALLOW_PRIVATE = True
    webhooks.check_target("http://127.0.0.1:8080/hook")


def test_a_private_target_is_refused_at_sending_time_without_a_request(people, accounts, receiver, clock, settings):
    subscription = subscribe(accounts.kiosk, receiver.url)  # saved while private targets were allowed
    settings.MOTCUA_WEBHOOK_ALLOW_PRIVATE = False
    counter_dossier(people, BIRTH, T0)
    clock.run()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.state == "failed" and "nội bộ" in delivery.last_error
    assert receiver.received == []


def test_the_admin_refuses_an_unsafe_target_and_keeps_the_input(people, accounts, admin_client):
    url = reverse("admin:integrations_webhooksubscription_add")
    response = admin_client.post(url, {"account": accounts.kiosk.pk, "target_url": "https://127.0.0.1/hook",
                                       "event_kinds": ["received"], "active": "on", "secret": "s" * 64})
    assert response.status_code == 200
    page = response.content.decode()
    assert "nội bộ" in page and "https://127.0.0.1/hook" in page
    assert not WebhookSubscription.objects.exists()
