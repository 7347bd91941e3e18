"""The one place where accounts send a message (a verification or reset code).

Messages go through the notification app (`motcua.notify`), which registers its `send_code` here
at start-up (accounts sits below it and does not import it) and queues an e-mail or SMS in the
database job queue, in the transaction of the change that asked for it. With
MOTCUA_ACCOUNTS_USE_NOTIFY off, e-mails go by Django's `send_mail` after the transaction commits,
and SMS can only be logged: the page then tells the person the code could not be sent
(`Delivery.sent` is False), never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger("motcua.accounts")

# Our purposes (and channel) -> notify's purposes (CODE_PURPOSES in motcua.notify.services).
NOTIFY_PURPOSES = {
    ("signup", "email"): "verify_email", ("signup", "sms"): "verify_phone",
    ("contact", "email"): "verify_email", ("contact", "sms"): "verify_phone",
    ("reset", "email"): "password_reset", ("reset", "sms"): "password_reset",
}


@dataclass(frozen=True)
class Delivery:
    sent: bool  # handed to a channel (queued or sent); False: nothing could carry it
    via: str  # "notify", "mail", "log"


# notify's `send_code(user_or_address, purpose, code, *, channel, valid_minutes, link)`.
_code_sender: Callable | None = None


def register_code_sender(func: Callable) -> None:
    """Set the channel that queues codes (motcua.notify registers its `send_code` in ready())."""
    global _code_sender
    _code_sender = func


def _notify_send_code() -> Callable | None:
    if not settings.MOTCUA_ACCOUNTS_USE_NOTIFY:
        return None
    if _code_sender is None:
        raise RuntimeError("no code sender registered: motcua.notify must be installed")
    return _code_sender


def send_code(destination: str, channel: str, purpose: str, code: str, *, link: str = "", user=None) -> Delivery:
    """Send `code` (6 digits) for `purpose` ("signup", "contact", "reset") to a phone or e-mail address.

    `channel` is "sms" or "email"; `link` opens the page with the code filled in.
    """
    notify = _notify_send_code()
    if notify is not None:
        try:
            # A savepoint: a refused message must not spoil the caller's transaction.
            with transaction.atomic():
                queued = notify(destination, NOTIFY_PURPOSES.get((purpose, channel), purpose), code,
                                channel=channel, valid_minutes=_minutes(), link=link)
        except Exception:  # a broken channel must not break sign-up: say "not sent", let them resend
            log.exception("notify.send_code failed for a %s code (%s)", purpose, channel)
            return Delivery(False, "notify")
        return Delivery(queued is None or bool(queued), "notify")

    if channel == "email":
        context = {"code": code, "link": link, "purpose": purpose, "minutes": _minutes(),
                   "site_name": settings.MOTCUA_SITE_NAME}
        with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string("accounts/email/code_subject.txt", context).split())
            body = render_to_string("accounts/email/code_body.txt", context)

        def deliver() -> None:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [destination])
            except Exception:
                log.exception("sending a %s code by e-mail failed", purpose)

        transaction.on_commit(deliver)
        return Delivery(True, "mail")

    # No SMS channel without the notification app; the code shows in the log only in DEBUG.
    if settings.DEBUG:
        log.warning("SMS not sent (no notification app): %s code for %s is %s", purpose, destination, code)
    else:
        log.warning("SMS not sent (no notification app): %s code", purpose)
    return Delivery(False, "log")


def _minutes() -> int:
    return int(settings.MOTCUA_CODE_TTL_SECONDS) // 60
