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

__all__ = ["calendar_for", "case_due", "due_soon", "in_last_share", "paused_working_time", "punctuality", "shift",
           "step_due"]


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
