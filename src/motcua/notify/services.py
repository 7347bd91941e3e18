"""Creating, sending and re-sending messages.

    from motcua.notify.services import send, send_code, resend, failed_count

    send("email", "an@example.vn", "received", {"code": ...}, dossier=d)     # -> Message
    send_code(user, "password_reset", "482913")                              # -> [Message, ...]

Both enqueue: the message row and its `notify.send` job are written in the caller's
transaction (or a new one), and the job worker sends them (`deliver`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from motcua.jobs.runner import RetryLater, enqueue

from . import attachments, rendering
from .backends import PermanentFailure, TemporaryFailure, get_backend
from .models import Channel, Message, State
from .text import normalise_phone

log = logging.getLogger("motcua.notify")

SEND_JOB = "notify.send"
# The job may run a couple more times than the message is tried (a worker killed between
# claiming the job and the message); the message's own count decides when it has failed.
JOB_SLACK = 2
CLAIM = dt.timedelta(minutes=2)  # below the job lease (5 min), above any send timeout
REDACTED = "******"

CODE_PURPOSES: dict[str, str] = {
    "verify_email": "xác thực địa chỉ thư điện tử",
    "verify_phone": "xác thực số điện thoại",
    "password_reset": "đặt lại mật khẩu",
    "login": "đăng nhập",
}
CODE_MAX_ATTEMPTS = 3


def default_max_attempts() -> int:
    return int(settings.MOTCUA_NOTIFY_MAX_ATTEMPTS)


def clean_address(channel: str, address: str) -> str:
    """The address as stored and sent: an e-mail address, or a phone number as 0xxxxxxxxx."""
    address = (address or "").strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise ValueError(f"invalid e-mail address: {address!r}") from None
        return address
    if channel == Channel.SMS:
        return normalise_phone(address)
    raise ValueError(f"unknown channel {channel!r} (email or sms)")


def queue(messages: Iterable[Message]) -> list[Message]:
    """Save new messages and enqueue a send job for each queued one, in the current transaction."""
    from . import jobs  # noqa: F401 (registers the job handler before enqueueing)

    saved = []
    with transaction.atomic(savepoint=False):  # no savepoint inside the dossier action's transaction
        for message in messages:
            message.save(force_insert=True)
            if message.state == State.QUEUED:
                _enqueue(message)
            saved.append(message)
    return saved


def _enqueue(message: Message) -> None:
    enqueue(SEND_JOB, {"message": message.pk}, max_attempts=message.max_attempts + JOB_SLACK)


def send(
    channel: str,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    dossier=None,
    user=None,
) -> Message:
    """Queue one message from `notify/<template>.<channel>.txt` to `to` (an address or phone number).

    Raises ValueError for an unknown channel or template, an invalid address or a context
    that is not JSON (the context is stored, so the message can be rendered later)."""
    recipient = clean_address(channel, to)
    if not rendering.exists(template, channel):
        raise ValueError(f"no template {rendering.template_name(template, channel)}")
    context = dict(context or {})
    try:
        context = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    except TypeError as exc:
        raise ValueError(f"the context must be JSON-serialisable: {exc}") from exc
    message = Message(
        channel=channel, recipient=recipient, template=template, context=context, dossier=dossier, user=user,
        max_attempts=default_max_attempts(),
    )
    return queue([message])[0]


def send_code(
    user_or_address,
    purpose: str,
    code: str,
    *,
    channel: str | None = None,
    valid_minutes: int = 10,
    link: str = "",
) -> list[Message]:
    """Queue a one-time code (account verification, password reset, sign-in).

    `user_or_address`: a User (sent to each of their e-mail and phone, or only `channel`'s),
    an e-mail address, or a phone number. `purpose`: one of CODE_PURPOSES. The message is
    secret: never shown in the admin, its code removed from the stored text once sent, not
    sent after `valid_minutes`, tried at most 3 times and never re-sent by hand (ask for a
    new code instead). `link` (optional) opens the page with the code filled in; it is put in
    the e-mail only (an SMS has no room for it). Returns the messages queued (empty when
    there is nowhere to send)."""
    if purpose not in CODE_PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r} ({', '.join(CODE_PURPOSES)})")
    code = str(code).strip()
    if not code or len(code) > 20 or not code.isalnum():
        raise ValueError("a code is 1 to 20 letters or digits")
    if channel is not None and channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    user = None
    if isinstance(user_or_address, str):
        guessed = Channel.EMAIL if "@" in user_or_address else Channel.SMS
        if channel is not None and channel != guessed:
            raise ValueError(f"{user_or_address!r} is not an address for {channel}")
        targets = [(guessed, clean_address(guessed, user_or_address))]
    else:
        user = user_or_address
        targets = []
        for kind, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
            if address and channel in (None, kind):
                try:
                    targets.append((kind, clean_address(kind, address)))
                except ValueError:
                    log.warning("user %s has an invalid %s address", user.pk, kind)
    now = timezone.now()
    context = {
        "code": code, "purpose": purpose, "purpose_text": CODE_PURPOSES[purpose], "valid_minutes": valid_minutes,
        "name": (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else "",
        "link": str(link or "")[:500],
    }
    messages = [
        Message(
            channel=kind, recipient=address, template="code", context=context, user=user, sensitive=True,
            expires_at=now + dt.timedelta(minutes=valid_minutes), max_attempts=CODE_MAX_ATTEMPTS,
        )
        for kind, address in targets
    ]
    return queue(messages)


# --- sending (the job) --------------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def _redacted(message: Message) -> dict[str, Any]:
    """A secret message as kept once it is done: no code, no link carrying the code."""
    context = message.context or {}
    body = message.body
    if context.get("link"):
        body = body.replace(str(context["link"]), REDACTED)
    if context.get("code"):
        body = body.replace(str(context["code"]), REDACTED)
    return {"body": body, "context": {**context, "code": REDACTED, "link": ""}}


def _finish(message: Message, state: str, **fields: Any) -> None:
    if message.sensitive:
        fields.update(_redacted(message))
    Message.objects.filter(pk=message.pk).update(state=state, claimed_until=None, **fields)


def deliver(message_id: int) -> str:
    """Send one queued message (the `notify.send` job); returns its state afterwards.

    Idempotent: a message that is sent (or failed) is left alone, and one being sent by
    another worker is claimed by nobody else. A temporary failure raises, so that the job
    runner tries again with back-off; after `max_attempts` tries, or at once for a permanent
    failure (bad template, address rejected), the message is `failed` with its error."""
    now = timezone.now()
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    if message.state != State.QUEUED:
        return message.state
    if message.expires_at is not None and message.expires_at <= now:
        _finish(message, State.FAILED, last_error="Đã hết hạn trước khi gửi được; không gửi nữa.")
        return State.FAILED
    taken = (
        Message.objects.filter(pk=message_id, state=State.QUEUED)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )
    message.refresh_from_db()
    if not taken:
        if message.state != State.QUEUED:
            return message.state
        wait = max(message.claimed_until - now, dt.timedelta(seconds=1))
        raise RetryLater(wait, "Thông báo đang được một tiến trình khác gửi.")
    try:
        if not message.body:
            message.subject, message.body = rendering.render(message.template, message.channel, message.context)
            Message.objects.filter(pk=message.pk).update(subject=message.subject, body=message.body)
        files = attachments.for_message(message)  # made now from stored data, never stored with the message
        provider_id = get_backend(message.channel).send(
            message.recipient, message.body, subject=message.subject, reference=f"motcua-{message.pk}",
            **({"attachments": files} if files else {}),
        )
    except Exception as exc:
        error = _describe(exc)
        permanent = isinstance(exc, PermanentFailure | TemplateDoesNotExist | TemplateSyntaxError)
        if permanent or message.attempts >= message.max_attempts:
            log.warning("message %s failed for good after %s attempt(s): %s", message.pk, message.attempts, error)
            _finish(message, State.FAILED, last_error=error)
            return State.FAILED
        Message.objects.filter(pk=message.pk).update(claimed_until=None, last_error=error)
        raise TemporaryFailure(error) from exc
    _finish(message, State.SENT, provider_id=(provider_id or "")[:255], sent_at=timezone.now())
    return State.SENT


# --- admins and the back office ------------------------------------------------------------------


def resend(messages: Iterable[Message | int] | QuerySet) -> int:
    """Queue the given messages again ("gửi lại"); returns how many were queued.

    Sent and failed messages are sent once more (their text kept; re-rendered if it never
    was); a message being sent right now and secret messages (codes) are skipped."""
    ids = [m.pk if isinstance(m, Message) else int(m) for m in messages]
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for message in Message.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if message.sensitive:
                continue
            if message.claimed_until is not None and message.claimed_until > now:
                continue
            if not message.context and message.event_id is not None:
                from .events import context_for

                try:
                    message.context = context_for(message.template, message.event)
                except Exception:  # still broken: leave it failed, and say so in the log
                    log.exception("notify: cannot rebuild message %s", message.pk)
                    continue
            message.state = State.QUEUED
            message.attempts = 0
            message.claimed_until = None
            message.sent_at = None
            message.provider_id = ""
            message.resends += 1
            message.save(update_fields=[
                "context", "state", "attempts", "claimed_until", "sent_at", "provider_id", "resends",
            ])
            _enqueue(message)
            count += 1
    return count


def _agency_filter(agencies) -> Q:
    if agencies is None:
        return Q()
    if not isinstance(agencies, Iterable) or isinstance(agencies, str):
        agencies = [agencies]
    ids = [getattr(a, "pk", a) for a in agencies]
    return Q(dossier__agency_id__in=ids) | Q(dossier__handling_agency_id__in=ids)


def failed_messages(agencies=None) -> QuerySet:
    """Messages that could not be sent, newest first; with `agencies` (one, or several, as
    objects or ids), only those about dossiers those agencies receive or handle."""
    return Message.objects.filter(_agency_filter(agencies), state=State.FAILED).order_by("-created_at", "-id")


def failed_count(agencies=None) -> int:
    """How many messages could not be sent (the back office's warning badge)."""
    return failed_messages(agencies).count()
