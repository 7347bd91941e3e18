"""The one place this app talks to an app built in parallel (notify), degrading when it is absent."""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
TEMPLATE = "feedback_answered"  # templates/notify/feedback_answered.{email,sms}.txt


def _context(feedback) -> dict:
    return {
        "reference": feedback.reference, "name": feedback.name, "title": feedback.title, "answer": feedback.answer,
        "agency": feedback.agency.name if feedback.agency_id else "", "published": feedback.published_at is not None,
        "link": settings.MOTCUA_PUBLIC_URL + reverse("feedback:index"),
    }


def tell_sender_answered(feedback) -> bool:
    """Tell the sender their PAKN was answered: by e-mail if they gave one, else by SMS, queued
    through `motcua.notify` (`send(channel, to, template, context)`) when it is installed; without
    it, by e-mail directly. Never raises: a failed message must not lose the answer."""
    context = _context(feedback)
    try:
        if apps.is_installed("motcua.notify"):
            from motcua.notify import services as notify

            for channel, address in (("email", feedback.email), ("sms", feedback.phone)):
                if address:
                    notify.send(channel, address, TEMPLATE, context, dossier=feedback.dossier, user=feedback.user)
                    return True
            return False
        if feedback.email:
            subject = _("Trả lời phản ánh, kiến nghị %(ref)s") % {"ref": feedback.reference}
            body = _("Phản ánh, kiến nghị «%(title)s» đã được trả lời:\n\n%(answer)s\n\n%(link)s\n") % context
            send_mail(subject, body, None, [feedback.email])
            return True
    except Exception:  # ImportError, a bad address (ValueError), a mail server down: log, keep the answer
        logger.exception("could not tell the sender of %s", feedback.reference)
    return False
