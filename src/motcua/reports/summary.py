"""The summary of ended dossiers that lets a year's figures be read in well under a second.

Why: at 10^6 dossiers the live aggregates (`metrics.counts`) read every dossier of the period,
~1.5 s for a year. An ended dossier (processed, refused, withdrawn, stopped) keeps its place in
every figure, so its part is worked out once, by the live rules themselves (`metrics.metric_filters`
evaluated for the day it was received and the day it ended), and added to one `DailyFigures` row
per day and group (day × receiving agency × handling agency × procedure version × channel).

A figure for a period is then exactly:

* the summary rows of the period's days (ended dossiers, by the day received or ended);
* plus the live figures of the dossiers still open now (`metrics.grouped`, all metrics);
* plus, for a period already over, the live "open at the period's end" figures of the dossiers that
  were open then and have ended since (their other figures are in the summary).

Keeping it exact: `refresh()` runs before every read (and as a job every few minutes). It takes the
dossiers written since its last run (`Dossier.updated_at`, stamped by the action layer with the
real time, minus a safety margin for transactions still open then), the dossiers named by new
ratings and reflections, and recomputes the part of those whose version changed; `DossierFact`
remembers each dossier's last part so that the difference is moved, never guessed. The job
`reports.rebuild_summary` rebuilds everything each night, which also repairs rows written behind
the action layer's back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone

from motcua.dossiers.models import Channel, Dossier

from . import metrics
from .models import DailyFigures, DossierFact, SummaryState
from .periods import TZ, Period

log = logging.getLogger(__name__)

RECEIVED_KEYS = ("received", "i_fee", "i_paid", "i_digitised", "i_fee_paid")  # new keys last: stored bits
ENDED_KEYS = (
    "finished", "finished_early", "finished_on_time", "finished_late", "refused", "withdrawn", "stopped",
    "i_base", "i_on_time", "i_late", "i_result", "i_complained",
)
# What a dossier open at a past period's end and ended since adds to that period (live).
AT_END_KEYS = ("open", "open_ok", "open_soon", "open_late", "open_paused", "i_base", "i_on_time", "i_late",
               "i_complained")
BY_CHANNEL = {"received_counter": Channel.COUNTER, "received_online": Channel.ONLINE,
              "received_post": Channel.POST}
SUMMED = frozenset(RECEIVED_KEYS) | frozenset(ENDED_KEYS) | frozenset(BY_CHANNEL)
GROUP = ("agency_id", "handling_agency_id", "procedure_version_id", "channel")
ENDED = Q(finished_at__isnull=False) | Q(closed_at__isnull=False)
OPEN = Q(finished_at__isnull=True, closed_at__isnull=True)
MARGIN = dt.timedelta(minutes=10)  # a writing transaction older than this is not expected
INLINE_BUILD_LIMIT = 20_000  # ended dossiers a first read may summarise itself (a few seconds)
CHUNK = 2000


def local_day(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(TZ).date() if value is not None else None


def _bits(row: dict, keys: tuple[str, ...]) -> int:
    return sum(1 << i for i, k in enumerate(keys) if row[k])


def _unbits(bits: int, keys: tuple[str, ...]) -> list[str]:
    return [k for i, k in enumerate(keys) if bits >> i & 1]


# --- each dossier's part ------------------------------------------------------------------------------


class DayBounds:
    """A one-day period per row: the local day of the row's anchor column (`summary_day_bounds`
    annotates s_since / s_until), in the shape `metrics.metric_filters` and `metrics.annotate` read."""

    since = F("s_since")
    until = F("s_until")

    def reference(self, now: dt.datetime):
        return self.until  # a period that is over: judged at its end


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TZ)


# Vietnam keeps UTC+7 all year (no daylight saving since 1975), so a local day starts at
# UTC midnight of (instant + 7 h), minus 7 h: plain arithmetic every database does the same way.
OFFSET = TZ.utcoffset(dt.datetime(2000, 1, 1))
assert all(TZ.utcoffset(dt.datetime(y, m, 1)) == OFFSET for y in (2000, 2030) for m in (1, 7))


def _with_day_bounds(qs: QuerySet[Dossier], anchor: str) -> QuerySet[Dossier]:
    """Annotate each row with the bounds of the local day its `anchor` falls on."""
    shifted = ExpressionWrapper(F(anchor) + Value(OFFSET), output_field=DateTimeField())
    midnight = Trunc(shifted, "day", output_field=DateTimeField(), tzinfo=dt.UTC)
    return qs.annotate(
        s_since=ExpressionWrapper(midnight - Value(OFFSET), output_field=DateTimeField()),
    ).annotate(
        s_until=ExpressionWrapper(F("s_since") + Value(dt.timedelta(days=1)), output_field=DateTimeField()),
    )


def _evaluate(qs: QuerySet[Dossier], anchor: str, keys: tuple[str, ...], *, few: bool = False) -> list[dict]:
    """The live metrics `keys` of the dossiers `qs`, each for the one-day period of the local day
    its `anchor` ("received_at" or "s_end", when it ended) falls on; per dossier, one query.
    `few`: a few hundred dossiers at most (probe the payment and feedback tables per row)."""
    bounds = DayBounds()
    qs = qs.annotate(s_end=Coalesce("finished_at", "closed_at"))
    qs = metrics.annotate(_with_day_bounds(qs, anchor), bounds, None, indicators=True)
    filters = metrics.metric_filters(bounds, None, probe=few)
    marks = {k: Case(When(filters[k], then=Value(1)), default=Value(0), output_field=IntegerField()) for k in keys}
    with metrics.fast_aggregates(qs):
        return list(qs.values("pk", "version", *GROUP, "received_at", "s_end").annotate(**marks).order_by())


@dataclass(frozen=True)
class Part:
    """An ended dossier's part: what counts on the day received and on the day ended."""

    version: int
    agency_id: int
    handling_agency_id: int
    procedure_version_id: int
    channel: int
    received_day: dt.date | None
    received_bits: int
    end_day: dt.date
    end_bits: int

    def group(self, day: dt.date) -> tuple:
        return (day, self.agency_id, self.handling_agency_id, self.procedure_version_id, self.channel)

    def counts(self) -> Iterable[tuple[tuple, list[str]]]:
        if self.received_day is not None and self.received_bits:
            yield self.group(self.received_day), _unbits(self.received_bits, RECEIVED_KEYS)
        if self.end_bits:
            yield self.group(self.end_day), _unbits(self.end_bits, ENDED_KEYS)

    @classmethod
    def of_fact(cls, f: DossierFact) -> Part:
        return cls(f.version, f.agency_id, f.handling_agency_id, f.procedure_version_id, f.channel,
                   f.received_day, f.received_bits, f.end_day, f.end_bits)

    def fact(self, dossier_id: int) -> DossierFact:
        return DossierFact(dossier_id=dossier_id, version=self.version, agency_id=self.agency_id,
                           handling_agency_id=self.handling_agency_id,
                           procedure_version_id=self.procedure_version_id, channel=self.channel,
                           received_day=self.received_day, received_bits=self.received_bits,
                           end_day=self.end_day, end_bits=self.end_bits)


def parts_of(ids: Iterable[int]) -> dict[int, Part]:
    """The parts of the ended dossiers among `ids` (open ones have none): two queries a chunk."""
    ids = sorted(set(ids))
    parts = {}
    for start in range(0, len(ids), CHUNK):
        chunk = Dossier.objects.filter(ENDED, pk__in=ids[start:start + CHUNK])
        received_bits = {r["pk"]: _bits(r, RECEIVED_KEYS) for r in _evaluate(
            chunk.filter(received_at__isnull=False), "received_at", RECEIVED_KEYS, few=True)}
        for r in _evaluate(chunk, "s_end", ENDED_KEYS, few=True):
            parts[r["pk"]] = _part(r, received_bits.get(r["pk"], 0))
    return parts


def _part(r: dict, received_bits: int) -> Part:
    return Part(r["version"], r["agency_id"], r["handling_agency_id"] or 0, r["procedure_version_id"],
                r["channel"], local_day(r["received_at"]), received_bits, local_day(r["s_end"]),
                _bits(r, ENDED_KEYS))


# --- writing the summary --------------------------------------------------------------------------


def _add(delta: dict[tuple, dict[str, int]], part: Part, sign: int) -> None:
    for group, keys in part.counts():
        row = delta[group]
        for k in keys:
            row[k] = row.get(k, 0) + sign


def _apply(delta: dict[tuple, dict[str, int]]) -> None:
    for (day, agency, handling, version, channel), changes in sorted(delta.items()):
        changes = {k: n for k, n in changes.items() if n}
        if not changes:
            continue
        where = {"day": day, "agency_id": agency, "handling_agency_id": handling,
                 "procedure_version_id": version, "channel": channel}
        if not DailyFigures.objects.filter(**where).update(**{k: F(k) + n for k, n in changes.items()}):
            DailyFigures.objects.create(**where, **changes)


def move(ids: Iterable[int]) -> int:
    """Recompute the parts of `ids` and move the summary by the differences; the number moved.
    Call inside the summary's lock (`refresh`)."""
    ids = set(ids)
    if not ids:
        return 0
    old = {f.dossier_id: Part.of_fact(f) for f in DossierFact.objects.filter(dossier_id__in=ids)}
    new = parts_of(ids)
    delta: dict[tuple, dict[str, int]] = defaultdict(dict)
    moved = [pk for pk in ids if old.get(pk) != new.get(pk)]
    for pk in moved:
        if pk in old:
            _add(delta, old[pk], -1)
        if pk in new:
            _add(delta, new[pk], +1)
    _apply(delta)
    DossierFact.objects.filter(dossier_id__in=[pk for pk in moved if pk in old]).delete()
    DossierFact.objects.bulk_create([new[pk].fact(pk) for pk in moved if pk in new], batch_size=CHUNK)
    return len(moved)


def _state(*, wait: bool = True) -> SummaryState | None:
    """The state row, locked (None when another refresh or a rebuild holds it and `wait` is off)."""
    SummaryState.objects.get_or_create(pk=1)
    return SummaryState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()


def _latest_ids() -> tuple[int, int]:
    from motcua.feedback.models import Feedback, Rating

    return (Rating.objects.aggregate(n=Max("pk"))["n"] or 0, Feedback.objects.aggregate(n=Max("pk"))["n"] or 0)


def refresh() -> int | None:
    """Bring the summary up to date with every dossier written since the last refresh; the number
    of dossiers whose part moved, or None when there is no summary to read yet (count live)."""
    with transaction.atomic():
        # A reader does not queue behind another refresh or the nightly rebuild: it reads what they
        # have committed (PostgreSQL; SQLite runs one writer at a time anyway).
        state = _state(wait=False)
        if state is None:
            return 0 if SummaryState.objects.filter(pk=1, checked_until__isnull=False).exists() else None
        if state.checked_until is None:
            # Never built. A small database is built here; a large one (an upgrade) by the worker's
            # `reports.rebuild_summary`, which runs as soon as the worker starts, or by the command —
            # never in a web request that would time out and roll it back. Until then: live.
            if Dossier.objects.filter(ENDED).count() > INLINE_BUILD_LIMIT:
                return None
            _build(state)
            return 0
        started = timezone.now()
        since = state.checked_until - MARGIN
        # Only ended dossiers have a part, and none is ever reopened (the lifecycle has no way back;
        # the nightly rebuild would repair a database edit that did it).
        # Those whose remembered part is of another version (or missing), in one join.
        ids = set(
            Dossier.objects.filter(ENDED, updated_at__gte=since).annotate(fact_version=F("report_fact__version"))
            .filter(Q(fact_version__isnull=True) | ~Q(fact_version=F("version"))).values_list("pk", flat=True)
        )
        from motcua.feedback.models import Feedback, Rating

        rating_id, feedback_id = _latest_ids()
        for model, last in ((Rating, state.rating_id), (Feedback, state.feedback_id)):
            named = model.objects.filter(pk__gt=last, dossier__isnull=False).values_list("dossier_id", flat=True)
            ids |= set(Dossier.objects.filter(ENDED, pk__in=list(named)).values_list("pk", flat=True))
        moved = move(ids)
        state.checked_until, state.rating_id, state.feedback_id = started, rating_id, feedback_id
        state.save(update_fields=["checked_until", "rating_id", "feedback_id"])
        return moved


def rebuild() -> int:
    """Throw the summary away and build it again from the dossiers; the number of ended dossiers."""
    with transaction.atomic():
        return _build(_state())


def _months() -> list[dt.date]:
    """The first days of the months in which some ended dossier was received or ended."""
    span = Dossier.objects.filter(ENDED).aggregate(
        a=Min("received_at"), b=Min("finished_at"), c=Min("closed_at"),
        x=Max("received_at"), y=Max("finished_at"), z=Max("closed_at"),
    )
    firsts = [v for v in (span["a"], span["b"], span["c"]) if v is not None]
    lasts = [v for v in (span["x"], span["y"], span["z"]) if v is not None]
    if not firsts:
        return []
    month, last = local_day(min(firsts)).replace(day=1), local_day(max(lasts))
    months = []
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_days(first: dt.date) -> list[dt.date]:
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + dt.timedelta(days=n) for n in range((following - first).days)]


def _build(state: SummaryState) -> int:
    """Everything from scratch, a month at a time (two queries a month: by the day received, by
    the day ended)."""
    started = timezone.now()
    rating_id, feedback_id = _latest_ids()
    DossierFact.objects.all().delete()
    DailyFigures.objects.all().delete()
    months = _months()
    received_bits: dict[int, int] = {}
    for first in months:
        days = _month_days(first)
        qs = Dossier.objects.filter(ENDED, received_at__gte=_day_start(days[0]),
                                    received_at__lt=_day_start(days[-1] + dt.timedelta(days=1)))
        received_bits.update({r["pk"]: _bits(r, RECEIVED_KEYS)
                              for r in _evaluate(qs, "received_at", RECEIVED_KEYS)})
    delta: dict[tuple, dict[str, int]] = defaultdict(dict)
    total = 0
    for first in months:
        days = _month_days(first)
        lo, hi = _day_start(days[0]), _day_start(days[-1] + dt.timedelta(days=1))
        qs = Dossier.objects.filter(Q(finished_at__gte=lo, finished_at__lt=hi)
                                    | Q(finished_at__isnull=True, closed_at__gte=lo, closed_at__lt=hi))
        facts = []
        for r in _evaluate(qs, "s_end", ENDED_KEYS):
            part = _part(r, received_bits.pop(r["pk"], 0))
            _add(delta, part, +1)
            facts.append(part.fact(r["pk"]))
        DossierFact.objects.bulk_create(facts, batch_size=CHUNK)
        total += len(facts)
    rows = [DailyFigures(day=day, agency_id=agency, handling_agency_id=handling, procedure_version_id=version,
                         channel=channel, **counts)
            for (day, agency, handling, version, channel), counts in delta.items()]
    DailyFigures.objects.bulk_create(rows, batch_size=CHUNK)
    if connection.vendor == "postgresql":  # fresh tables: let the planner know their size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_dossierfact, reports_dailyfigures")
    state.checked_until = state.built_at = started
    state.rating_id, state.feedback_id = rating_id, feedback_id
    state.save()
    log.info("reports summary rebuilt: %s ended dossiers, %s day rows", total, len(rows))
    return total


# --- reading ------------------------------------------------------------------------------------------


def _summary_columns(keys: Iterable[str]) -> dict:
    """{"s_<metric>": Sum(...)} (aliased: an aggregate may not take a column's own name)."""
    out = {}
    for k in keys:
        if k in BY_CHANNEL:
            out[f"s_{k}"] = Sum("received", filter=Q(channel=BY_CHANNEL[k]))
        elif k in SUMMED:
            out[f"s_{k}"] = Sum(k)
    return out


def _figures(selection: metrics.Selection, period: Period) -> QuerySet[DailyFigures]:
    """The summary rows of the period's days within the selection."""
    figures = DailyFigures.objects.filter(day__gte=period.start, day__lte=period.end)
    q = selection.q()
    return figures if q is None else figures.filter(q)


def ready(selection: metrics.Selection) -> bool:
    """Whether `selection` is read from the summary, which is then up to date."""
    return selection.summarised and refresh() is not None


def grouped(selection: metrics.Selection, period: Period, now: dt.datetime, columns: tuple[str, ...],
            keys: tuple[str, ...], *, fresh: bool = False) -> list[dict]:
    """[{column: value, metric: count…}] like `metrics.grouped(..., limit=None)`, for every group
    with some count; `columns` among the summary's group columns (() gives one row of totals).
    `fresh`: the caller has just made sure the summary is `ready`."""
    qs = selection.queryset()
    if not (fresh or ready(selection)):
        return metrics.counted(qs, period, now, columns, keys)
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))

    def take(rows: Iterable[dict], taken: Iterable[str], prefix: str = "") -> None:
        for r in rows:
            row = out[tuple(r[c] for c in columns)]
            for k in taken:
                row[k] += int(r[prefix + k] or 0)

    summed = _summary_columns(keys)
    if summed:
        figures = _figures(selection, period)
        taken = [k for k in keys if f"s_{k}" in summed]
        if columns:
            take(figures.values(*columns).order_by().annotate(**summed), taken, "s_")
        else:
            take([figures.aggregate(**summed)], taken, "s_")
    # An open dossier counts only if received before the period's end: read through the partial
    # index of open dossiers, not `metrics.relevant`'s wider OR.
    live = qs.filter(OPEN, received_at__lt=period.until)
    take(metrics.counted(live, period, now, columns, keys, narrowed=True), keys)
    at_end = tuple(k for k in keys if k in AT_END_KEYS)
    if at_end and period.until <= now:
        ended_since = qs.filter(Q(finished_at__gte=period.until) | Q(closed_at__gte=period.until),
                                received_at__lt=period.until)
        take(metrics.counted(ended_since, period, now, columns, at_end, narrowed=True), at_end)
    rows = [{**dict(zip(columns, group, strict=True)), **counts} for group, counts in out.items()]
    return [r for r in rows if any(r[k] for k in keys)] if columns else rows


def series(selection: metrics.Selection, period: Period, *, fresh: bool = False) -> tuple[str, list[dict]]:
    """Dossiers received per day (per month over long periods) and channel, like `metrics.series`."""
    if not (fresh or ready(selection)):
        return metrics.series(selection.queryset(), period)
    unit = metrics.series_unit(period)
    # The open dossiers live, then the ended ones from the summary into the same buckets.
    counts = metrics.received_by_bucket(selection.queryset().filter(OPEN), period)
    received = _figures(selection, period).filter(received__gt=0).values("day", "channel").order_by()
    for r in received.annotate(n=Sum("received")):
        counts[r["day"] if unit == "day" else r["day"].replace(day=1)][r["channel"]] += r["n"]
    return unit, metrics.series_rows(counts)
