"""The sync outbox: write a message with each reported change, send it, retry it.

`on_event(event)` runs inside the dossier action's transaction (via `event_recorded`): the message
and its job exist exactly when the change does. The counter never waits for the portal: nothing
here touches the network in that transaction.

Which events become messages:
- a change of status (including the creating event) and an extension (a new NgayHenTra): the
  dossier record (DongBoHoSoMC), as it stands after the event;
- a handover between steps without a status change: a progress record (CapNhatTienDoHoSoMC).
Other events (a file added, a claim) change nothing the portal shows.

Off while MOTCUA_SYNC_URL is empty: no message is written (messages written before it was emptied
are held, without using up attempts, until it is set again). A province switches sync on when its
connection to the portal is agreed; holding messages for an unconfigured portal would only pile up
rows and, once switched on, flood the portal with stale history.

Sending (`send(message_id)`, the `sync.send` job): one message at a time; per dossier, a message
waits while an older one of the same dossier is unsent (order kept), and sending a message wakes
the next one of its dossier. A failure records the error
and retries after an exponential back-off (jobs.runner.backoff: 30 s doubling, capped at 6 h);
after MOTCUA_SYNC_MAX_ATTEMPTS it is `failed` and waits for an admin's "Gửi lại" (`retry`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import Event, EventKind
from motcua.jobs.runner import RetryLater, backoff, enqueue

from . import client, payload
from .models import SyncMessage

log = logging.getLogger("motcua.sync")

SEND_JOB = "sync.send"
PROGRESS_KINDS = frozenset({EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.APPROVED})
# While an older message of the same dossier is being retried, look again when it is due; while
# it has failed for good, once an hour (sending the older one wakes the next one at once).
WAIT_FOR_FAILED = dt.timedelta(hours=1)
MIN_WAIT = dt.timedelta(seconds=5)


def enabled() -> bool:
    return bool(settings.MOTCUA_SYNC_URL)


def max_attempts() -> int:
    return max(int(settings.MOTCUA_SYNC_MAX_ATTEMPTS), 1)


def service_for(event: Event) -> str | None:
    """Which portal service reports this event, or None (decided from the event alone)."""
    if event.from_status != event.to_status and event.to_status is not None:
        return SyncMessage.Service.DOSSIER
    if event.kind == EventKind.EXTENDED:
        return SyncMessage.Service.DOSSIER
    if event.kind in PROGRESS_KINDS:
        return SyncMessage.Service.PROGRESS
    return None


def build_payload(event: Event, service: str) -> dict:
    dossier = event.dossier
    if service == SyncMessage.Service.PROGRESS:
        return payload.progress_envelope(dossier, event)
    owner = dossier.owner if dossier.owner_id else None
    paid_online = Event.objects.filter(dossier_id=dossier.pk, kind=EventKind.PAYMENT_RECEIVED).exists()
    return payload.envelope(
        dossier, event, paid_online=paid_online,
        identity_verified=bool(owner is not None and owner.identity_verified_at),
    )


def on_event(event: Event) -> SyncMessage | None:
    """Write the message for `event` (if it reports anything) and queue its sending."""
    if not enabled():
        return None
    service = service_for(event)
    if service is None:
        return None
    message = SyncMessage.objects.create(
        dossier_id=event.dossier_id, event=event, version=event.version, service=service,
        idempotency_key=payload.idempotency_key(event.dossier, event), payload=build_payload(event, service),
        next_attempt_at=timezone.now(),
    )
    _queue(message)
    return message


def _queue(message: SyncMessage, run_after: dt.datetime | None = None) -> None:
    # The message counts its own attempts and gives up itself; the job never fails on its own.
    enqueue(SEND_JOB, {"message": message.pk}, run_after=run_after, max_attempts=1000)


def _older_unsent(message: SyncMessage) -> SyncMessage | None:
    return (
        SyncMessage.objects.filter(dossier_id=message.dossier_id, version__lt=message.version)
        .exclude(state=SyncMessage.State.SENT).order_by("version").first()
    )


def send(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one message (idempotent: a sent message is not sent again); returns its state."""
    message = SyncMessage.objects.filter(pk=message_id).first()
    if message is None or message.state != SyncMessage.State.PENDING:
        return message.state if message else "missing"
    now = now or timezone.now()
    if not enabled():  # switched off after the message was written: hold it, do not use up attempts
        SyncMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=now + WAIT_FOR_FAILED, last_error="Đồng bộ đang tắt (MOTCUA_SYNC_URL trống); tin được giữ."
        )
        raise RetryLater(WAIT_FOR_FAILED, "sync is off")
    older = _older_unsent(message)
    if older is not None:
        wait = WAIT_FOR_FAILED
        if older.state == SyncMessage.State.PENDING:
            due = older.next_attempt_at or now
            wait = max(min(due - now, dt.timedelta(hours=6)), MIN_WAIT)
        SyncMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=now + wait, last_error=f"Chờ gửi tin trước của hồ sơ ({older.idempotency_key})."
        )
        raise RetryLater(wait, f"waiting for {older.idempotency_key}")
    attempts = message.attempts + 1
    try:
        answer = client.post(message.payload, message.idempotency_key)
    except client.SendError as exc:
        error = str(exc)[:2000]
        if attempts >= max_attempts():
            SyncMessage.objects.filter(pk=message.pk).update(
                state=SyncMessage.State.FAILED, attempts=attempts, last_error=error, next_attempt_at=None
            )
            log.warning("sync %s failed for good after %s attempts: %s", message.idempotency_key, attempts, error)
            return SyncMessage.State.FAILED
        delay = backoff(attempts)
        SyncMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, last_error=error, next_attempt_at=now + delay
        )
        raise RetryLater(delay, error) from None
    SyncMessage.objects.filter(pk=message.pk).update(
        state=SyncMessage.State.SENT, attempts=attempts, sent_at=timezone.now(), response=answer.body[:4000],
        next_attempt_at=None, last_error="",
    )
    _wake_next(message)
    return SyncMessage.State.SENT


def _wake_next(message: SyncMessage) -> None:
    """The dossier's next message may have been waiting for this one: make its job due now."""
    from motcua.jobs.models import Job

    following = (
        SyncMessage.objects.filter(dossier_id=message.dossier_id, version__gt=message.version,
                                   state=SyncMessage.State.PENDING)
        .order_by("version").values_list("pk", flat=True).first()
    )
    if following is not None:
        Job.objects.filter(kind=SEND_JOB, state=Job.State.PENDING, payload__message=following).update(
            run_after=timezone.now()
        )


def retry(message_ids: list[int]) -> int:
    """Admins' "Gửi lại": failed messages go back to the queue with a fresh count of attempts."""
    count = 0
    with transaction.atomic():
        for message in SyncMessage.objects.select_for_update().filter(
            pk__in=message_ids, state=SyncMessage.State.FAILED
        ):
            message.state, message.attempts, message.next_attempt_at = SyncMessage.State.PENDING, 0, timezone.now()
            message.save(update_fields=["state", "attempts", "next_attempt_at"])
            _queue(message)
            count += 1
    return count
