"""Vietnam's days off for a year, generated from the `holidays` package (no ORM).

The package knows Labour Code 2019 art. 112 (1/1; Tết, 5 days; Hùng Kings' day, 10/3 lunar,
computed in the UTC+7 lunar calendar; 30/4; 1/5; 2/9 plus one adjacent day; from 2026 the
Vietnamese Culture Day, 24/11), the compensatory days when a holiday falls on a weekend, and
the swaps the Government announced (``special_public_holidays``: a weekday off "substituted
from" a Saturday that is worked instead, recorded in ``weekend_workdays``).

We classify each date by comparing the package's output with and without observed days:

* in both, with a "substituted from dd/mm/yyyy" date -> an extra day off (swap);
* in both otherwise -> a public holiday;
* only with observed days -> a compensatory day off (nghỉ bù), including the Tết days the
  package moves off a weekend;
* a Saturday/Sunday in ``weekend_workdays`` -> a make-up working day.

Lunar dates are never typed by hand here: they all come from the package.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import holidays

CULTURE_DAY = (11, 24)
CULTURE_DAY_SINCE = 2026
# The package's own range for Vietnam's lunar calendar; outside it we know no holidays.
SUPPORTED_YEARS = range(1995, 2100)

_SUBSTITUTED_FROM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class DayKind(StrEnum):
    HOLIDAY = "holiday"
    COMPENSATORY = "compensatory"
    EXTRA_DAY_OFF = "extra_day_off"
    MAKEUP_WORKING_DAY = "makeup_working_day"


DAYS_OFF_KINDS = frozenset({DayKind.HOLIDAY, DayKind.COMPENSATORY, DayKind.EXTRA_DAY_OFF})


@dataclass(frozen=True, order=True)
class GeneratedDay:
    date: dt.date
    kind: DayKind
    name: str
    swapped_with: dt.date | None = None

    @property
    def is_culture_day(self) -> bool:
        return self.date.year >= CULTURE_DAY_SINCE and (
            (self.date.month, self.date.day) == CULTURE_DAY or "Văn hóa Việt Nam" in self.name
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _substituted_from(name: str) -> dt.date | None:
    match = _SUBSTITUTED_FROM.search(name)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=64)
def generate_year(year: int, *, culture_day: bool = True) -> tuple[GeneratedDay, ...]:
    """The year's days off and make-up working days, sorted by date.

    ``culture_day=False`` leaves out 24/11 (Vietnamese Culture Day) and its compensatory day,
    for as long as its legal effect is uncertain (docs/regulations.md §7).
    """
    if year not in SUPPORTED_YEARS:
        return ()
    # Neighbouring years too: a swap or an observed day may cross the new year.
    years = [year - 1, year, year + 1]
    full = holidays.country_holidays("VN", years=years, language="vi", observed=True)
    plain = holidays.country_holidays("VN", years=years, language="vi", observed=False)

    days: dict[dt.date, GeneratedDay] = {}
    workdays = {d for d in full.weekend_workdays if d.year in years}
    swap_pairs: dict[dt.date, dt.date] = {}
    for day, raw_name in sorted(full.items()):
        name = _nfc(raw_name)
        source = _substituted_from(name) if day in plain else None
        if source is not None:
            swap_pairs[source] = day
            kind = DayKind.EXTRA_DAY_OFF
        elif day in plain:
            kind = DayKind.HOLIDAY
        else:
            kind = DayKind.COMPENSATORY
        if day.year == year:
            days[day] = GeneratedDay(day, kind, name, source)
    for day in sorted(workdays):
        if day.year != year:
            continue
        paired = swap_pairs.get(day)
        name = f"Ngày làm bù (cho ngày nghỉ {paired:%d/%m/%Y})" if paired else "Ngày làm bù"
        days[day] = GeneratedDay(day, DayKind.MAKEUP_WORKING_DAY, name, paired)
    result = sorted(days.values())
    if not culture_day:
        result = [d for d in result if not d.is_culture_day]
    return tuple(result)


def days_off(year: int, *, culture_day: bool = True) -> frozenset[dt.date]:
    return frozenset(d.date for d in generate_year(year, culture_day=culture_day) if d.kind in DAYS_OFF_KINDS)


def makeup_days(year: int) -> frozenset[dt.date]:
    return frozenset(d.date for d in generate_year(year) if d.kind == DayKind.MAKEUP_WORKING_DAY)
