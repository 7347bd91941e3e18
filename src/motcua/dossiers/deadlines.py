"""Deadlines for dossiers: the one place that talks to the worktime app (docs/architecture.md §8).

Every due time, pause shift and punctuality of a dossier goes through these functions: the
calendar of an agency comes from `motcua.worktime.services.calendar_for(agency)` and the
arithmetic from the pure `motcua.worktime.engine`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from motcua.worktime import engine
from motcua.worktime.services import calendar_for

if TYPE_CHECKING:
    from motcua.agencies.models import Agency
    from motcua.catalog.models import ProcedureCase

__all__ = ["SOON_FIELDS", "SoonRule", "calendar_for", "case_due", "due_soon", "due_soon_ids", "in_last_share",
           "paused_working_time", "punctuality", "quota_of", "shift", "soon_candidates_q", "step_due",
           "step_due_soon"]


def case_due(agency: Agency, case: ProcedureCase, start: dt.datetime) -> dt.datetime:
    """The legal due time of a dossier of `case` received by `agency` at `start`."""
    try:
        return engine.due(calendar_for(agency), start, case.time_amount, case.time_unit, case.cutoff_time)
    except ValueError as exc:  # includes CalendarRangeError: a case configured with an absurd time
        from django.utils.translation import gettext as _

        from .errors import ActionNotAllowed

        raise ActionNotAllowed(
            _("Không tính được thời hạn giải quyết của trường hợp «%(case)s» (%(amount)s %(unit)s); "
              "cần kiểm tra cấu hình thủ tục.")
            % {"case": case.name, "amount": case.time_amount, "unit": case.time_unit},
            code="due_time_unavailable",
        ) from exc


def step_due(agency: Agency, start: dt.datetime, quota_hours: Decimal | int) -> dt.datetime:
    """The due time of a workflow step started at `start`, with its quota of working hours."""
    return engine.due(calendar_for(agency), start, quota_hours, "working_hours")


def paused_working_time(agency: Agency, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.timedelta:
    """Working time between a pause and its end (what the due time moves by)."""
    return max(engine.elapsed(calendar_for(agency), paused_at, resumed_at), dt.timedelta(0))


def shift(agency: Agency, due_at: dt.datetime, paused: dt.timedelta) -> dt.datetime:
    """`due_at` moved forward by `paused` working time on the agency's calendar."""
    if paused <= dt.timedelta(0):
        return due_at
    return engine.add_working_time(calendar_for(agency), due_at, paused)


def punctuality(due_at: dt.datetime | None, finished_at: dt.datetime) -> str:
    """"early" / "on_time" / "late" ("" without a due time)."""
    if due_at is None:
        return ""
    return str(engine.punctuality(due_at, finished_at))


# --- "Sắp đến hạn": the last share of the time a dossier is given -----------------------------------

SOON_SHARE_MAX = 50  # percent: a dossier is never due soon in the first half of its time


def due_soon(remaining: dt.timedelta, quota: dt.timedelta, share_percent: int) -> bool:
    """The rule, in plain arithmetic: due soon when the working time left (`remaining`, before the
    due time) is at most `share_percent` % of the working time the dossier is given (`quota`).
    The share is capped at 50 %, so nothing is flagged in the first half of its time; with no
    time left it is late, not soon."""
    share = min(max(int(share_percent), 0), SOON_SHARE_MAX)
    if quota <= dt.timedelta(0) or remaining <= dt.timedelta(0):
        return False
    return remaining * 100 <= quota * share


def in_last_share(agency: Agency, received_at: dt.datetime | None, due_at: dt.datetime | None,
                  paused_total: dt.timedelta, now: dt.datetime, share_percent: int | None = None,
                  calendar: engine.Calendar | None = None) -> bool:
    """Whether a running dossier of `agency` (its receiving agency, whose calendar set its due time)
    is in the last share of its working time: from reception to the due time, less the time its
    clock was stopped. The share is the agency's setting (`soon_share`, 25 % by default).
    `calendar`: the agency's, when the caller already has it (a list checks many dossiers of few
    agencies: one calendar lookup each, not one per dossier)."""
    if received_at is None or due_at is None or now >= due_at:
        return False
    calendar = calendar or calendar_for(agency)
    quota = engine.elapsed(calendar, received_at, due_at) - paused_total
    remaining = engine.elapsed(calendar, max(now, received_at), due_at)
    share = agency.soon_share if share_percent is None else share_percent
    return due_soon(remaining, quota, share)


# --- "Sắp đến hạn" on the current step's quota (#17) ------------------------------------------------
#
# The one rule of the inbox, the queues, the badges, the daily warnings and the reports: a running
# dossier that is not late is due soon when its CURRENT STEP has used up all but the last share
# (`soon_share`, 25 % by default, capped at 50 %) of the step's quota of working hours, on the
# calendar of the agency handling the step. So a step is never flagged in the first half of its
# quota. Once the step has outrun its quota (its own badge says late), the dossier's own time
# decides (`in_last_share`: the last share of the time from reception to its due time), as it does
# for a dossier without a step window (no workflow step, or a quota of 0).


def quota_of(quota_hours: Decimal | int | float | None) -> dt.timedelta:
    """A step's quota of working hours as working time."""
    if not quota_hours:
        return dt.timedelta(0)
    return dt.timedelta(seconds=int(Decimal(str(quota_hours)) * 3600))


def step_due_soon(step_due_at: dt.datetime | None, quota_hours: Decimal | int | None, now: dt.datetime,
                  share_percent: int, calendar: engine.Calendar) -> bool:
    """The current step is in the last `share_percent` % of its quota (working time left until its
    due time, on the handling agency's `calendar`); past its due time it is late, not soon."""
    if step_due_at is None or not quota_hours or now >= step_due_at:
        return False
    remaining = engine.elapsed(calendar, now, step_due_at)
    return due_soon(remaining, quota_of(quota_hours), share_percent)


SOON_FIELDS = ("agency_id", "agency__parent_id", "agency__soon_share", "handling_agency_id",
               "handling_agency__parent_id", "handling_agency__soon_share", "received_at", "due_at",
               "paused_total", "step_due_at", "current_step__quota_hours")


class SoonRule:
    """The rule for many dossiers at one `now`: one calendar lookup per agency, not per dossier.

    `row(values)`: a dict of SOON_FIELDS (from `values(*SOON_FIELDS)`); `dossier(d)`: a Dossier
    with its agency, handling agency and current step loaded. The caller has already kept the
    running dossiers (status 2/4, clock not stopped, not counting as late)."""

    def __init__(self, now: dt.datetime, calendars: dict | None = None):
        self.now = now
        self._calendars: dict[int, engine.Calendar] = {} if calendars is None else calendars

    def calendar(self, agency_id: int, parent_id: int | None) -> engine.Calendar:
        if agency_id not in self._calendars:
            from motcua.agencies.models import Agency

            self._calendars[agency_id] = calendar_for(Agency(pk=agency_id, parent_id=parent_id))
        return self._calendars[agency_id]

    def check(self, *, agency_id: int, agency_parent_id: int | None, agency_share: int,
              handling_id: int | None, handling_parent_id: int | None, handling_share: int | None,
              received_at: dt.datetime | None, due_at: dt.datetime | None, paused_total: dt.timedelta,
              step_due_at: dt.datetime | None, quota_hours) -> bool:
        now = self.now
        if due_at is not None and now >= due_at:
            return False  # late, not soon
        if step_due_at is not None and quota_hours and handling_id is not None and now < step_due_at:
            share = agency_share if handling_share is None else handling_share
            return step_due_soon(step_due_at, quota_hours, now, share,
                                 self.calendar(handling_id, handling_parent_id))
        from motcua.agencies.models import Agency

        agency = Agency(pk=agency_id, parent_id=agency_parent_id, soon_share=agency_share)
        return in_last_share(agency, received_at, due_at, paused_total, now,
                             calendar=self.calendar(agency_id, agency_parent_id))

    def row(self, v: dict) -> bool:
        return self.check(
            agency_id=v["agency_id"], agency_parent_id=v["agency__parent_id"], agency_share=v["agency__soon_share"],
            handling_id=v["handling_agency_id"], handling_parent_id=v["handling_agency__parent_id"],
            handling_share=v["handling_agency__soon_share"], received_at=v["received_at"], due_at=v["due_at"],
            paused_total=v["paused_total"], step_due_at=v["step_due_at"],
            quota_hours=v["current_step__quota_hours"])

    def dossier(self, d) -> bool:
        handling = d.handling_agency if d.handling_agency_id else None
        step = d.current_step if d.current_step_id else None
        return self.check(
            agency_id=d.agency_id, agency_parent_id=d.agency.parent_id, agency_share=d.agency.soon_share,
            handling_id=d.handling_agency_id, handling_parent_id=handling.parent_id if handling else None,
            handling_share=handling.soon_share if handling else None, received_at=d.received_at,
            due_at=d.due_at, paused_total=d.paused_total, step_due_at=d.step_due_at,
            quota_hours=step.quota_hours if step else None)


def soon_candidates_q(now: dt.datetime):
    """Running dossiers that MAY be due soon (the rule in `deadlines.SoonRule` decides): not late,
    and, when in a step, started at least half its quota ago in calendar time (working time never
    runs faster than the clock, and nothing is due soon in the first half of its quota). One small
    query for the distinct quotas of the steps."""
    from django.db.models import Q

    from motcua.catalog.models import WorkflowStep

    from .models import Status

    running = (Status.RECEIVED, Status.PROCESSING)
    started = Q(current_step__isnull=True) | Q(step_due_at__isnull=True) | Q(current_step__quota_hours__lte=0)
    for hours in set(WorkflowStep.objects.order_by().values_list("quota_hours", flat=True).distinct()):
        if hours and hours > 0:
            half = quota_of(hours) / 2
            started |= Q(current_step__quota_hours=hours, step_started_at__lte=now - half)
    return Q(status__in=running, paused_at__isnull=True, counts_as_late=False, due_at__gte=now) & started


def due_soon_ids(qs, now: dt.datetime) -> list[int]:
    """The ids of the dossiers of `qs` that are due soon (`deadlines.SoonRule`: the last share of
    the current step's quota): one query for the candidates, then the rule per dossier in Python
    with one calendar lookup per agency."""
    rule = SoonRule(now)
    return [v["pk"] for v in qs.filter(soon_candidates_q(now)).order_by().values("pk", *SOON_FIELDS)
            if rule.row(v)]
