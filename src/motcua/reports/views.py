"""Staff report pages: dashboard, QĐ 766 indicators, drill-down lists, bottlenecks, exports.

Views are thin: `Filters` reads and checks the query string (period, agency) against the viewer's
scope, `metrics` / `indicators` / `bottlenecks` compute, the templates show. A bad period or an
agency outside the viewer's scope is refused with a Vietnamese message and the typed values
are shown again; nothing is computed then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from motcua.agencies.models import Agency
from motcua.staff.access import staff_required
from motcua.staff.ledger import ledger_agency, ledger_period
from motcua.staff.pages import LIST_RELATED, clean_text, paginate, staff_render

from . import bottlenecks as bn
from . import exports, indicators, metrics, periods
from .metrics import Scope

PRESET_CHOICES = (
    ("thang", gettext_lazy("Tháng này")), ("thang-truoc", gettext_lazy("Tháng trước")),
    ("quy", gettext_lazy("Quý này")), ("nam", gettext_lazy("Năm nay")),
)
MAX_EXPORT_ROWS = 10_000
PAGE_SIZE = 25

# The exports' table titles; each becomes a sheet name (tests/reports/test_it_names_sheets.py
# checks them all, with the figures' labels that title the drill-down lists).
SUMMARY_TITLE = gettext_lazy("Tổng hợp tình hình giải quyết hồ sơ")
SERIES_TITLE = gettext_lazy("Hồ sơ tiếp nhận theo thời gian")
BY_PROCEDURE_TITLE = gettext_lazy("Theo thủ tục")
BY_OFFICER_TITLE = gettext_lazy("Hồ sơ đang giữ theo cán bộ")
BY_STEP_TITLE = gettext_lazy("Hồ sơ đang xử lý theo bước")
INDICATORS_TITLE = gettext_lazy("Chỉ số QĐ 766/QĐ-TTg")
INDICATORS_BY_AGENCY_TITLE = gettext_lazy("Chỉ số theo cơ quan tiếp nhận")
BOTTLENECKS_TITLE = gettext_lazy("Điểm nghẽn theo bước xử lý")
LEDGER_TITLE = gettext_lazy("Sổ theo dõi hồ sơ (mẫu 07)")
TABLE_TITLES = (SUMMARY_TITLE, SERIES_TITLE, BY_PROCEDURE_TITLE, BY_OFFICER_TITLE, BY_STEP_TITLE, INDICATORS_TITLE,
                INDICATORS_BY_AGENCY_TITLE, BOTTLENECKS_TITLE, LEDGER_TITLE)


def now() -> dt.datetime:
    """Now (one place, so tests can move the clock)."""
    return timezone.now()


@dataclass
class Filters:
    scope: Scope
    period: periods.Period | None = None
    agency: Agency | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    agencies: list[Agency] = field(default_factory=list)

    def params(self, **extra) -> dict[str, str]:
        out = dict(self.period.params()) if self.period else {}
        if self.agency is not None:
            out["co_quan"] = self.agency.unit_code
        out.update({k: str(v) for k, v in extra.items() if v not in (None, "")})
        return out

    def query(self, **extra) -> str:
        return urlencode(self.params(**extra))

    def url(self, name: str, **extra) -> str:
        return reverse(name) + "?" + self.query(**extra)

    def selection(self) -> metrics.Selection:
        return metrics.Selection(self.scope, self.agency.pk if self.agency else None)

    def queryset(self):
        return self.selection().queryset()

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency else self.scope.label

    def notes(self) -> list[str]:
        return [_("Kỳ: %(p)s") % {"p": self.period.label}, _("Phạm vi: %(s)s") % {"s": self.agency_label}]


def agency_options(scope: Scope) -> list[Agency]:
    qs = Agency.objects.only("pk", "name", "unit_code").order_by("name")
    ids = scope.filterable_agency_ids()
    if ids is not None:
        qs = qs.filter(pk__in=sorted(ids))
    return list(qs)


def read_filters(request) -> Filters:
    get = request.GET
    scope = metrics.scope_for(request.staff)
    f = Filters(scope=scope)
    f.values = {k: clean_text(get.get(k), 20) for k in ("ky", "tu", "den", "co_quan")}
    current = getattr(request.staff, "current", None)
    if "co_quan" not in get and current is not None:
        # The agency chosen in the back office's switcher, until the viewer picks another (or
        # "Toàn bộ phạm vi của tôi", an empty co_quan).
        f.values["co_quan"] = current.unit_code
    f.agencies = agency_options(scope)
    try:
        f.period = periods.parse(f.values, timezone.localdate())
    except periods.PeriodError as exc:
        f.errors.append((f"f-{exc.field}", exc.message))
    code = f.values["co_quan"]
    if code:
        agency = next((a for a in f.agencies if a.unit_code == code), None)
        if agency is None:
            f.errors.append(("f-co_quan", _("Cơ quan có mã «%(code)s» không có hoặc nằm ngoài phạm vi bạn được xem.")
                             % {"code": code}))
        f.agency = agency
    if f.period is None:
        f.values.setdefault("ky", "")
    return f


def wanted_format(request) -> str:
    fmt = (request.GET.get("format") or "").strip().lower()
    return fmt if fmt in exports.FORMATS else ""


def _render(request, template: str, f: Filters, context: dict, status: int = 200):
    return staff_render(request, template, {
        "nav": "reports", "filters": f, "values": f.values, "errors": f.errors, "presets": PRESET_CHOICES,
        "agencies": f.agencies, **context,
    }, status=status)


def _cell(f: Filters, key: str, n: int, **extra) -> dict:
    return {"n": n, "url": f.url("reports:drilldown", chi_so=key, **extra)}


# --- dashboard ------------------------------------------------------------------------------------


def dashboard_tables(f: Filters, board: metrics.Dashboard) -> list[exports.Table]:
    t = board.totals
    label = {k: str(v[0]) for k, v in metrics.METRIC_LABELS.items()}
    notes = f.notes()
    tables = [exports.Table(str(SUMMARY_TITLE), [_("Chỉ tiêu"), _("Số hồ sơ")],
                            [[label[k], t.get(k, 0)] for k in metrics.DASHBOARD_METRICS], notes)]
    unit_label = _("Ngày") if board.series_unit == "day" else _("Tháng")
    tables.append(exports.Table(str(SERIES_TITLE),
                                [unit_label, _("Trực tiếp"), _("Trực tuyến"), _("Bưu chính"), _("Tổng")],
                                [[r["bucket"] if board.series_unit == "day" else r["bucket"].strftime("%m/%Y"),
                                  r["counter"], r["online"], r["post"], r["total"]] for r in board.series], notes))
    tables.append(exports.Table(
        str(BY_PROCEDURE_TITLE),
        [_("Mã thủ tục"), _("Thủ tục"), _("Tiếp nhận"), _("Xử lý xong"), _("Xong quá hạn"), _("Đang xử lý"),
         _("Đang quá hạn")],
        [[r["code"], r["name"], r["received"], r["finished"], r["finished_late"], r["open"], r["open_late"]]
         for r in board.by_procedure], notes))
    work_headers = [_("Đang xử lý"), _("Quá hạn"), _("Sắp đến hạn"), _("Tạm dừng")]
    tables.append(exports.Table(str(BY_OFFICER_TITLE), [_("Cán bộ"), *work_headers],
                                [[r["name"], r["open"], r["open_late"], r["open_soon"], r["open_paused"]]
                                 for r in board.by_officer], notes))
    tables.append(exports.Table(str(BY_STEP_TITLE), [_("Bước"), _("Thủ tục"), *work_headers],
                                [[r["name"], r["procedure"], r["open"], r["open_late"], r["open_soon"],
                                  r["open_paused"]] for r in board.by_step], notes))
    return tables


@require_safe
@staff_required
def dashboard(request):
    f = read_filters(request)
    if f.errors:
        return _render(request, "reports/dashboard.html", f, {"board": None})
    board = metrics.dashboard(f.selection(), f.period, now())
    fmt = wanted_format(request)
    if fmt:
        name = f"thong-ke-{f.period.start:%Y%m%d}-{f.period.end:%Y%m%d}"
        return exports.response(fmt, dashboard_tables(f, board), name)
    cells = {k: _cell(f, k, board.totals.get(k, 0)) for k in metrics.DASHBOARD_METRICS}
    for row in board.by_procedure:
        row["urls"] = {k: f.url("reports:drilldown", chi_so=k, thu_tuc=row["code"]) for k in metrics.PROCEDURE_KEYS}
    for row in board.by_officer:
        row["urls"] = {k: f.url("reports:drilldown", chi_so=k, can_bo=row["assignee_id"] or 0)
                       for k in metrics.WORK_KEYS}
    for row in board.by_step:
        row["urls"] = {k: f.url("reports:drilldown", chi_so=k, buoc=row["current_step_id"] or 0)
                       for k in metrics.WORK_KEYS}
    for row in board.series:
        row["label"] = (row["bucket"].strftime("%d/%m") if board.series_unit == "day"
                        else row["bucket"].strftime("%m/%Y"))
    return _render(request, "reports/dashboard.html", f, {
        "board": board, "cells": cells, "export_base": f.query(),
    })


# --- indicators -----------------------------------------------------------------------------------


def indicator_tables(f: Filters, items: list[indicators.Indicator], by_agency: list[dict]) -> list[exports.Table]:
    notes = f.notes()
    main = exports.Table(
        str(INDICATORS_TITLE),
        [_("Chỉ số"), _("Tên"), _("Giá trị (%)"), _("Tử số"), _("Mẫu số"), _("Định nghĩa")],
        [[i.code, str(i.title), i.value if i.value is not None else _("không có dữ liệu"), i.numerator,
          i.denominator, str(i.definition)] for i in items], notes)
    rows = []
    for r in by_agency:
        values = r["indicators"]
        rows.append([r["name"], r["received"], *[v.value if v.value is not None else _("không có dữ liệu")
                                                  for v in values]])
    per_agency = exports.Table(
        str(INDICATORS_BY_AGENCY_TITLE),
        [_("Cơ quan"), _("Tiếp nhận"), *[f"{i.code} (%)" for i in items]], rows, notes)
    return [main, per_agency]


def compute_indicators(f: Filters) -> tuple[dict, list[indicators.Indicator], list[dict]]:
    rows = metrics.indicator_counts_by_agency(f.selection(), f.period, now())
    counts = metrics.add_up(rows, metrics.INDICATOR_METRICS)
    items = indicators.build(counts)
    names = dict(Agency.objects.filter(pk__in=[r["agency_id"] for r in rows]).values_list("pk", "name"))
    by_agency = [{"agency_id": r["agency_id"], "name": names.get(r["agency_id"], ""), "received": r["received"],
                  "indicators": indicators.build(r)} for r in rows]
    return counts, items, by_agency


@require_safe
@staff_required
def indicators_page(request):
    f = read_filters(request)
    if f.errors:
        return _render(request, "reports/indicators.html", f, {"items": None})
    counts, items, by_agency = compute_indicators(f)
    fmt = wanted_format(request)
    if fmt:
        return exports.response(fmt, indicator_tables(f, items, by_agency),
                                f"chi-so-766-{f.period.start:%Y%m%d}-{f.period.end:%Y%m%d}")
    cards = []
    for i in items:
        cards.append({
            "item": i,
            "num_url": f.url("reports:drilldown", chi_so=i.numerator_metric),
            "den_url": f.url("reports:drilldown", chi_so=i.denominator_metric),
        })
    return _render(request, "reports/indicators.html", f, {
        "items": items, "cards": cards, "counts": counts, "by_agency": by_agency, "export_base": f.query(),
        "late_url": f.url("reports:drilldown", chi_so="i_late"),
        "complained_url": f.url("reports:drilldown", chi_so="i_complained"),
        "has_data": any(i.denominator for i in items),
    })


# --- drill-down -----------------------------------------------------------------------------------


def _int_param(value: str | None) -> int | None:
    value = (value or "").strip()[:12]
    return int(value) if value.isdigit() else None


def drilldown_choices(f: Filters) -> list[dict]:
    """The figures a list of dossiers can be opened for, grouped as the dashboard and the
    indicators page show them, each a link keeping the period and scope (when valid)."""
    keep = {} if f.errors else f.params()
    indicator_keys = [k for k in metrics.METRIC_LABELS if k.startswith("i_")]
    groups = ((_("Tình hình giải quyết hồ sơ"), metrics.DASHBOARD_METRICS),
              (_("Số liệu tính chỉ số QĐ 766"), indicator_keys))
    return [{"title": title, "items": [
        {"key": k, "label": str(metrics.METRIC_LABELS[k][0]),
         "url": reverse("reports:drilldown") + "?" + urlencode({**keep, "chi_so": k})} for k in keys]}
        for title, keys in groups]


@require_safe
@staff_required
def drilldown(request):
    f = read_filters(request)
    key = clean_text(request.GET.get("chi_so"), 40)
    m = metrics.metric(key)
    if m is None:
        # Opened bare (from a bookmark, the address bar) or with a figure that does not exist:
        # a chooser of the figures, in the period and scope asked for, instead of an error.
        return _render(request, "reports/drilldown.html", f, {
            "metric": None, "page": None, "unknown": key, "choices": drilldown_choices(f),
        })
    extra: dict[str, str] = {}
    if f.errors:
        return _render(request, "reports/drilldown.html", f, {"metric": m, "page": None})
    qs = metrics.drilldown(f.queryset(), f.period, now(), key)
    procedure = clean_text(request.GET.get("thu_tuc"), 50)
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
        extra["thu_tuc"] = procedure
    officer = _int_param(request.GET.get("can_bo"))
    if officer is not None:
        qs = qs.filter(assignee_id=officer or None) if officer else qs.filter(assignee__isnull=True)
        extra["can_bo"] = str(officer)
    step = _int_param(request.GET.get("buoc"))
    if step is not None:
        qs = qs.filter(current_step_id=step) if step else qs.filter(current_step__isnull=True)
        extra["buoc"] = str(step)
    qs = qs.select_related(*LIST_RELATED).order_by(F("received_at").desc(nulls_last=True), "-id")
    fmt = wanted_format(request)
    if fmt:
        rows = list(qs[:MAX_EXPORT_ROWS])
        notes = f.notes()
        if len(rows) == MAX_EXPORT_ROWS:
            notes.append(_("Chỉ xuất %(n)d hồ sơ đầu tiên; hãy thu hẹp khoảng thời gian.") % {"n": MAX_EXPORT_ROWS})
        table = exports.Table(m.label, [
            _("Mã hồ sơ"), _("Thủ tục"), _("Nơi tiếp nhận"), _("Trạng thái"), _("Tiếp nhận"), _("Hẹn trả"),
            _("Xử lý xong"), _("Người xử lý")],
            [[d.code, d.procedure_version.name, d.agency.name, d.get_status_display(), d.received_at, d.due_at,
              d.finished_at, str(d.assignee) if d.assignee else ""] for d in rows], notes)
        return exports.response(fmt, [table], f"ho-so-{key}")
    page = paginate(request, qs, PAGE_SIZE)
    return _render(request, "reports/drilldown.html", f, {
        "metric": m, "page": page, "dossiers": page.object_list, "caption": m.label,
        "page_query": f.query(chi_so=key, **extra), "export_base": f.query(chi_so=key, **extra),
        "back_url": f.url("reports:dashboard"), "keep": [("chi_so", key), *extra.items()],
    })


# --- bottlenecks ----------------------------------------------------------------------------------


def bottleneck_table(f: Filters, rows: list[bn.BottleneckRow]) -> exports.Table:
    return exports.Table(
        str(BOTTLENECKS_TITLE),
        [_("Bước"), _("Thủ tục"), _("Vai trò"), _("Số lượt"), _("Trung vị (giờ)"), _("Phân vị 90 (giờ)"),
         _("Định mức (giờ)"), _("Vượt định mức (%)"), _("Cảnh báo")],
        [[r.name, f"{r.procedure_code} {r.procedure}", r.role, r.stats.count, r.stats.median_hours,
          r.stats.p90_hours, r.stats.quota_hours, r.stats.over_share,
          _("Trung vị vượt định mức") if r.stats.flagged else ""] for r in rows],
        f.notes(),
    )


@require_safe
@staff_required
def bottlenecks_page(request):
    f = read_filters(request)
    procedure = clean_text(request.GET.get("thu_tuc"), 50)
    f.values["thu_tuc"] = procedure
    if f.errors:
        return _render(request, "reports/bottlenecks.html", f, {"rows": None, "procedure": procedure})
    rows = bn.bottlenecks(f.queryset(), f.period, procedure_code=procedure)
    fmt = wanted_format(request)
    if fmt:
        return exports.response(fmt, [bottleneck_table(f, rows)],
                                f"diem-nghen-{f.period.start:%Y%m%d}-{f.period.end:%Y%m%d}")
    return _render(request, "reports/bottlenecks.html", f, {
        "rows": rows, "procedure": procedure, "export_base": f.query(thu_tuc=procedure),
        "flagged": sum(1 for r in rows if r.stats.flagged),
    })


# --- the ledger (form 07) as XLSX / CSV -------------------------------------------------------------


@require_safe
@staff_required
def ledger_export(request, fmt: str):
    """The ledger rows (same agency and dates as /can-bo/so-theo-doi/) as XLSX or CSV."""
    staff = request.staff
    start, end = ledger_period(request)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=periods.TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=periods.TZ)
    from motcua.dossiers.models import Dossier

    agency = ledger_agency(request)
    if agency is not None:
        qs = Dossier.objects.filter(agency=agency)
    elif getattr(staff.user, "is_superuser", False):
        qs = Dossier.objects.all()  # a superuser who has not chosen a book: every agency's
    else:
        qs = Dossier.objects.none()
    qs = (qs.filter(received_at__gte=since, received_at__lt=until)
          .select_related("procedure_version__agency", "agency", "handling_agency").order_by("received_at", "id"))
    rows = []
    for d in qs[: MAX_EXPORT_ROWS * 5].iterator(chunk_size=2000):
        rows.append([d.ledger_number, d.code, d.procedure_version.name, d.applicant_name, d.applicant_address,
                     d.applicant_phone, d.agency.name, d.procedure_version.agency.name, d.received_at, d.due_at,
                     d.finished_at, d.returned_at, d.get_status_display()])
    table = exports.Table(
        str(LEDGER_TITLE),
        [_("STT"), _("Mã hồ sơ"), _("Thủ tục"), _("Người nộp"), _("Địa chỉ"), _("Điện thoại"), _("Nơi tiếp nhận"),
         _("Cơ quan giải quyết"), _("Nhận hồ sơ"), _("Hẹn trả"), _("Xử lý xong"), _("Trả kết quả"), _("Tình trạng")],
        rows, [_("Tiếp nhận từ %(a)s đến %(b)s") % {"a": f"{start:%d/%m/%Y}", "b": f"{end:%d/%m/%Y}"}],
    )
    return exports.response(fmt, [table], f"so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}")
