"""Bottlenecks: how long each workflow step really takes, against its quota (working hours).

For one agency (and optionally one procedure) and a period, the step visits that ended in the
period are read from the events in one query (`values_list`, a bounded set: the dossiers of one
agency touched in the period), cut into visits (entering a step → leaving it), measured in the
working time of the step's agency (`motcua.worktime` through `dossiers.deadlines`) minus the
time the clock stood still (supplement requested, paused, awaiting payment), and summarised per
step: count, median and 90th percentile against the quota, worst first.

`visits` and `summarise` are pure (tuples in, values out) and tested directly.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from motcua.dossiers.models import EventKind

PAUSE_START = frozenset({EventKind.SUPPLEMENT_REQUESTED, EventKind.PAUSED})
PAUSE_END = frozenset({EventKind.SUPPLIED, EventKind.RESUMED, EventKind.PAYMENT_RECEIVED})
LEAVE_KINDS = frozenset({EventKind.COMPLETED, EventKind.STOPPED, EventKind.WITHDRAWN})
STEP_KINDS = frozenset({EventKind.RECEIVED, EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS,
                        EventKind.APPROVED}) | LEAVE_KINDS
KINDS = STEP_KINDS | PAUSE_START | PAUSE_END


@dataclass(frozen=True)
class EventRow:
    dossier_id: int
    version: int
    kind: str
    at: dt.datetime
    from_step_id: int | None
    to_step_id: int | None
    to_agency_id: int | None


@dataclass(frozen=True)
class Visit:
    dossier_id: int
    step_id: int
    agency_id: int | None
    entered: dt.datetime
    left: dt.datetime
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


def visits(rows: Iterable[EventRow]) -> list[Visit]:
    """Step visits from events ordered by dossier and version: entering a step (reception into the
    first step, a hand-over, a return) ends the previous visit; so does completing, stopping or
    a withdrawal. Pauses inside a visit are kept to be subtracted."""
    out: list[Visit] = []
    current: dict | None = None
    dossier = None
    for e in rows:
        if e.dossier_id != dossier:
            dossier, current = e.dossier_id, None
        if current is not None:
            if e.kind in PAUSE_START and current["paused"] is None:
                current["paused"] = e.at
                continue
            if e.kind in PAUSE_END and current["paused"] is not None:
                current["pauses"].append((current["paused"], e.at))
                current["paused"] = None
                continue
        if e.kind not in STEP_KINDS:
            continue
        moves = e.kind in (EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.APPROVED) or \
            e.kind in LEAVE_KINDS
        if current is not None and moves:
            pauses = list(current["pauses"])
            if current["paused"] is not None:
                pauses.append((current["paused"], e.at))
            out.append(Visit(e.dossier_id, current["step"], current["agency"], current["entered"], e.at,
                             tuple(pauses)))
            current = None
        if e.kind in LEAVE_KINDS or e.to_step_id is None:
            continue
        if e.kind == EventKind.APPROVED and e.to_step_id == e.from_step_id:
            continue  # an approval at the last step completes the dossier
        if e.kind == EventKind.RECEIVED or moves:
            current = {"step": e.to_step_id, "agency": e.to_agency_id, "entered": e.at, "pauses": [], "paused": None}
    return out


@dataclass(frozen=True)
class StepStats:
    step_id: int
    count: int
    median_hours: Decimal
    p90_hours: Decimal
    quota_hours: Decimal | None
    over_quota: int  # visits longer than the quota

    @property
    def ratio(self) -> Decimal | None:
        if not self.quota_hours:
            return None
        return (self.median_hours / self.quota_hours).quantize(Decimal("0.01"))

    @property
    def flagged(self) -> bool:
        """The median visit takes longer than the quota."""
        return self.quota_hours is not None and self.median_hours > self.quota_hours

    @property
    def over_share(self) -> Decimal:
        return (Decimal(self.over_quota) * 100 / self.count).quantize(Decimal("0.01")) if self.count else Decimal(0)


def _hours(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def percentile90(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def summarise(durations: dict[int, list[float]], quotas: dict[int, Decimal | None]) -> list[StepStats]:
    """Per step: median and 90th percentile of the working hours, worst (median ÷ quota) first."""
    stats = []
    for step_id, values in durations.items():
        if not values:
            continue
        quota = quotas.get(step_id)
        stats.append(StepStats(
            step_id=step_id, count=len(values), median_hours=_hours(statistics.median(values)),
            p90_hours=_hours(percentile90(sorted(values))), quota_hours=quota,
            over_quota=sum(1 for v in values if quota is not None and Decimal(str(v)) > quota),
        ))

    def badness(s: StepStats):
        ratio = s.ratio
        return (0 if ratio is not None else 1, -(ratio or 0), -s.median_hours, s.step_id)

    return sorted(stats, key=badness)


def working_hours(visit: Visit, elapsed: Callable[[dt.datetime, dt.datetime], dt.timedelta]) -> float:
    total = elapsed(visit.entered, visit.left)
    for start, end in visit.pauses:
        total -= max(elapsed(start, end), dt.timedelta(0))
    return max(total.total_seconds(), 0.0) / 3600


# --- the query ----------------------------------------------------------------------------------


@dataclass
class BottleneckRow:
    stats: StepStats
    name: str
    procedure: str
    procedure_code: str
    role: str
    agency: str


def bottlenecks(dossiers, period, *, procedure_code: str = "") -> list[BottleneckRow]:
    """Step statistics for the dossiers given (already scoped to an agency) over `period`."""
    from motcua.agencies.models import Agency
    from motcua.catalog.models import WorkflowStep
    from motcua.dossiers import deadlines
    from motcua.dossiers.models import Event
    from motcua.worktime import engine

    from .metrics import relevant

    qs = dossiers.filter(relevant(period))
    if procedure_code:
        qs = qs.filter(procedure_version__procedure__code=procedure_code)
    rows = (
        Event.objects.filter(dossier_id__in=qs.values("pk"), kind__in=KINDS, at__lt=period.until)
        .order_by("dossier_id", "version")
        .values_list("dossier_id", "version", "kind", "at", "from_step_id", "to_step_id", "to_agency_id")
    )
    found = [v for v in visits(EventRow(*r) for r in rows) if period.since <= v.left < period.until]
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={v.agency_id for v in found if v.agency_id})}
    calendars: dict[int | None, object] = {}

    def elapsed_for(agency_id):
        if agency_id not in calendars:
            calendars[agency_id] = deadlines.calendar_for(agencies.get(agency_id))
        calendar = calendars[agency_id]
        return lambda a, b: engine.elapsed(calendar, a, b)

    durations: dict[int, list[float]] = defaultdict(list)
    for v in found:
        durations[v.step_id].append(working_hours(v, elapsed_for(v.agency_id)))
    steps = {s.pk: s for s in WorkflowStep.objects.filter(pk__in=list(durations)).select_related(
        "case__version__procedure", "agency")}
    quotas = {pk: s.quota_hours for pk, s in steps.items()}
    out = []
    for stat in summarise(durations, quotas):
        step = steps.get(stat.step_id)
        if step is None:
            continue
        out.append(BottleneckRow(
            stats=stat, name=step.name, procedure=step.case.version.name,
            procedure_code=step.case.version.procedure.code, role=step.get_role_display(),
            agency=step.agency.name if step.agency_id else "",
        ))
    return out
