"""How the back office shows a dossier's timeliness: always a word and a colour, never colour alone.

Functions of the dossier's fields and "now" (no queries: the receiving agency comes with the row
and its calendar from the worktime cache), so a list page costs nothing more per row. "Due soon"
is `dossiers.deadlines.SoonRule`: the last share of the current step's quota of working hours
(the daily warnings', the inbox filter's and the reports' rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.deadlines import SoonRule, step_due_soon
from motcua.dossiers.models import Status

SOON = dt.timedelta(hours=24)  # only for a bare record without its dossier (no step, no reception)
OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT})
ENDED = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED})
FINISHED = frozenset({Status.COMPLETED, Status.RETURNED})


@dataclass(frozen=True)
class Timeliness:
    key: str  # css modifier: late, soon, ok, paused, waiting, done-ok, done-late, ended
    label: str
    symbol: str  # a shape that says the same as the colour (for colour-blind users and print)

    @property
    def css(self) -> str:
        return f"due--{self.key}"


LATE = ("late", _("Quá hạn"), "✕")
SOON_ = ("soon", _("Sắp đến hạn"), "!")
OK = ("ok", _("Trong hạn"), "✓")
PAUSED = ("paused", _("Tạm dừng tính giờ"), "❚❚")
WAITING = ("waiting", _("Chờ tiếp nhận"), "…")
DONE_OK = ("done-ok", _("Xong đúng hạn"), "✓")
DONE_LATE = ("done-late", _("Xong quá hạn"), "✕")
ENDED_ = ("ended", _("Đã kết thúc"), "–")


def _make(entry) -> Timeliness:
    key, label, symbol = entry
    return Timeliness(key, str(label), symbol)


# Every badge a dossier list can show, most urgent first: the legend under the inbox is drawn
# from these, so its words are the badges' words.
LEGEND = (LATE, SOON_, OK, PAUSED, WAITING, DONE_OK, DONE_LATE, ENDED_)


def legend() -> list[Timeliness]:
    return [_make(entry) for entry in LEGEND]


def against(due: dt.datetime | None, now: dt.datetime, late: bool = False, dossier=None,
            calendars: dict | None = None) -> Timeliness:
    """A running deadline: late / due soon / on time. With the `dossier` whose due time it is,
    "due soon" is the rule of `deadlines.SoonRule` (the last share of its current step's quota);
    `calendars` (agency id -> calendar): a page's memo, one calendar lookup per agency."""
    if late or (due is not None and now > due):
        return _make(LATE)
    if due is None:
        return _make(OK)
    if getattr(dossier, "received_at", None) is not None:
        soon = SoonRule(now, calendars).dossier(dossier)
    else:  # a bare record: within a day
        soon = due - now <= SOON
    return _make(SOON_ if soon else OK)


def dossier_timeliness(dossier, now: dt.datetime, calendars: dict | None = None) -> Timeliness:
    status = dossier.status
    if status == Status.SUBMITTED:
        return _make(WAITING)
    if status in ENDED:
        return _make(ENDED_)
    if status in FINISHED:
        finished = dossier.finished_at or dossier.returned_at or now
        late = dossier.counts_as_late or (dossier.due_at is not None and finished > dossier.due_at)
        return _make(DONE_LATE if late else DONE_OK)
    if dossier.paused_at is not None or status in (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT):
        if dossier.counts_as_late:
            return _make(LATE)
        return _make(PAUSED)
    return against(dossier.due_at, now, late=dossier.counts_as_late, dossier=dossier, calendars=calendars)


def step_timeliness(dossier, now: dt.datetime, calendars: dict | None = None) -> Timeliness | None:
    if dossier.status not in OPEN or dossier.step_due_at is None:
        return None
    if dossier.paused_at is not None:
        return _make(PAUSED)
    if now > dossier.step_due_at:
        return _make(LATE)
    handling = dossier.handling_agency if dossier.handling_agency_id else dossier.agency
    step = dossier.current_step if dossier.current_step_id else None
    calendar = SoonRule(now, calendars).calendar(handling.pk, handling.parent_id)
    if step is not None and step_due_soon(dossier.step_due_at, step.quota_hours, now, handling.soon_share, calendar):
        return _make(SOON_)
    return _make(OK)


PUNCTUALITY = {
    "early": ("done-ok", _("Trước hạn"), "✓"),
    "on_time": ("done-ok", _("Đúng hạn"), "✓"),
    "late": ("late", _("Quá hạn"), "✕"),
}


def punctuality(value: str) -> Timeliness | None:
    """A finished step's punctuality as recorded on its event."""
    entry = PUNCTUALITY.get(value or "")
    return _make(entry) if entry else None
