"""ISO 8601 dates and times, written and read the same way everywhere.

Times leave the system (events, API, webhooks) as ISO 8601 in Viet Nam time (+07:00, no
daylight saving). Pages name weekdays the one way Vietnamese write them ("Thứ Hai, 30/11/2026").
Reading tolerates what people and other systems send: a blank or malformed
value is None, and the caller decides what that means (a default, the raw text, no date).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_noop

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def iso(instant: dt.datetime | None) -> str | None:
    """An aware instant as "2026-03-09T17:00:00+07:00"; None stays None."""
    return instant.astimezone(TZ).isoformat() if instant else None


def parse_iso_date(value: str | None) -> dt.date | None:
    """"2026-03-09" -> date(2026, 3, 9); None when blank or not a real date."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_iso_datetime(value: str | None) -> dt.datetime | None:
    """"2026-03-09T17:00:00+07:00" -> an aware datetime (naive when no offset is given);
    None when blank or not a real time."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


# --- weekdays as Vietnamese write them: "Thứ Hai" … "Chủ nhật" (date.weekday() order) -----------
# Every page, receipt and message names a weekday through here, so the spelling is one.

WEEKDAYS = (gettext_noop("Thứ Hai"), gettext_noop("Thứ Ba"), gettext_noop("Thứ Tư"), gettext_noop("Thứ Năm"),
            gettext_noop("Thứ Sáu"), gettext_noop("Thứ Bảy"), gettext_noop("Chủ nhật"))


def weekday_name(day: dt.date) -> str:
    """date(2026, 11, 30) -> "Thứ Hai" (in the active language)."""
    return gettext(WEEKDAYS[day.weekday()])


def weekday_datetime(instant: dt.datetime | None) -> str:
    """An instant in Viet Nam time with its weekday: "Thứ Năm, 27/11/2026 15:00"; "" for None.
    A naive datetime is taken as already local."""
    if instant is None:
        return ""
    local = instant.astimezone(TZ) if instant.tzinfo is not None else instant
    return f"{weekday_name(local.date())}, {local:%d/%m/%Y %H:%M}"


def weekday_date(day: dt.date | None) -> str:
    """A day with its weekday: "Thứ Hai, 30/11/2026"; "" for None."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = (day.astimezone(TZ) if day.tzinfo is not None else day).date()
    return f"{weekday_name(day)}, {day:%d/%m/%Y}"
