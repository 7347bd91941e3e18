"""Telling the sender of a PAKN that it was answered, through `motcua.notify`."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from motcua.notify import services as notify

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
    through `motcua.notify`. Never raises: a failed message must not lose the answer."""
    context = _context(feedback)
    try:
        for channel, address in (("email", feedback.email), ("sms", feedback.phone)):
            if address:
                notify.send(channel, address, TEMPLATE, context, dossier=feedback.dossier, user=feedback.user)
                return True
    except Exception:  # a bad address (ValueError), a broken template: log, keep the answer
        logger.exception("could not tell the sender of %s", feedback.reference)
    return False
