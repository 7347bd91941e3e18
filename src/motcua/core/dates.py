"""ISO 8601 dates and times, written and read the same way everywhere.

Times leave the system (events, API, webhooks) as ISO 8601 in Viet Nam time (+07:00, no
daylight saving). Reading tolerates what people and other systems send: a blank or malformed
value is None, and the caller decides what that means (a default, the raw text, no date).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

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
