"""The figures behind the dashboards, as SQL aggregates over dossiers_dossier.

Every number is `COUNT(*) FILTER (WHERE <metric>)` (Django `Count(filter=Q)`) over the viewer's
scoped dossiers, grouped where a table needs it; nothing loads dossiers into Python. Each metric
is one named `Q` (`metric_filters`): the same condition counts the number and lists the dossiers
behind it in the drill-down, so the two always agree.

Scope (`Scope`): a superuser sees everything; a supervisor their agency and every agency below
it; a department head, leader or agency admin their agencies (dossiers received by or handled
by them); every other role (officer, receptionist, clerk) their own work: the dossiers they hold,
were once handed (events' `to_assignee`) or acted on (events' `actor`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role
from motcua.dossiers.deadlines import due_soon_ids
from motcua.dossiers.models import Channel, Dossier, DossierFile, Event, FileKind, Status

from .periods import TZ, Period

AGENCY_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.LEADER, Role.AGENCY_ADMIN})
TOP_ROWS = 100  # rows of the grouped tables (by procedure, officer, step)


# --- scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    agency_ids: frozenset[int] = frozenset()  # agency-level visibility
    own_user_id: int | None = None  # own work (dossiers held, once handed, or acted on)
    member_agency_ids: frozenset[int] = frozenset()  # agencies an own-work viewer may filter on

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.agency_ids and self.own_user_id is None

    def q(self) -> Q | None:
        """The filter on Dossier (None: everything)."""
        if self.everything:
            return None
        parts = Q(pk__in=[])
        if self.agency_ids:
            ids = sorted(self.agency_ids)
            parts |= Q(agency_id__in=ids) | Q(handling_agency_id__in=ids)
        if self.own_user_id is not None:
            mine = self.own_user_id
            touched = Event.objects.filter(Q(to_assignee_id=mine) | Q(actor_id=mine)).values("dossier_id")
            parts |= Q(assignee_id=mine) | Q(pk__in=touched)
        return parts

    def filterable_agency_ids(self) -> frozenset[int] | None:
        """Agencies the viewer may pick in the agency filter (None: any)."""
        if self.everything:
            return None
        return self.agency_ids | self.member_agency_ids

    def allows_agency(self, agency_id: int) -> bool:
        ids = self.filterable_agency_ids()
        return ids is None or agency_id in ids

    @property
    def label(self) -> str:
        if self.everything:
            return str(_("Toàn tỉnh"))
        if self.agency_ids and self.own_user_id is not None:
            return str(_("Cơ quan của tôi và hồ sơ tôi xử lý"))
        if self.agency_ids:
            return str(_("Cơ quan của tôi"))
        return str(_("Hồ sơ tôi xử lý"))


def scope_for(staff) -> Scope:
    """The reports' scope of a back-office user (`request.staff`)."""
    from motcua.dossiers.queries import descendants

    user = staff.user
    if getattr(user, "is_superuser", False):
        return Scope(everything=True)
    ids: set[int] = set()
    roots: set[int] = set()
    own = False
    for a in staff.agencies:
        roles = set(a.roles)
        if Role.SUPERVISOR in roles:
            roots.add(a.agency_id)
        if roles & AGENCY_ROLES:
            ids.add(a.agency_id)
        if roles - AGENCY_ROLES - {Role.SUPERVISOR}:
            own = True
    if roots:
        ids |= descendants(roots)
    return Scope(
        agency_ids=frozenset(ids), own_user_id=user.pk if own else None,
        member_agency_ids=frozenset(a.agency_id for a in staff.agencies),
    )


def agency_filter_q(scope: Scope, agency_id: int | None) -> Q | None:
    """Dossiers of one agency (received or handled there), and of the agencies below it when the
    viewer's scope covers them (a supervisor choosing a commune's parent sees the communes)."""
    if agency_id is None:
        return None
    from motcua.dossiers.queries import descendants

    below = descendants({agency_id})
    allowed = scope.filterable_agency_ids()
    ids = sorted(below if allowed is None else (below & allowed) | {agency_id})
    return Q(agency_id__in=ids) | Q(handling_agency_id__in=ids)


@dataclass(frozen=True)
class Selection:
    """Whose dossiers a report counts: the viewer's scope, narrowed to one agency (and the agencies
    below it) when they chose one. Agency-wide scopes are read from the summary (`summary.py`);
    own-work scopes (an officer's dossiers) are few and counted live."""

    scope: Scope
    agency_id: int | None = None

    def queryset(self) -> QuerySet[Dossier]:
        return scoped(self.scope, self.agency_id)

    @property
    def summarised(self) -> bool:
        from django.conf import settings

        return self.scope.own_user_id is None and settings.MOTCUA_REPORTS_SUMMARY

    def q(self) -> Q | None:
        """The same filter on the summary's group columns (agency_id, handling_agency_id)."""
        parts = [q for q in (self.scope.q(), agency_filter_q(self.scope, self.agency_id)) if q is not None]
        if not parts:
            return None
        out = parts[0]
        for q in parts[1:]:
            out &= q
        return out


def scoped(scope: Scope, agency_id: int | None = None) -> QuerySet[Dossier]:
    qs = Dossier.objects.all()
    q = scope.q()
    if q is not None:
        qs = qs.filter(q)
    extra = agency_filter_q(scope, agency_id)
    if extra is not None:
        qs = qs.filter(extra)
    return qs


# --- metrics --------------------------------------------------------------------------------------


@contextlib.contextmanager
def fast_aggregates(qs: QuerySet) -> Iterator[None]:
    """PostgreSQL: no JIT for these aggregates. Their many FILTER clauses make the planner's
    cost estimate cross `jit_above_cost`, and compiling then takes seconds longer than running
    the query (measured: 2.2 s of JIT for a 0.3 s query). SQLite: nothing to do."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=qs.db):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def annotate(qs: QuerySet[Dossier], period: Period, now: dt.datetime, *, indicators: bool = False):
    """The computed columns the metric filters use."""
    ref = period.reference(now)
    qs = qs.annotate(
        r_end=Coalesce("finished_at", "closed_at"),
        r_fin_day=TruncDate("finished_at", tzinfo=TZ),
        r_due_day=TruncDate("due_at", tzinfo=TZ),
    ).annotate(
        # When an open dossier's clock is judged: its end if it ended in the period; when its clock
        # stopped (waiting for a supplement or a payment) if before the reference; else the reference.
        r_eff=Case(
            When(r_end__lt=period.until, then=F("r_end")),
            When(paused_at__isnull=False, paused_at__lt=ref, then=F("paused_at")),
            # `ref` is an expression when each row has its own period (summary.DayBounds).
            default=ref if hasattr(ref, "resolve_expression") else Value(ref),
            output_field=DateTimeField(),
        ),
    )
    if indicators:
        from motcua.catalog.models import Fee

        # Files are many (several per dossier): probed per row through their (dossier, kind) index,
        # only for the rows the cheaper conditions before them let through.
        files = DossierFile.objects.filter(dossier=OuterRef("pk"))
        qs = qs.annotate(
            r_result=Exists(files.filter(kind=FileKind.RESULT)),
            r_files=Exists(files.filter(kind__in=(FileKind.COMPONENT, FileKind.SUPPLEMENT))),
            r_fee=Exists(Fee.objects.filter(version=OuterRef("procedure_version"), amount_vnd__gt=0)),
        )
    return qs


def _few(model_path: str, *, probe: bool = False, **filters) -> Q:
    """Dossiers named by a small table (payments, unhappy ratings, PAKN): `id IN (…)`, which
    PostgreSQL hashes once instead of probing per row; with `probe`, an EXISTS per row through the
    table's dossier index instead (the same dossiers), cheaper for a few hundred rows."""
    from django.apps import apps

    model = apps.get_model(model_path)
    if probe:
        return Q(Exists(model.objects.filter(dossier=OuterRef("pk"), **filters)))
    return Q(pk__in=model.objects.filter(dossier__isnull=False, **filters).values("dossier_id"))


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    indicator: bool = False  # needs annotate(indicators=True)


METRIC_LABELS: dict[str, tuple[str, bool]] = {
    "received": (_("Tiếp nhận trong kỳ"), False),
    "received_counter": (_("Tiếp nhận trực tiếp"), False),
    "received_online": (_("Tiếp nhận trực tuyến"), False),
    "received_post": (_("Tiếp nhận qua bưu chính"), False),
    "open": (_("Đang xử lý cuối kỳ"), False),
    "open_ok": (_("Đang xử lý, còn hạn"), False),
    "open_soon": (_("Đang xử lý, sắp đến hạn (phần cuối định mức của bước)"), False),
    "open_late": (_("Đang xử lý, quá hạn"), False),
    "open_paused": (_("Đang tạm dừng tính giờ (chờ bổ sung, nghĩa vụ tài chính)"), False),
    "finished": (_("Đã xử lý xong trong kỳ"), False),
    "finished_early": (_("Xử lý xong trước hạn"), False),
    "finished_on_time": (_("Xử lý xong đúng hạn"), False),
    "finished_late": (_("Xử lý xong quá hạn"), False),
    "refused": (_("Từ chối tiếp nhận trong kỳ"), False),
    "withdrawn": (_("Rút hồ sơ trong kỳ"), False),
    "stopped": (_("Dừng xử lý trong kỳ"), False),
    "i_base": (_("Hồ sơ tính chỉ số 2.1 (kết thúc trong kỳ hoặc đang xử lý cuối kỳ)"), False),
    "i_on_time": (_("Hồ sơ đúng hạn (chỉ số 2.1)"), False),
    "i_late": (_("Hồ sơ quá hạn (chỉ số 2.1)"), False),
    "i_fee": (_("Tiếp nhận trong kỳ, thủ tục có phí"), True),
    "i_paid": (_("Đã thanh toán trực tuyến"), True),
    "i_fee_paid": (_("Đã nộp phí, lệ phí (trực tuyến hoặc tại quầy)"), True),
    "i_result": (_("Xử lý xong, có kết quả điện tử"), True),
    "i_digitised": (_("Tiếp nhận trong kỳ, đã số hóa"), True),
    "i_complained": (_("Có phản ánh, kiến nghị hoặc đánh giá không hài lòng"), True),
    "i_late_or_complained": (_("Quá hạn, hoặc có phản ánh / đánh giá không hài lòng"), True),
}

DASHBOARD_METRICS = (
    "received", "received_counter", "received_online", "received_post",
    "open", "open_ok", "open_soon", "open_late", "open_paused",
    "finished", "finished_early", "finished_on_time", "finished_late",
    "refused", "withdrawn", "stopped",
)
INDICATOR_METRICS = (
    "received", "received_online", "received_counter", "received_post", "finished",
    "i_base", "i_on_time", "i_late", "i_fee", "i_paid", "i_result", "i_digitised", "i_complained", "i_fee_paid",
)


def metric(key: str) -> Metric | None:
    entry = METRIC_LABELS.get(key)
    return Metric(key, str(entry[0]), entry[1]) if entry else None


# Within one page (`dashboard`): the due-soon ids of each reference instant, found once.
_SOON_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar("motcua_reports_soon", default=None)


@contextlib.contextmanager
def soon_memo() -> Iterator[None]:
    token = _SOON_MEMO.set({})
    try:
        yield
    finally:
        _SOON_MEMO.reset(token)


def _soon(ref) -> Q:
    """"Sắp đến hạn" at `ref`: the back office's and the daily warnings' rule
    (`dossiers.deadlines.due_soon_ids`: the last share of the current step's quota of working
    hours), as `id IN (…)` of the few running dossiers it names. The rule reads the dossier's
    current step, so it judges the dossiers still running; one that has ended since a past
    period's end (the summary's rows, judged at an F() bound) is not counted as due soon."""
    if not isinstance(ref, dt.datetime):
        ids = []
    else:
        memo = _SOON_MEMO.get()
        ids = memo.get(ref) if memo is not None else None
        if ids is None:
            ids = due_soon_ids(Dossier.objects.all(), ref)
            if memo is not None:
                memo[ref] = ids
    # Never `pk__in=[]`: in an aggregate's filter it would empty the whole query.
    return Q(pk__in=ids) if ids else Q(pk__isnull=True)


class _Filters(dict):
    """The metrics' conditions; "open_soon" and "open_ok" (which need the due-soon rule's query)
    are built when first asked for, so that tables without them cost no query more."""

    LAZY = ("open_soon", "open_ok")

    def __init__(self, conditions: dict[str, Q], lazy):
        super().__init__(conditions)
        self._lazy = lazy

    def __contains__(self, key) -> bool:
        return key in self.LAZY or super().__contains__(key)

    def __missing__(self, key: str) -> Q:
        if key not in self.LAZY:
            raise KeyError(key)
        self.update(self._lazy())
        return dict.__getitem__(self, key)


def metric_filters(period: Period, now: dt.datetime, *, probe: bool = False) -> _Filters:
    """Each metric's condition on an `annotate`d queryset of dossiers (`probe`: see `_few`)."""
    since, until = period.since, period.until
    ref = period.reference(now)
    in_period = {"gte": since, "lt": until}

    def between(column: str) -> Q:
        return Q(**{f"{column}__{op}": value for op, value in in_period.items()})

    received = between("received_at")
    finished = between("finished_at")
    closed = between("closed_at")
    fin_late = Q(counts_as_late=True) | Q(due_at__isnull=False, finished_at__gt=F("due_at"))
    fin_early = Q(counts_as_late=False, due_at__isnull=False, r_fin_day__lt=F("r_due_day"))
    fin_on_time = Q(counts_as_late=False) & (
        Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at"), r_fin_day__gte=F("r_due_day"))
    )
    # Written on the columns (not on r_end) so that PostgreSQL can use their indexes.
    unfinished = Q(finished_at__isnull=True, closed_at__isnull=True)
    is_open = Q(received_at__lt=until) & (unfinished | Q(finished_at__gte=until) | Q(closed_at__gte=until))
    running = Q(counts_as_late=False, paused_at__isnull=True)
    base = Q(received_at__lt=until) & (unfinished | Q(finished_at__gte=since) | Q(closed_at__gte=since))
    late = Q(counts_as_late=True) | Q(due_at__isnull=False, r_eff__gt=F("due_at"))
    on_time = Q(counts_as_late=False) & (Q(due_at__isnull=True) | Q(r_eff__lte=F("due_at")))
    complained = _few("feedback.Rating", probe=probe, unsatisfied=True) | _few("feedback.Feedback", probe=probe)
    fee = received & Q(r_fee=True)
    paid = _few("payments.Payment", probe=probe, state="paid")

    def due_soon() -> dict[str, Q]:
        soon = _soon(ref)
        return {"open_ok": is_open & running & (Q(due_at__isnull=True) | Q(due_at__gte=ref)) & ~soon,
                "open_soon": is_open & running & soon}

    return _Filters({
        "received": received,
        "received_counter": received & Q(channel=Channel.COUNTER),
        "received_online": received & Q(channel=Channel.ONLINE),
        "received_post": received & Q(channel=Channel.POST),
        "open": is_open,
        "open_late": is_open & (Q(counts_as_late=True) | Q(paused_at__isnull=True, due_at__lt=ref)),
        "open_paused": is_open & Q(counts_as_late=False, paused_at__isnull=False),
        "finished": finished,
        "finished_early": finished & fin_early,
        "finished_on_time": finished & fin_on_time,
        "finished_late": finished & fin_late,
        "refused": closed & Q(status=Status.REFUSED),
        "withdrawn": closed & Q(status=Status.WITHDRAWN),
        "stopped": closed & Q(status=Status.STOPPED),
        "i_base": base,
        "i_on_time": base & on_time,
        "i_late": base & late,
        "i_fee": fee,
        "i_paid": fee & paid,
        # Counted alike whether paid online (a payment recorded on the dossier) or at the counter
        # (record_fee): both add to fee_collected (#17).
        "i_fee_paid": fee & Q(fee_collected__gt=0),
        "i_result": finished & Q(r_result=True),
        "i_digitised": received & Q(r_files=True) & (~Q(status__in=(Status.COMPLETED, Status.RETURNED))
                                                     | Q(r_result=True)),
        "i_complained": base & complained,
        "i_late_or_complained": base & (late | complained),
    }, due_soon)


def relevant(period: Period) -> Q:
    """Dossiers that can count in any metric of the period: a flat OR of conditions that each have
    an index (received_at, finished_at, closed_at, and the partial index of unfinished dossiers),
    so that PostgreSQL reads them with bitmap index scans instead of the whole table."""
    since, until = period.since, period.until
    return (
        Q(received_at__gte=since, received_at__lt=until)
        | Q(finished_at__gte=since)  # finished in the period, or after it (open at its end)
        | Q(closed_at__gte=since)  # refused, withdrawn or stopped in or after the period
        | Q(finished_at__isnull=True, closed_at__isnull=True, received_at__lt=until)  # still open
    )


def counts(qs: QuerySet[Dossier], period: Period, now: dt.datetime, keys=DASHBOARD_METRICS, *,
           narrowed: bool = False) -> dict[str, int]:
    """{metric: count} in one aggregate query. `narrowed`: `qs` holds only dossiers that can count
    (the caller filtered them more tightly than `relevant`)."""
    indicator = any(METRIC_LABELS[k][1] for k in keys)
    filters = metric_filters(period, now)
    qs = annotate(qs if narrowed else qs.filter(relevant(period)), period, now, indicators=indicator)
    with fast_aggregates(qs):
        row = qs.aggregate(**{k: Count("pk", filter=filters[k]) for k in keys})
    return {k: int(v or 0) for k, v in row.items()}


def grouped(qs: QuerySet[Dossier], period: Period, now: dt.datetime, columns: str | tuple[str, ...], keys, *,
            only: str | None = None, order: str | None = None, limit: int | None = TOP_ROWS,
            narrowed: bool = False) -> list[dict]:
    """[{column: value, metric: count…}] grouped by dossier columns (rows with some count), one query."""
    columns = (columns,) if isinstance(columns, str) else tuple(columns)
    filters = metric_filters(period, now)
    indicator = any(METRIC_LABELS[k][1] for k in keys)
    qs = annotate(qs if narrowed else qs.filter(relevant(period)), period, now, indicators=indicator)
    if only:
        qs = qs.filter(filters[only])
    rows = (
        qs.values(*columns).order_by()
        .annotate(**{k: Count("pk", filter=filters[k]) for k in keys})
        .order_by(f"-{order or keys[0]}", *columns)
    )
    if limit is not None:
        rows = rows[:limit]
    with fast_aggregates(qs):
        return [r for r in rows if any(r[k] for k in keys)]


def add_up(rows: list[dict], keys) -> dict[str, int]:
    """Totals of grouped rows (exact when every dossier falls in one group)."""
    return {k: sum(r[k] for r in rows) for k in keys}


def drilldown(qs: QuerySet[Dossier], period: Period, now: dt.datetime, key: str) -> QuerySet[Dossier]:
    filters = metric_filters(period, now)
    return annotate(qs, period, now, indicators=METRIC_LABELS[key][1]).filter(filters[key])


def series_unit(period: Period) -> str:
    return "day" if period.days <= 62 else "month"


def received_by_bucket(qs: QuerySet[Dossier], period: Period) -> dict[dt.date, dict[int, int]]:
    """{day or first of month: {channel: dossiers received}} for the period (see `series`)."""
    unit = series_unit(period)
    trunc = TruncDate("received_at", tzinfo=TZ) if unit == "day" else TruncMonth("received_at", tzinfo=TZ)
    rows = (
        qs.filter(received_at__gte=period.since, received_at__lt=period.until)
        .annotate(bucket=trunc).values("bucket", "channel").order_by().annotate(n=Count("*"))
    )
    by_bucket: dict = defaultdict(lambda: {1: 0, 2: 0, 3: 0})
    with fast_aggregates(qs):
        rows = list(rows)
    for r in rows:
        bucket = r["bucket"]
        if isinstance(bucket, dt.datetime):
            bucket = bucket.date()
        by_bucket[bucket][r["channel"]] += r["n"]
    return by_bucket


def series_rows(by_bucket: dict[dt.date, dict[int, int]]) -> list[dict]:
    return [{"bucket": b, "counter": v[1], "online": v[2], "post": v[3], "total": v[1] + v[2] + v[3]}
            for b, v in sorted(by_bucket.items())]


def series(qs: QuerySet[Dossier], period: Period) -> tuple[str, list[dict]]:
    """Dossiers received per day (per month over long periods) and channel: ("day"|"month", rows)."""
    return series_unit(period), series_rows(received_by_bucket(qs, period))


@dataclass
class Dashboard:
    totals: dict[str, int]
    by_procedure: list[dict] = field(default_factory=list)
    by_officer: list[dict] = field(default_factory=list)
    by_step: list[dict] = field(default_factory=list)
    series_unit: str = "day"
    series: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.totals.values())


PROCEDURE_KEYS = ("received", "finished", "finished_late", "open", "open_late")
WORK_KEYS = ("open", "open_late", "open_soon", "open_paused")


def _by(source: Selection | QuerySet[Dossier], period: Period, now: dt.datetime, columns: tuple[str, ...],
        keys) -> list[dict]:
    """Grouped counts from a Selection (the summary and the live open dossiers) or, for a plain
    queryset, live from the dossiers (the reference the summary is tested against)."""
    if isinstance(source, Selection):
        from . import summary

        return summary.grouped(source, period, now, columns, keys)
    return counted(source, period, now, columns, keys)


def counted(qs: QuerySet[Dossier], period: Period, now: dt.datetime, columns: tuple[str, ...], keys, *,
            narrowed: bool = False) -> list[dict]:
    """Live: every group of `columns` with some count, or one row of totals when `columns` is ()."""
    if not columns:
        return [counts(qs, period, now, keys, narrowed=narrowed)]
    return grouped(qs, period, now, columns, keys, limit=None, narrowed=narrowed)


def _queryset(source: Selection | QuerySet[Dossier]) -> QuerySet[Dossier]:
    return source.queryset() if isinstance(source, Selection) else source


def dashboard(source: Selection | QuerySet[Dossier], period: Period, now: dt.datetime) -> Dashboard:
    """The counts by procedure version (the totals are their sums), the work in hand at the
    period's end by officer and step (live: open dossiers), dossiers received per day or month, and
    three small look-ups of names."""
    with soon_memo():  # the tables share one look-up of the dossiers due soon
        return _dashboard(source, period, now)


def _dashboard(source: Selection | QuerySet[Dossier], period: Period, now: dt.datetime) -> Dashboard:
    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion, WorkflowStep

    from . import summary

    if isinstance(source, Selection) and not summary.ready(source):
        source = source.queryset()  # an officer's own work, or no summary yet: live
    if isinstance(source, Selection):
        version_rows = summary.grouped(source, period, now, ("procedure_version_id",), DASHBOARD_METRICS, fresh=True)
    else:
        version_rows = _by(source, period, now, ("procedure_version_id",), DASHBOARD_METRICS)
    qs = _queryset(source)
    board = Dashboard(totals=add_up(version_rows, DASHBOARD_METRICS))
    if board.empty:
        return board
    versions = {v.pk: v for v in ProcedureVersion.objects.filter(
        pk__in=[r["procedure_version_id"] for r in version_rows]).select_related("procedure")}
    merged: dict[int, dict] = {}
    for r in version_rows:
        v = versions[r["procedure_version_id"]]
        row = merged.setdefault(v.procedure_id, {"code": v.procedure.code, "name": v.name,
                                                 **dict.fromkeys(PROCEDURE_KEYS, 0)})
        for k in PROCEDURE_KEYS:
            row[k] += r[k]
    board.by_procedure = sorted(merged.values(), key=lambda r: (-r["received"], -r["open"], r["code"]))[:TOP_ROWS]
    # Work in hand at the period's end: one query by (officer, step), added up both ways.
    work = grouped(qs, period, now, ("assignee_id", "current_step_id"), WORK_KEYS, only="open", limit=None)
    by_officer: dict[int | None, dict] = {}
    by_step: dict[int | None, dict] = {}
    for r in work:
        for table, column in ((by_officer, "assignee_id"), (by_step, "current_step_id")):
            row = table.setdefault(r[column], {column: r[column], **dict.fromkeys(WORK_KEYS, 0)})
            for k in WORK_KEYS:
                row[k] += r[k]

    def top(table: dict) -> list[dict]:
        return sorted(table.values(), key=lambda r: (-r["open"], -r["open_late"]))[:TOP_ROWS]

    officer_rows, step_rows = top(by_officer), top(by_step)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[r["assignee_id"] for r in officer_rows if
                                                               r["assignee_id"]])}
    board.by_officer = [{**r, "name": names.get(r["assignee_id"], str(_("Chưa giao (nhóm vai trò)")))}
                        for r in officer_rows]
    steps = {s.pk: s for s in WorkflowStep.objects.filter(
        pk__in=[r["current_step_id"] for r in step_rows if r["current_step_id"]]
    ).select_related("case__version")}
    board.by_step = [
        {**r, "name": steps[r["current_step_id"]].name if r["current_step_id"] in steps else str(_("Không có bước")),
         "procedure": steps[r["current_step_id"]].case.version.name if r["current_step_id"] in steps else ""}
        for r in step_rows
    ]
    if isinstance(source, Selection):
        board.series_unit, board.series = summary.series(source, period, fresh=True)
    else:
        board.series_unit, board.series = series(qs, period)
    return board


def indicator_counts(source: Selection | QuerySet[Dossier], period: Period, now: dt.datetime) -> dict[str, int]:
    return _by(source, period, now, (), INDICATOR_METRICS)[0]


def indicator_counts_by_agency(source: Selection | QuerySet[Dossier], period: Period,
                               now: dt.datetime) -> list[dict]:
    """Indicator counts grouped by receiving agency (they add up to the totals), most received first."""
    rows = _by(source, period, now, ("agency_id",), INDICATOR_METRICS)
    return sorted(rows, key=lambda r: (-r["received"], r["agency_id"]))
