"""Webhooks on dossier events: written with the event, signed, sent by a job, retried.

`on_event(event)` runs inside the dossier action's transaction (via `event_recorded`): for each
active subscription that wants the event's kind and whose agency may see the dossier (the rule of
queries.can_see: received by, handled by or passed through the agency), a WebhookDelivery row and
a job. A rolled-back action leaves none.

The request (docs/integration.md):
    POST <target_url>   Content-Type: application/json
    X-Motcua-Event: <kind>
    X-Motcua-Delivery: <uuid>          (the same on every retry: dedupe on it)
    X-Motcua-Timestamp: <unix seconds> (of this attempt)
    X-Motcua-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>

A 2xx answer is success; anything else (or no answer within MOTCUA_WEBHOOK_TIMEOUT) is retried
with an exponential back-off (jobs.runner.backoff), up to MOTCUA_WEBHOOK_MAX_ATTEMPTS, then the
delivery is `failed` until an admin presses "Gửi lại". Redirects are not followed.

Targets: https only unless MOTCUA_WEBHOOK_ALLOW_HTTP; never a loopback, private, link-local or
reserved address (checked on save and, after DNS resolution, before each request) unless
MOTCUA_WEBHOOK_ALLOW_PRIVATE: a subscription must not make the server call its own network.

Most sites have no subscription at all, so with a shared cache (Redis) every event first asks it
whether any active subscription (of an active account) may exist (`FLAG_KEY`, see "is anyone
listening?" below) and skips the query when the answer is a cached "no".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.parse
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from motcua.core import http
from motcua.core.dates import iso as _iso
from motcua.dossiers.models import Event, EventKind, Status
from motcua.jobs.runner import RetryLater, backoff, enqueue

from .models import DeliveryState, WebhookDelivery, WebhookSubscription

log = logging.getLogger("motcua.integrations")

SEND_JOB = "integrations.webhook"
USER_AGENT = "motcua-webhook/1"


class TargetRefused(ValueError):
    pass


def _allow_http() -> bool:
    return bool(settings.MOTCUA_WEBHOOK_ALLOW_HTTP)


def _allow_private() -> bool:
    return bool(settings.MOTCUA_WEBHOOK_ALLOW_PRIVATE)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_target(url: str, *, resolve: bool = True) -> None:
    """Raise TargetRefused when `url` may not receive webhooks (scheme, host, address)."""
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused("Địa chỉ nhận phải là một URL https đầy đủ.")
    if parts.scheme == "http" and not _allow_http():
        raise TargetRefused("Địa chỉ nhận phải dùng https.")
    if parts.username or parts.password:
        raise TargetRefused("Địa chỉ nhận không được chứa tên đăng nhập, mật khẩu.")
    if _allow_private():
        return
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        raise TargetRefused("Không được gửi tới máy chủ nội bộ (localhost).")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if not _public(host):
            raise TargetRefused("Không được gửi tới địa chỉ IP nội bộ.")
        return
    if resolve:
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise TargetRefused(f"Không phân giải được tên miền {host}: {exc}") from None
        if not infos or any(not _public(info[4][0]) for info in infos):
            raise TargetRefused(f"Tên miền {host} trỏ tới địa chỉ nội bộ.")


# --- writing --------------------------------------------------------------------------------------


def build_payload(event: Event, delivery_uid: str) -> dict[str, Any]:
    """What happened to which dossier, and when; no applicant data."""
    dossier = event.dossier
    return {
        "delivery": delivery_uid,
        "event": {
            "kind": event.kind,
            "label": str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind,
            "version": event.version,
            "at": _iso(event.at),
            "from_status": event.from_status,
            "to_status": event.to_status,
        },
        "dossier": {
            "code": dossier.code,
            "status_code": dossier.status,
            "status": str(Status(dossier.status).label),
            "procedure": dossier.procedure_version.procedure.code,
            "channel": dossier.channel,
            "agency": dossier.agency.unit_code,
            "handling_agency": dossier.handling_agency.unit_code,
            "submitted_at": _iso(dossier.submitted_at),
            "received_at": _iso(dossier.received_at),
            "due_at": _iso(dossier.due_at),
            "finished_at": _iso(dossier.finished_at),
            "returned_at": _iso(dossier.returned_at),
            "closed_at": _iso(dossier.closed_at),
        },
    }


def _visible_agencies(event: Event, agency_ids: set[int]) -> set[int]:
    """Which of `agency_ids` may see the event's dossier (queries.can_see, for agencies)."""
    dossier = event.dossier
    near = {dossier.agency_id, dossier.handling_agency_id, event.to_agency_id, event.from_agency_id}
    seen = agency_ids & near
    rest = agency_ids - seen
    if rest:
        seen |= set(
            Event.objects.filter(dossier_id=dossier.pk, to_agency_id__in=rest).values_list("to_agency_id", flat=True)
        )
    return seen


def max_attempts() -> int:
    return max(int(settings.MOTCUA_WEBHOOK_MAX_ATTEMPTS), 1)


# --- is anyone listening? -------------------------------------------------------------------------
#
# FLAG_KEY holds False ("no active subscription of an active account": events skip the query) or
# True ("there may be one": events run the query). No value: the next event runs the query and,
# once its transaction commits, stores what it found with `cache.add`.
#
# Writers that may add to that set (a subscription saved active, an account saved active: the
# post_save receivers below catch the API, the admin, the models and the command alike) set True,
# with `cache.set`, once their transaction commits. Nothing is stored for a rolled-back change,
# and nothing is stored before the row is visible to other connections. Writers never delete the
# key: an event that read the database just before the commit could then store its stale False
# after it. With `add` for readers and `set` for writers, that stale False is either refused (the
# writer's True is there) or overwritten (it came first). Deletes and deactivations only shrink
# the set: the flag stays True until it expires and the next event finds the real answer.
#
# Only with a shared cache (MOTCUA_REDIS_URL): the local-memory cache is per process, and `serve`
# runs several web processes and the job worker; a subscription made through one of them would
# reach the others only when their "no" expired, and the events in between would be lost (no
# delivery row at all). Without Redis every event asks the database, as before the flag.
#
# The timeout (FLAG_SECONDS) is the safety net for what the write-time `set` cannot reach:
# - a key evicted or cleared between a writer's `set` and a reader's `add`, a cache outage while
#   the writer stored its True, or a writer that bypasses post_save (`QuerySet.update`,
#   `bulk_create`: call `subscriptions_changed()` after it).
# So a "no" is never believed for more than FLAG_SECONDS; the price is one query per process per
# FLAG_SECONDS while nobody is listening.

FLAG_KEY = "integrations:webhooks:listening"
FLAG_SECONDS = 60


def _shared_cache() -> bool:
    return bool(settings.MOTCUA_REDIS_URL)


def _listening() -> bool | None:
    """The cached answer (True/False), or None when the database must be asked."""
    if not _shared_cache():
        return None
    try:
        value = cache.get(FLAG_KEY)
    except Exception:  # a cache outage costs the query, never a delivery
        log.warning("webhook flag: cache unavailable", exc_info=True)
        return None
    return value if isinstance(value, bool) else None


def _remember(found: bool) -> None:
    """Store what this event's transaction found, once it commits (and only if no writer was faster)."""

    def store() -> None:
        cache.add(FLAG_KEY, found, FLAG_SECONDS)

    if _shared_cache():
        transaction.on_commit(store, robust=True)


def subscriptions_changed() -> None:
    """A write may have added an active subscription: events run the query (from the commit on)."""

    def store() -> None:
        cache.set(FLAG_KEY, True, FLAG_SECONDS)

    if _shared_cache():
        transaction.on_commit(store, robust=True)


def subscription_saved(sender, instance: WebhookSubscription, **kwargs) -> None:
    if instance.active:
        subscriptions_changed()


def account_saved(sender, instance, created: bool = False, **kwargs) -> None:
    if instance.active and not created:  # a new account has no subscription yet
        subscriptions_changed()


def on_event(event: Event) -> list[WebhookDelivery]:
    known = _listening()
    if known is False:
        return []
    active = list(WebhookSubscription.objects.filter(active=True, account__active=True).select_related("account"))
    if known is None:
        _remember(bool(active))
    subscriptions = [s for s in active if s.wants(event.kind)]
    if not subscriptions:
        return []
    visible = _visible_agencies(event, {s.account.agency_id for s in subscriptions})
    made = []
    for subscription in subscriptions:
        if subscription.account.agency_id not in visible:
            continue
        delivery = WebhookDelivery(subscription=subscription, event=event, next_attempt_at=timezone.now())
        delivery.payload = build_payload(event, str(delivery.uid))
        delivery.save(force_insert=True)
        _queue(delivery)
        made.append(delivery)
    return made


def _queue(delivery: WebhookDelivery) -> None:
    enqueue(SEND_JOB, {"delivery": delivery.pk}, max_attempts=1000)  # the delivery decides when to give up


# --- sending --------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300,
           now: float | None = None) -> bool:
    """The receiver's check (also used in the docs): right signature, timestamp within 5 minutes."""
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> int:
    """POST once; returns the HTTP status (raises http.Unreachable for no answer)."""
    check_target(subscription.target_url)
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Motcua-Event": delivery.payload.get("event", {}).get("kind", ""),
        "X-Motcua-Delivery": str(delivery.uid),
        "X-Motcua-Timestamp": timestamp,
        "X-Motcua-Signature": sign(subscription.secret, timestamp, body),
    }
    return http.post(subscription.target_url, body, headers=headers, timeout=settings.MOTCUA_WEBHOOK_TIMEOUT,
                     max_bytes=4096).status


def send(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return delivery.state if delivery else "missing"
    now = now or timezone.now()
    subscription = delivery.subscription
    attempts = delivery.attempts + 1
    status = None
    if not subscription.active:
        error = "Đăng ký webhook đã tắt."
        attempts = max_attempts()
    else:
        try:
            status = _post(subscription, delivery)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except TargetRefused as exc:
            error, attempts = str(exc), max_attempts()  # a refused target does not get better by waiting
        except (http.Unreachable, ValueError) as exc:
            error = f"Không kết nối được: {exc}"
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SENT, attempts=attempts, last_status=status, last_error="", sent_at=timezone.now(),
            next_attempt_at=None,
        )
        return DeliveryState.SENT
    if attempts >= max_attempts():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED, attempts=attempts, last_status=status, last_error=error[:2000],
            next_attempt_at=None,
        )
        log.warning("webhook %s failed for good after %s attempts: %s", delivery.uid, attempts, error)
        return DeliveryState.FAILED
    delay = backoff(attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, last_status=status, last_error=error[:2000], next_attempt_at=now + delay
    )
    raise RetryLater(delay, error)


def retry(delivery_ids: list[int]) -> int:
    """Admins' "Gửi lại": failed deliveries go back to the queue (same delivery id: receivers dedupe)."""
    count = 0
    with transaction.atomic():
        for delivery in WebhookDelivery.objects.select_for_update().filter(
            pk__in=delivery_ids, state=DeliveryState.FAILED
        ):
            delivery.state, delivery.attempts, delivery.next_attempt_at = DeliveryState.PENDING, 0, timezone.now()
            delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
            _queue(delivery)
            count += 1
    return count
