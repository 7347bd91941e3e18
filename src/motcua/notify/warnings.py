"""Daily warnings to staff: their dossiers due within one working day, and those late.

Who gets what (one message per person per day, by e-mail and SMS where they have an address):
* officers, department heads and leaders (active memberships), and anyone a dossier is
  assigned to: the open dossiers assigned to them, and the unassigned ones waiting in the pool
  of a role they hold at the agency handling the dossier;
* leaders also: every open dossier their agency is handling.

"Due soon": running (status 2 or 4, clock not stopped), not yet late, and its current step in
the last share of its quota of working hours (`deadlines.SoonRule`: 25 % by default, the
handling agency's `soon_share`; never in the first half of the quota), or past the step's due
time; a dossier without a step uses its own time. The badges, the inbox filter and the reports
use the same rule. "Late": open (2, 4, 5, 6) and past its due time while running, or
counting as late (a second supplement request). The same rules feed the inbox panel
(`summary_for`), computed live with one aggregate query.

The job `notify.daily_warnings` runs every hour (registered in `notify/jobs.py`); from
MOTCUA_WARNING_HOUR (default 7, local time) on a working day it sends what has not been sent
today. A `DailyWarning` row per person and day records what was sent: running the job twice
the same day sends once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from motcua.dossiers.codes import TZ
from motcua.dossiers.deadlines import due_soon_ids, soon_candidates_q  # the rule, with its query
from motcua.dossiers.models import Dossier, Status

log = logging.getLogger("motcua.notify")

WARNING_JOB = "notify.daily_warnings"
TEMPLATE = "daily_warning"
ROLES = ("officer", "department_head", "leader")
OPEN = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
RUNNING = (Status.RECEIVED, Status.PROCESSING)
LISTED = 10  # dossiers named in one message (the rest are counted)


@dataclass(frozen=True)
class Item:
    code: str
    procedure: str
    due_at: dt.datetime | None
    late: bool


@dataclass
class Digest:
    user_id: int
    soon: list[Item] = field(default_factory=list)
    late: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.soon or self.late)


@dataclass(frozen=True)
class Summary:
    """What the inbox panel shows."""

    soon: int
    late: int
    leader: bool  # the counts include the agency's whole workload

    @property
    def any(self) -> bool:
        return bool(self.soon or self.late)


# --- the rules ------------------------------------------------------------------------------------


def one_working_day_after(agency, now: dt.datetime) -> dt.datetime:
    """`now` plus one working day of the agency's calendar (its office hours of a normal day)."""
    from motcua.dossiers.deadlines import calendar_for
    from motcua.worktime import engine

    calendar = calendar_for(agency)
    return engine.add_working_time(calendar, now, dt.timedelta(microseconds=calendar.daily_us))


def _late_q(now: dt.datetime) -> Q:
    running = Q(status__in=RUNNING, paused_at__isnull=True)
    return Q(status__in=OPEN) & (Q(counts_as_late=True) | (running & Q(due_at__lt=now)))


def _memberships(user_ids: Iterable[int] | None = None) -> dict[int, dict[int, set[str]]]:
    """user id -> agency id -> roles (active staff, active memberships)."""
    from motcua.accounts.models import Membership

    qs = Membership.objects.filter(active=True, user__is_active=True)
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    result: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for user_id, agency_id, role in qs.values_list("user_id", "agency_id", "role"):
        result[user_id][agency_id].add(role)
    return result


def _mine_q(user_id: int, roles: dict[int, set[str]]) -> tuple[Q, bool]:
    mine = Q(assignee_id=user_id)
    leader = False
    for agency_id, held in roles.items():
        pool = [r for r in held if r in ROLES]
        if pool:
            mine |= Q(handling_agency_id=agency_id, assignee__isnull=True, current_role__in=pool)
        if "leader" in held:
            mine |= Q(handling_agency_id=agency_id)
            leader = True
    return mine, leader


# The name the back office imported before the rule moved to the step's quota.
in_last_share_ids = due_soon_ids


def due_within_a_working_day(qs, now: dt.datetime | None = None):
    """`qs` narrowed to the dossiers due soon (the back office's filter; the same rule as the badge
    and the daily warnings)."""
    now = now or timezone.now()
    return qs.filter(pk__in=due_soon_ids(qs, now))


def summary_for(user, now: dt.datetime | None = None, roles: dict[int, Iterable[str]] | None = None) -> Summary:
    """The live counts for the inbox panel. `roles` (agency id -> roles; the back office's
    request.staff has them) saves the memberships query. One aggregate query for the late ones,
    one for the candidates of "due soon" (decided in Python by `deadlines.SoonRule`)."""
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False):
        return Summary(0, 0, False)
    if roles is None:
        roles = _memberships([user.pk]).get(user.pk, {})
    mine, leader = _mine_q(user.pk, {a: set(r) for a, r in roles.items()})
    counts = Dossier.objects.filter(mine, status__in=OPEN).aggregate(  # open only: the status indexes apply
        late=Count("pk", filter=_late_q(now)),
    )
    soon = due_soon_ids(Dossier.objects.filter(mine, status__in=OPEN), now)
    return Summary(soon=len(soon), late=counts["late"], leader=leader)


def digests(now: dt.datetime | None = None) -> dict[int, Digest]:
    """Everybody's warnings now: user id -> Digest (people with nothing are left out).

    One query for the candidate dossiers (open and late, or running and possibly due soon), one
    for the memberships; "due soon" is `deadlines.SoonRule` (the last share of the current step's
    quota), the sorting out is in Python."""
    from motcua.dossiers.deadlines import SOON_FIELDS, SoonRule

    now = now or timezone.now()
    rule = SoonRule(now)
    candidates = (
        Dossier.objects.filter(_late_q(now) | soon_candidates_q(now))
        .order_by("due_at", "id")
        .values("code", "procedure_version__name", "current_role", "assignee_id", "counts_as_late", "status",
                "paused_at", *SOON_FIELDS)
    )
    by_assignee: dict[int, list[Item]] = defaultdict(list)
    by_pool: dict[tuple[int, str], list[Item]] = defaultdict(list)
    by_agency: dict[int, list[Item]] = defaultdict(list)
    for v in candidates:
        due_at = v["due_at"]
        running = v["status"] in RUNNING and v["paused_at"] is None
        late = v["counts_as_late"] or (running and due_at is not None and due_at < now)
        if not late and not (running and rule.row(v)):
            continue  # a candidate, but still in the first part of its step's quota
        item = Item(code=v["code"], procedure=v["procedure_version__name"], due_at=due_at, late=late)
        handling_id = v["handling_agency_id"]
        if v["assignee_id"] is not None:
            by_assignee[v["assignee_id"]].append(item)
        else:
            by_pool[(handling_id, v["current_role"])].append(item)
        by_agency[handling_id].append(item)

    memberships = _memberships()
    people = {u for u, roles in memberships.items() if any(r in ROLES for held in roles.values() for r in held)}
    people |= set(by_assignee) & set(_memberships(by_assignee))  # assignees who are still active staff
    result: dict[int, Digest] = {}
    for user_id in people:
        seen: dict[str, Item] = {}
        for item in by_assignee.get(user_id, ()):
            seen[item.code] = item
        for agency_id, held in memberships.get(user_id, {}).items():
            for role in held & set(ROLES):
                for item in by_pool.get((agency_id, role), ()):
                    seen[item.code] = item
            if "leader" in held:
                for item in by_agency.get(agency_id, ()):
                    seen[item.code] = item
        if not seen:
            continue
        items = sorted(seen.values(), key=lambda i: (i.due_at or now, i.code))
        result[user_id] = Digest(user_id, soon=[i for i in items if not i.late], late=[i for i in items if i.late])
    return result


# --- sending --------------------------------------------------------------------------------------


def _local(at: dt.datetime | None) -> str:
    return at.astimezone(TZ).strftime("%H:%M %d/%m/%Y") if at else ""


def _context(user, digest: Digest, day: dt.date) -> dict:
    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    return {
        "name": user.full_name or user.username,
        "day": day.strftime("%d/%m/%Y"),
        "day_iso": day.isoformat(),
        "soon_count": len(digest.soon),
        "late_count": len(digest.late),
        "soon": [{"code": i.code, "procedure": i.procedure[:120], "due_at": _local(i.due_at)}
                 for i in digest.soon[:LISTED]],
        "late": [{"code": i.code, "procedure": i.procedure[:120], "due_at": _local(i.due_at)}
                 for i in digest.late[:LISTED]],
        "soon_more": max(len(digest.soon) - LISTED, 0),
        "late_more": max(len(digest.late) - LISTED, 0),
        "inbox_url": f"{base}/can-bo/",
    }


def send_warnings(now: dt.datetime | None = None) -> dict[str, int]:
    """Send today's warnings to whoever has not had theirs; returns counts (sent, skipped, messages)."""
    from motcua.accounts.models import User

    from .models import Channel, DailyWarning
    from .services import clean_address, send

    now = now or timezone.now()
    day = now.astimezone(TZ).date()
    all_digests = digests(now)
    done = set(DailyWarning.objects.filter(day=day, user_id__in=list(all_digests)).values_list("user_id", flat=True))
    users = User.objects.in_bulk([u for u in all_digests if u not in done])
    counts = {"sent": 0, "already": len(done & set(all_digests)), "messages": 0}
    for user_id, user in sorted(users.items()):
        digest = all_digests[user_id]
        context = _context(user, digest, day)
        try:
            with transaction.atomic():
                record = DailyWarning.objects.create(
                    user=user, day=day, due_soon=len(digest.soon), late=len(digest.late),
                    codes=[i.code for i in digest.late + digest.soon][:200],
                )
                channels = []
                for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
                    if not address:
                        continue
                    try:
                        clean_address(channel, address)
                    except ValueError:
                        log.warning("warnings: user %s has an invalid %s address", user.pk, channel)
                        continue
                    send(channel, address, TEMPLATE, context, user=user)
                    channels.append(str(channel))
                record.channels = channels
                record.save(update_fields=["channels"])
        except IntegrityError:  # another worker sent it a moment ago
            counts["already"] += 1
            continue
        counts["sent"] += 1
        counts["messages"] += len(channels)
    return counts


def due_today(now: dt.datetime) -> bool:
    """The job sends on working days, from MOTCUA_WARNING_HOUR (local time)."""
    from motcua.dossiers.deadlines import calendar_for

    local = now.astimezone(TZ)
    hour = int(settings.MOTCUA_WARNING_HOUR)
    return local.hour >= hour and calendar_for(None).is_working_day(local.date())


def run(payload: dict | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The hourly job: sends today's warnings once the day's sending hour has come."""
    now = now or timezone.now()
    if not due_today(now):
        return {"sent": 0, "already": 0, "messages": 0}
    return send_warnings(now)
