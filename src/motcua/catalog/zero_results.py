"""Searches that matched nothing, counted per month, so agency admins see what people look for
in words the catalogue does not know yet (and add a synonym or a colloquial name).

What is stored is the normalised query (folded, no diacritics, at most 100 characters) without
anything that looks like personal data: no digit at all (phone, identity or dossier numbers, also
typed with spaces), a query holding 7 or more digits is not stored, and e-mail addresses (also
"an @ gmail.com", "an(at)gmail") are left out. The table is bounded: at most MAX_PER_MONTH
different queries a month (later new ones are not counted; known ones still are), and months
older than KEEP_MONTHS are deleted when a new month starts. A page or API request counts only as
a GET, once per client and query a day, and at most MAX_PER_CLIENT_DAY queries per client a day
(`record_request`), so one client cannot fill the month's list.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from motcua.core import ratelimit
from motcua.core.text import MAX_QUERY_CHARS

from . import normalize
from .models import ZeroResultQuery

logger = logging.getLogger(__name__)

MAX_STORED_CHARS = 100
MAX_PER_MONTH = 2000
KEEP_MONTHS = 13
MAX_PER_CLIENT_DAY = 30
MAX_DIGITS = 6  # a query with more digits than this holds a number of a person (phone, identity)
DAY = 24 * 3600
_EMAIL = re.compile(r"\S*\s*(?:@|\(at\)|\[at\])\s*\S+", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
_MAIL_WORDS = frozenset({"gmail", "yahoo", "hotmail", "outlook", "email", "mail", "com"})


def scrub(query: str | None) -> str:
    """The query as stored: normalised syllables, without e-mail addresses or any digit ("" when
    the query held a long number, even typed in groups)."""
    text = (query or "")[:MAX_QUERY_CHARS]
    if len(_DIGITS.findall(text)) > MAX_DIGITS:
        return ""
    text = _DIGITS.sub(" ", _EMAIL.sub(" ", text))
    out = " ".join(w for w in normalize.syllables(text) if w not in _MAIL_WORDS)
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


def record_request(request, query: str | None) -> None:
    """Count a page's or the API's search that matched nothing: GET only (not HEAD), once per
    client and query a day, and at most MAX_PER_CLIENT_DAY queries per client a day."""
    if request.method != "GET":
        return
    text = scrub(query)
    if not text:
        return
    client = ratelimit.client_ip(request)
    if not ratelimit.hit(f"zero-result:{client}:{text}", 1, DAY).allowed:
        return
    if not ratelimit.hit(f"zero-result:{client}", MAX_PER_CLIENT_DAY, DAY).allowed:
        return
    record(query)


def top(month: dt.date, limit: int = 50) -> list[ZeroResultQuery]:
    return list(ZeroResultQuery.objects.filter(month=month).order_by("-count", "query")[:limit])


def months() -> list[dt.date]:
    return list(ZeroResultQuery.objects.order_by("-month").values_list("month", flat=True).distinct()[:KEEP_MONTHS])
