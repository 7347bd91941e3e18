"""Searches that matched nothing, counted per month, so agency admins see what people look for
in words the catalogue does not know yet (and add a synonym or a colloquial name).

What is stored is the normalised query (folded, no diacritics, at most 100 characters) without
anything that looks like personal data: e-mail addresses and words holding 3 or more digits
(phone, identity or dossier numbers) are left out before it is stored. The table is bounded: at
most MAX_PER_MONTH different queries a month (later new ones are not counted; known ones still
are), and months older than KEEP_MONTHS are deleted when a new month starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from motcua.core.text import MAX_QUERY_CHARS

from . import normalize
from .models import ZeroResultQuery

logger = logging.getLogger(__name__)

MAX_STORED_CHARS = 100
MAX_PER_MONTH = 2000
KEEP_MONTHS = 13
_EMAIL = re.compile(r"\S+@\S+")
_DIGITS = re.compile(r"\d")


def scrub(query: str | None) -> str:
    """The query as stored: normalised syllables, without e-mail addresses or long numbers."""
    text = _EMAIL.sub(" ", (query or "")[:MAX_QUERY_CHARS])
    # Whole typed words (a code "000.21.01.H12-261127-0007" is one), before folding splits them.
    text = " ".join(w for w in text.split() if len(_DIGITS.findall(w)) < 3)
    out = " ".join(normalize.syllables(text))
    if len(out) > MAX_STORED_CHARS:
        out = out[:MAX_STORED_CHARS].rsplit(" ", 1)[0]
    return out


def month_of(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date().replace(day=1)


def record(query: str | None, *, at: dt.datetime | None = None) -> None:
    """Count one search that matched nothing. Never fails the search that calls it."""
    text = scrub(query)
    if not text:
        return
    at = at or timezone.now()
    month = month_of(at)
    try:
        with transaction.atomic():
            if ZeroResultQuery.objects.filter(month=month, query=text).update(count=F("count") + 1, last_seen=at):
                return
            rows = ZeroResultQuery.objects.filter(month=month)
            if not rows.exists():
                oldest = (month - dt.timedelta(days=31 * (KEEP_MONTHS - 1))).replace(day=1)
                ZeroResultQuery.objects.filter(month__lt=oldest).delete()
            elif rows.count() >= MAX_PER_MONTH:
                return
            try:
                with transaction.atomic():
                    ZeroResultQuery.objects.create(month=month, query=text, count=1, last_seen=at)
            except IntegrityError:  # the same query counted meanwhile
                ZeroResultQuery.objects.filter(month=month, query=text).update(count=F("count") + 1, last_seen=at)
    except DatabaseError:
        logger.exception("could not count a search without result")


def top(month: dt.date, limit: int = 50) -> list[ZeroResultQuery]:
    return list(ZeroResultQuery.objects.filter(month=month).order_by("-count", "query")[:limit])


def months() -> list[dt.date]:
    return list(ZeroResultQuery.objects.order_by("-month").values_list("month", flat=True).distinct()[:KEEP_MONTHS])
