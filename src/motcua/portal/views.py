"""Public portal pages (service levels 1–2): home, catalogue, procedure, agencies, form download.

Views stay thin: they read and clean the request, ask the catalogue for data with the
related rows fetched up front (no N+1 queries), and hand it to the templates. Bad input
(absurd queries, unknown filters, wrong page numbers) never fails: it is ignored or
clamped, and the page answers normally.
"""

from __future__ import annotations

import logging
import mimetypes
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from motcua.agencies.models import Agency
from motcua.catalog import deadlines, zero_results
from motcua.catalog.models import (
    Component,
    FormTemplate,
    Guide,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    ServiceLevel,
    WorkflowStep,
)
from motcua.catalog.search import Filters, search
from motcua.core.text import MAX_QUERY_CHARS, fold

logger = logging.getLogger(__name__)

PUBLISHED = ProcedureVersion.State.PUBLISHED
SUBJECTS = ("citizen", "business")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _page_size() -> int:
    return settings.MOTCUA_PAGE_SIZE


def _clean_text(value: str | None, limit: int) -> str:
    """One line of user text, without control characters (PostgreSQL refuses NUL), capped."""
    value = (value or "")[: limit * 4]
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())[:limit]


def _paginate(request, queryset, per_page: int | None = None) -> Page:
    # get_page() turns a non-numeric page into 1 and an out-of-range one into the last page.
    raw = request.GET.get("page", "")
    page = Paginator(queryset, per_page or _page_size()).get_page(raw[:20])
    page.elided_range = list(
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


def _listing(queryset):
    """What a list of procedures shows: name, code, level, agency, time."""
    return queryset.select_related("procedure", "agency", "receiving_agency", "sector").prefetch_related(
        Prefetch("cases", queryset=ProcedureCase.objects.order_by("order", "id"))
    )


def _sectors_with_counts() -> list[Sector]:
    return by_name(
        Sector.objects.annotate(n=Count("versions", filter=Q(versions__state=PUBLISHED))).filter(n__gt=0)
    )


def by_name(items):
    """Sorted the Vietnamese way enough for a list: Đ with D, Ủ with U (not after Z)."""
    return sorted(items, key=lambda item: (fold(item.name), item.name))


def _agencies_with_counts() -> list[Agency]:
    """Every agency, by name, with `n_procedures`: the published procedures it implements or
    receives (each counted once, also when it does both)."""
    counts: Counter[int] = Counter()
    pairs = ProcedureVersion.objects.filter(state=PUBLISHED).values_list("agency_id", "receiving_agency_id")
    for implementing, receiving in pairs:
        counts[implementing] += 1
        if receiving != implementing:
            counts[receiving] += 1
    agencies = by_name(Agency.objects.all())
    for agency in agencies:
        agency.n_procedures = counts[agency.pk]
    return agencies


# --- Home -------------------------------------------------------------------------------------


@require_safe
def home(request):
    return render(request, "portal/home.html", {
        "sectors": _sectors_with_counts(),
        "agencies": [a for a in _agencies_with_counts() if a.n_procedures],
        "levels": ServiceLevel,
        "max_query": MAX_QUERY_CHARS,
    })


# --- Catalogue --------------------------------------------------------------------------------


@dataclass
class CatalogueQuery:
    q: str = ""
    agency: str = ""
    sector: str = ""
    level: int | None = None
    subject: str = ""

    @property
    def filters(self) -> Filters:
        return Filters(agency=self.agency, sector=self.sector, level=self.level, subject=self.subject)

    @property
    def active_filters(self) -> int:
        return sum(1 for v in (self.agency, self.sector, self.level, self.subject) if v)

    def params(self, **overrides) -> dict[str, str]:
        values = {"q": self.q, "agency": self.agency, "sector": self.sector,
                  "level": self.level or "", "subject": self.subject}
        values.update(overrides)
        return {k: str(v) for k, v in values.items() if v}

    def querystring(self, **overrides) -> str:
        return urlencode(self.params(**overrides))


def _catalogue_query(request, agency_codes: set[str], sector_codes: set[str]) -> CatalogueQuery:
    """The user's query, with every filter checked against what exists (else ignored)."""
    get = request.GET
    agency = get.get("agency", "")
    sector = get.get("sector", "")
    subject = get.get("subject", "")
    level = get.get("level", "")
    return CatalogueQuery(
        q=_clean_text(get.get("q"), MAX_QUERY_CHARS),
        agency=agency if agency in agency_codes else "",
        sector=sector if sector in sector_codes else "",
        level=int(level) if level in {"1", "2", "3", "4"} else None,
        subject=subject if subject in SUBJECTS else "",
    )


@require_safe
def procedure_list(request):
    agencies = by_name(Agency.objects.only("unit_code", "name"))
    sectors = _sectors_with_counts()
    query = _catalogue_query(
        request, {a.unit_code for a in agencies}, {s.code for s in sectors}
    )
    results = search(query.q, query.filters)
    page = _paginate(request, _listing(results))
    suggestions = results.suggestions() if query.q and not results.matched else []
    if query.q and not results.matched and not query.active_filters:
        zero_results.record_request(request, query.q)
    return render(request, "portal/procedure_list.html", {
        "query": query,
        "page": page,
        "suggestions": suggestions,
        "agencies": agencies,
        "sectors": sectors,
        "levels": ServiceLevel,
        "page_query": query.querystring(),
        "without_filters": query.querystring(agency="", sector="", level="", subject=""),
        "max_query": MAX_QUERY_CHARS,
    })


# --- Procedure --------------------------------------------------------------------------------


def _due_estimates(cases) -> None:
    """Attach `due_estimate` (due, confirmed) to each case."""
    for case in cases:
        try:
            case.due_estimate = deadlines.due_for_case(case)
        except Exception:  # an estimate is a convenience: never break the page for it
            logger.exception("due_for_case failed for case %s", case.pk)
            case.due_estimate = None


@require_safe
def procedure_detail(request, code: str):
    procedure = get_object_or_404(
        Procedure.objects.select_related(
            "published__sector", "published__agency__parent", "published__receiving_agency"
        ).prefetch_related(
            Prefetch(
                "published__cases",
                queryset=ProcedureCase.objects.order_by("order", "id").prefetch_related(
                    Prefetch("steps", queryset=WorkflowStep.objects.select_related("agency"))
                ),
            ),
            Prefetch("published__components", queryset=Component.objects.select_related("form")),
            "published__fees",
            "published__guides",
            "published__faqs",
        ),
        code=code[:50],
        published__isnull=False,
    )
    version = procedure.published
    cases = list(version.cases.all())
    components = list(version.components.all())
    _due_estimates(cases)
    forms = []
    for component in components:
        if component.form_id and component.form.available and component.form not in forms:
            forms.append(component.form)
    return render(request, "portal/procedure_detail.html", {
        "procedure": procedure,
        "v": version,
        "cases": cases,
        "components": components,
        "forms": forms,
        "fees": list(version.fees.all()),
        "guides": list(version.guides.all()),
        "faqs": list(version.faqs.all()),
    })


# --- Agencies ---------------------------------------------------------------------------------


def _agency_tree(agencies: list[Agency]) -> list[Agency]:
    """Roots of the agency tree; each agency gets `tree_children`, in the order given."""
    by_pk = {a.pk: a for a in agencies}
    for agency in agencies:
        agency.tree_children = []
    roots = []
    for agency in agencies:
        parent = by_pk.get(agency.parent_id)
        (parent.tree_children if parent else roots).append(agency)
    return roots


@require_safe
def agency_list(request):
    agencies = _agencies_with_counts()
    return render(request, "portal/agency_list.html", {"roots": _agency_tree(agencies), "total": len(agencies)})


@require_safe
def agency_detail(request, unit_code: str):
    agency = get_object_or_404(
        Agency.objects.select_related("parent", "successor"), unit_code=unit_code[:13]
    )
    children = by_name(agency.children.all())
    page = _paginate(request, _listing(search("", Filters(agency=agency.unit_code))))
    return render(request, "portal/agency_detail.html", {
        "agency": agency,
        "children": children,
        "page": page,
        "page_query": "",
    })


# --- Files ------------------------------------------------------------------------------------


def _open_or_404(field):
    try:
        return field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("missing file") from exc


@require_safe
def form_download(request, pk: int, filename: str):
    form = get_object_or_404(FormTemplate, pk=pk)
    if filename != form.filename or not form.file:
        raise Http404("no such form")
    content_type = form.content_type or mimetypes.guess_type(form.filename)[0]
    if not content_type and form.filename.lower().endswith(".docx"):
        content_type = DOCX
    response = FileResponse(
        _open_or_404(form.file),
        as_attachment=True,
        filename=form.filename,
        content_type=content_type or "application/octet-stream",
    )
    return response


VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".m4v": "video/mp4"}


@require_safe
def guide_video(request, pk: int):
    """A guide's uploaded video clip, from whatever storage holds it (no MEDIA_URL needed)."""
    guide = get_object_or_404(Guide.objects.filter(version__state=PUBLISHED), pk=pk)
    if not guide.video:
        raise Http404("no video")
    name = guide.video.name.lower()
    content_type = next((t for ext, t in VIDEO_TYPES.items() if name.endswith(ext)), None)
    if content_type is None:
        raise Http404("not a video")
    return FileResponse(_open_or_404(guide.video), content_type=content_type)
