"""Due times on the real national calendars of 2025, 2026 and 2027 (docs/regulations.md §7).

Weekday days off (from the `holidays` package, checked against the regulations' table):
2025: 01/01; Tết 27/01-31/01; Giỗ Tổ Mon 07/04; 30/04, 01/05 and 02/05 (swapped with
      Sat 26/04, a working day); 01-02/09.
2026: 01/01; Tết 16/02-20/02; Giỗ Tổ Sun 26/04 -> Mon 27/04 off; 30/04, 01/05; 31/08 (swapped
      with Sat 22/08) and 01-02/09; Tue 24/11.
2027: 01/01; Tết 04-05/02 and 08-10/02; Giỗ Tổ Fri 16/04; 30/04; Sat 01/05 -> Mon 03/05 off;
      02-03/09; Wed 24/11.
Office hours Mon-Fri 07:00-11:00 and 13:00-17:00 unless said otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.worktime.engine import due

from .helpers import VN, VN_SATURDAY, at

T15 = dt.time(15, 0)

CASES = [
    # --- docs/architecture.md §8 worked examples (an ordinary week) ---
    ("2026-03-02 09:15", 3, "working_days", None, "2026-03-05 09:15", "Mon 09:15 + 3 wd"),
    ("2026-03-02 15:30", 3, "working_days", T15, "2026-03-05 17:00", "after cut-off"),
    ("2026-03-02 15:00", 1, "working_days", T15, "2026-03-03 15:00", "exactly at the cut-off"),
    ("2026-03-02 15:30", 3, "working_days", None, "2026-03-05 15:30", "no cut-off"),
    # --- evening, night, weekend, lunch receipts ---
    ("2026-03-02 18:30", 1, "working_days", None, "2026-03-03 17:00", "evening"),
    ("2026-03-02 06:00", 1, "working_days", None, "2026-03-02 17:00", "before opening"),
    ("2026-03-02 11:30", 1, "working_hours", None, "2026-03-02 14:00", "lunch break"),
    ("2026-03-07 10:00", 3, "working_days", None, "2026-03-11 17:00", "Saturday"),
    ("2026-03-08 23:59", 2, "working_hours", None, "2026-03-09 09:00", "Sunday night"),
    ("2026-03-02 10:00", 1, "working_hours", None, "2026-03-02 11:00", "ends at a closing"),
    ("2026-03-02 10:30", 1.5, "working_hours", None, "2026-03-02 14:00", "float hours"),
    ("2026-03-02 09:15", Decimal("0.5"), "working_days", None, "2026-03-02 15:15", "half day"),
    ("2026-03-02 09:15", 0, "working_days", None, "2026-03-02 09:15", "zero"),
    ("2026-03-02 11:15", 0, "working_hours", None, "2026-03-02 13:00", "zero at lunch"),
    # --- same day ---
    ("2026-03-02 14:59", 0, "same_day", None, "2026-03-02 17:00", "same day before 15:00"),
    ("2026-03-02 15:01", 0, "same_day", None, "2026-03-03 17:00", "same day after 15:00"),
    ("2026-03-02 15:30", 1, "same_day", dt.time(16), "2026-03-02 17:00", "own cut-off 16:00"),
    ("2026-03-06 17:30", 0, "same_day", None, "2026-03-09 17:00", "Friday evening"),
    ("2026-03-07 09:00", 0, "same_day", None, "2026-03-09 17:00", "Saturday"),
    # --- calendar days and months (end of the last day; Civil Code art. 147-148) ---
    ("2026-03-02 09:15", 10, "days", None, "2026-03-12 17:00", "10 days"),
    ("2026-03-02 09:15", 5, "days", None, "2026-03-09 17:00", "ends on Saturday -> Monday"),
    ("2026-03-02 15:30", 10, "days", T15, "2026-03-13 17:00", "days after cut-off"),
    ("2026-01-31 09:00", 1, "months", None, "2026-03-02 17:00", "31/01 + 1 month = Sat 28/02"),
    ("2026-03-02 09:00", Decimal("0.5"), "months", None, "2026-03-17 17:00", "half a month"),
    ("2026-03-10 09:00", 3, "months", None, "2026-06-10 17:00", "3 months"),
    # --- 2025 ---
    ("2025-01-24 09:00", 1, "working_days", None, "2025-02-03 09:00", "Tết 2025"),
    ("2025-01-24 15:30", 3, "working_days", T15, "2025-02-05 17:00", "Tết 2025 + cut-off"),
    ("2025-01-23 14:00", 2, "working_days", None, "2025-02-03 14:00", "Tết 2025, 2 wd"),
    ("2025-01-26 10:00", 2, "working_hours", None, "2025-02-03 09:00", "Sunday before Tết"),
    ("2025-01-29 08:00", 0, "same_day", None, "2025-02-03 17:00", "received on Mùng 1"),
    ("2025-01-24 10:00", 3, "days", None, "2025-02-03 17:00", "days ending in Tết"),
    ("2025-04-04 16:00", 1, "working_days", None, "2025-04-08 16:00", "Giỗ Tổ Mon 07/04"),
    ("2025-04-25 09:00", 1, "working_days", None, "2025-04-26 09:00", "make-up Sat 26/04"),
    ("2025-04-26 10:00", 0, "same_day", None, "2025-04-26 17:00", "received on Sat 26/04"),
    ("2025-04-29 10:00", 1, "working_days", None, "2025-05-05 10:00", "30/4-2/5 2025"),
    ("2025-04-29 15:30", 1, "working_days", T15, "2025-05-05 17:00", "30/4 + cut-off"),
    ("2025-08-29 13:00", 2, "working_days", None, "2025-09-04 11:00", "2/9 2025, ends 11:00"),
    ("2025-12-31 09:15", 1, "working_days", None, "2026-01-02 09:15", "New Year 2026"),
    ("2025-12-31 18:00", 0, "same_day", None, "2026-01-02 17:00", "New Year's Eve evening"),
    # --- 2026 ---
    ("2026-02-13 09:15", 3, "working_days", None, "2026-02-25 09:15", "Tết 2026"),
    ("2026-02-06 10:00", 10, "days", None, "2026-02-23 17:00", "days ending in Tết 2026"),
    ("2026-02-18 10:00", 4, "working_hours", None, "2026-02-23 11:00", "received in Tết"),
    ("2026-04-24 09:15", 1, "working_days", None, "2026-04-28 09:15", "Giỗ Tổ Sun -> Mon off"),
    ("2026-04-26 10:00", 4, "working_hours", None, "2026-04-28 11:00", "received on Giỗ Tổ"),
    ("2026-04-29 15:30", 3, "working_days", T15, "2026-05-06 17:00", "30/4-1/5 2026"),
    ("2026-04-29 16:00", 2, "working_hours", None, "2026-05-04 08:00", "30/4 2026 hours"),
    ("2026-08-21 13:00", 1, "working_days", None, "2026-08-22 11:00", "make-up Sat 22/08"),
    ("2026-08-22 09:00", 0, "same_day", None, "2026-08-22 17:00", "received Sat 22/08"),
    ("2026-08-28 09:00", 1, "working_days", None, "2026-09-03 09:00", "31/08-02/09 2026"),
    ("2026-07-31 10:00", 1, "months", None, "2026-09-03 17:00", "month ending 31/08"),
    ("2026-11-23 09:15", 1, "working_days", None, "2026-11-25 09:15", "24/11 2026"),
    # --- 2027 ---
    ("2026-12-31 10:00", 1, "days", None, "2027-01-04 17:00", "New Year 2027 (Fri)"),
    ("2027-02-03 14:00", 0, "same_day", None, "2027-02-03 17:00", "before Tết 2027"),
    ("2027-02-03 15:30", 0, "same_day", None, "2027-02-11 17:00", "same day after 15:00"),
    ("2027-02-03 09:15", 2, "working_days", None, "2027-02-12 09:15", "Tết 2027"),
    ("2027-04-15 09:15", 1, "working_days", None, "2027-04-19 09:15", "Giỗ Tổ Fri 16/04"),
    ("2027-04-29 09:15", 1, "working_days", None, "2027-05-04 09:15", "30/4 + 1/5 Sat->3/5"),
    ("2027-05-01 10:00", 8, "working_hours", None, "2027-05-04 17:00", "received 1/5 Sat"),
    ("2027-09-01 16:00", 3, "working_days", None, "2027-09-08 16:00", "2/9 2027 Thu-Fri"),
    ("2027-11-23 16:00", 2, "working_hours", None, "2027-11-25 08:00", "24/11 2027"),
]


@pytest.mark.parametrize(
    ("start", "amount", "unit", "cutoff", "expected"),
    [case[:5] for case in CASES],
    ids=[case[5] for case in CASES],
)
def test_it_computes_due_times_on_the_national_calendar(start, amount, unit, cutoff, expected):
    assert due(VN, at(start), amount, unit, cutoff) == at(expected)


SATURDAY_CASES = [
    ("2026-03-06 13:00", 1, "working_days", None, "2026-03-07 11:00", "Fri + Sat morning"),
    ("2026-03-07 10:30", 0, "same_day", None, "2026-03-07 11:00", "Sat morning same day"),
    ("2026-03-07 11:30", 0, "same_day", None, "2026-03-09 17:00", "Sat after closing"),
    ("2026-03-07 09:00", 1, "working_days", None, "2026-03-09 15:00", "8 h from Sat 09:00"),
    ("2026-02-13 16:00", 1, "working_days", None, "2026-02-21 10:00", "Tết 2026, Sats open"),
    ("2027-05-01 09:00", 1, "working_hours", None, "2027-05-04 08:00", "1/5/2027 Sat is off"),
]


@pytest.mark.parametrize(
    ("start", "amount", "unit", "cutoff", "expected"),
    [case[:5] for case in SATURDAY_CASES],
    ids=[case[5] for case in SATURDAY_CASES],
)
def test_it_computes_due_times_for_an_agency_open_on_saturday_mornings(start, amount, unit, cutoff, expected):
    assert due(VN_SATURDAY, at(start), amount, unit, cutoff) == at(expected)


def test_it_accepts_any_time_zone_and_answers_in_vietnam_time():
    start = dt.datetime(2026, 3, 2, 2, 15, tzinfo=dt.UTC)  # 09:15 in Hà Nội
    result = due(VN, start, 3, "working_days")
    assert result == at("2026-03-05 09:15")
    assert result.isoformat() == "2026-03-05T09:15:00+07:00"
