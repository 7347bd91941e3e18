"""The time budget of a case's workflow: legal time minus the sum of the step quotas.

Pure rules on plain values (no ORM, no HTTP), plus two thin helpers that read a case from the
database (`case_budget`, `timeline`). The workflow editor refuses a step change that makes the
total exceed the legal time; publishing can call `check_case` for the same rule.

Legal time in working hours (docs/regulations.md §7, docs/architecture.md §8), on the receiving agency's calendar:

* ``working_hours``: the amount itself;
* ``working_days``: amount x the length of a working day (8 hours with the default office hours;
  `OfficeHours.daily_working_hours` when an agency sets it) — the same conversion the worktime
  engine uses for due times;
* ``same_day``: the least working time a receipt before the cut-off can count on: from the
  cut-off (15:00 unless the case sets one) to the close of that working day, the least over the
  days of the week (2 hours with the default office hours). A receipt after the cut-off starts
  the next working day and gets a whole day, so it never has less; a cut-off at or after
  closing leaves nothing guaranteed. Counting the whole day
  instead let a workflow of 8 hours pass that the preview shows late for any receipt after
  opening;
* ``days`` / ``months`` (calendar time): the least working time any receipt can count on, i.e.
  the minimum over a reference year of receipt days, received at closing time, of the working
  time up to the due time the engine gives (weekly office hours, public holidays left out, since
  they move every year). With the default hours, 30 days = 22 working days = 176 hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.utils.translation import gettext as _

from motcua.core import dates
from motcua.worktime import engine

TWO_PLACES = Decimal("0.01")
# A calendar-unit budget looks at receipts on every day of this (non-leap) year.
_REFERENCE_YEAR = 2001


def hours(value) -> Decimal:
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def show_hours(value) -> str:
    """'8', '7.5', '0.25' (no trailing zeros; dot as decimal sign, as typed in the forms)."""
    text = f"{Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@lru_cache(maxsize=256)
def _same_day_hours(weekly, cutoff: dt.time) -> Decimal:
    calendar = engine.Calendar(weekly=weekly)
    least: Decimal | None = None
    monday = dt.date(_REFERENCE_YEAR, 1, 1)  # a Monday
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        periods = calendar.periods_on(day)
        if not periods:
            continue
        # A receipt at the cut-off still counts that day and must be done by its close; with a
        # cut-off at or after closing, a receipt just before closing has (almost) nothing left.
        closes = dt.datetime.combine(day, periods[-1][1], tzinfo=engine.TZ)
        received = min(dt.datetime.combine(day, cutoff, tzinfo=engine.TZ), closes)
        worked = engine.elapsed_hours(calendar, received, closes)
        least = worked if least is None else min(least, worked)
    return hours(least or 0)


@lru_cache(maxsize=256)
def _calendar_unit_hours(weekly, daily: Decimal, amount: Decimal, unit: str) -> Decimal:
    calendar = engine.Calendar(weekly=weekly, daily_hours=daily)
    least: Decimal | None = None
    day = dt.date(_REFERENCE_YEAR, 1, 1)
    while day.year == _REFERENCE_YEAR:
        periods = calendar.periods_on(day)
        if periods:
            received = dt.datetime.combine(day, periods[-1][1], tzinfo=engine.TZ)
            due = engine.due(calendar, received, amount, unit)
            worked = engine.elapsed_hours(calendar, received, due)
            least = worked if least is None else min(least, worked)
        day += dt.timedelta(days=1)
    return hours(least or 0)


def _daily(calendar: engine.Calendar) -> Decimal:
    """The length of the calendar's working day (a Calendar fills daily_hours in when built)."""
    assert calendar.daily_hours is not None
    return Decimal(calendar.daily_hours)


def legal_hours(amount, unit: str, calendar: engine.Calendar | None = None, cutoff: dt.time | None = None) -> Decimal:
    """The legal time of a case, in working hours (see the module text); `cutoff` is the case's
    own cut-off time (``same_day`` only). Raises ValueError for a unit the engine does not know
    or a negative amount."""
    calendar = calendar or engine.Calendar()
    amount = Decimal(str(amount))
    if amount < 0:
        raise ValueError("negative amount")
    daily = _daily(calendar)
    if unit == engine.Unit.WORKING_HOURS:
        return hours(amount)
    if unit == engine.Unit.WORKING_DAYS:
        return hours(amount * daily)
    if unit == engine.Unit.SAME_DAY:
        return _same_day_hours(calendar.weekly, cutoff or engine.DEFAULT_SAME_DAY_CUTOFF)
    if unit in (engine.Unit.DAYS, engine.Unit.MONTHS):
        return _calendar_unit_hours(calendar.weekly, daily, amount, str(unit))
    raise ValueError(f"unknown unit {unit!r}")


@dataclass(frozen=True)
class Budget:
    legal: Decimal  # legal time, working hours
    used: Decimal  # sum of the quotas
    daily: Decimal  # working hours in one working day (for the day unit of quotas)

    @property
    def remaining(self) -> Decimal:
        return self.legal - self.used

    @property
    def over(self) -> bool:
        return self.used > self.legal

    @property
    def overrun(self) -> Decimal:
        return max(self.used - self.legal, Decimal(0))

    @property
    def percent_used(self) -> int:
        if self.legal <= 0:
            return 100 if self.used > 0 else 0
        return min(100, int(self.used * 100 / self.legal))

    def message(self) -> str:
        """The refusal (when over) naming the overrun, else the remaining budget."""
        if self.over:
            return over_message(self.used, self.legal)
        return _("Còn lại %(left)s giờ làm việc (tổng định mức %(used)s / thời hạn %(legal)s giờ làm việc).") % {
            "left": show_hours(self.remaining), "used": show_hours(self.used), "legal": show_hours(self.legal)}


def over_message(used, legal) -> str:
    return _("Tổng định mức %(used)s giờ vượt thời hạn %(legal)s giờ làm việc %(over)s giờ.") % {
        "used": show_hours(used), "legal": show_hours(legal), "over": show_hours(Decimal(used) - Decimal(legal))}


def budget_of(legal: Decimal, quotas, daily: Decimal) -> Budget:
    return Budget(legal=hours(legal), used=hours(sum((Decimal(q) for q in quotas), Decimal(0))), daily=hours(daily))


def quota_in_hours(amount: Decimal, unit: str, daily: Decimal) -> Decimal:
    """A quota typed in working hours ("hours") or working days ("days") -> working hours."""
    if unit == "days":
        return hours(Decimal(amount) * Decimal(daily))
    return hours(amount)


# --- from the database ------------------------------------------------------------------------


def receiving_agency(case):
    version = case.version
    return version.receiving_agency or version.agency


def case_calendar(case) -> engine.Calendar:
    from motcua.worktime.services import calendar_for

    return calendar_for(receiving_agency(case))


def case_budget(case, steps=None, calendar: engine.Calendar | None = None) -> Budget:
    """The budget of a case with its steps (or the given step list / quotas)."""
    calendar = calendar or case_calendar(case)
    steps = list(case.steps.all()) if steps is None else steps
    quotas = [s.quota_hours if hasattr(s, "quota_hours") else s for s in steps]
    try:
        legal = legal_hours(case.time_amount, case.time_unit, calendar, case.cutoff_time)
    except (ValueError, ArithmeticError):
        legal = Decimal(0)
    return budget_of(legal, quotas, _daily(calendar))


def check_case(case, steps=None) -> str | None:
    """The problem with a case's workflow (quotas over the legal time), or None."""
    budget = case_budget(case, steps)
    if budget.over:
        return _("Trường hợp «%(case)s»: %(problem)s") % {"case": case.name, "problem": budget.message()}
    return None


# --- the timeline preview -----------------------------------------------------------------------


def when(instant: dt.datetime | None) -> str:
    """'Thứ Hai, 30/11/2026 09:00' in Vietnam time (the one weekday format of core.dates)."""
    return dates.weekday_datetime(instant)


@dataclass(frozen=True)
class TimelineRow:
    order: int
    name: str
    role: str
    agency: str
    quota: Decimal
    cumulative: Decimal
    starts: dt.datetime
    due: dt.datetime

    @property
    def starts_text(self) -> str:
        return when(self.starts)

    @property
    def due_text(self) -> str:
        return when(self.due)


@dataclass(frozen=True)
class Timeline:
    received: dt.datetime
    rows: list[TimelineRow]
    legal_due: dt.datetime | None
    steps_due: dt.datetime
    cutoff: dt.time | None
    late_receipt: dt.datetime | None = None  # the same day, after the cut-off
    late_receipt_due: dt.datetime | None = None

    @property
    def late_receipt_text(self) -> str:
        return when(self.late_receipt)

    @property
    def late_receipt_due_text(self) -> str:
        return when(self.late_receipt_due)

    @property
    def received_text(self) -> str:
        return when(self.received)

    @property
    def legal_due_text(self) -> str:
        return when(self.legal_due)

    @property
    def steps_due_text(self) -> str:
        return when(self.steps_due)

    @property
    def late(self) -> bool:
        """The steps end after the legal due time (possible with calendar units or inter-agency
        steps on other calendars even when the hours add up)."""
        return self.legal_due is not None and self.steps_due > self.legal_due


def example_receipt(calendar: engine.Calendar, today: dt.date, at: dt.time = dt.time(9, 0)) -> dt.datetime:
    """The example receipt: the next working day after `today`, at 09:00 (or its first opening
    when the office is closed at 09:00)."""
    day = today + dt.timedelta(days=1)
    for _i in range(400):
        if calendar.is_working_day(day):
            break
        day += dt.timedelta(days=1)
    instant = dt.datetime.combine(day, at, tzinfo=engine.TZ)
    if engine.is_working_time(calendar, instant):
        return instant
    opens = calendar.periods_on(day)[0][0]
    return dt.datetime.combine(day, opens, tzinfo=engine.TZ)


def timeline(case, steps, *, today: dt.date | None = None, calendars=None) -> Timeline:
    """Each step's due time for an example dossier received the next working day at 09:00: a step
    starts when the previous one is due and counts its quota on its own agency's calendar."""
    from django.utils import timezone

    from motcua.worktime.services import calendar_for

    calendars = {} if calendars is None else calendars

    def cal(agency):
        key = getattr(agency, "pk", None)
        if key not in calendars:
            calendars[key] = calendar_for(agency)
        return calendars[key]

    home = receiving_agency(case)
    received = example_receipt(cal(home), today or timezone.localdate())
    try:
        legal_due = engine.due(cal(home), received, case.time_amount, case.time_unit, case.cutoff_time)
    except ValueError:
        legal_due = None
    rows, start, total = [], received, Decimal(0)
    for i, step in enumerate(steps, start=1):
        agency = step.agency or home
        due = engine.due(cal(agency), start, step.quota_hours, engine.Unit.WORKING_HOURS)
        total += Decimal(step.quota_hours)
        rows.append(TimelineRow(i, step.name, step.get_role_display(), str(step.agency or ""), hours(step.quota_hours),
                                hours(total), start, due))
        start = due
    cutoff = case.cutoff_time or (engine.DEFAULT_SAME_DAY_CUTOFF if case.time_unit == engine.Unit.SAME_DAY else None)
    late_receipt = late_due = None
    if cutoff is not None and legal_due is not None:
        late_receipt = (dt.datetime.combine(received.date(), cutoff, tzinfo=engine.TZ) + dt.timedelta(minutes=30))
        try:
            late_due = engine.due(cal(home), late_receipt, case.time_amount, case.time_unit, case.cutoff_time)
        except ValueError:
            late_receipt = None
    return Timeline(received, rows, legal_due, start, cutoff, late_receipt, late_due)
