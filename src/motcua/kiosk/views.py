"""The kiosk (/kiosk/): a public touch-screen terminal at the one-stop office.

Full screen, Vietnamese, large touch targets, high contrast, its own layout with no link out of
the kiosk (no sign-in, no language switch, no external site). An always-present input takes what
a USB barcode reader types (the receipt's code, or its QR code's tracking URL) followed by Enter.
Every page goes back to the start screen after MOTCUA_KIOSK_IDLE_SECONDS without a touch (60 by
default; static `kiosk.js`, no inline script, so a strict CSP works).

Lookups show no personal data at all and are rate limited: see `lookup.py` for the reasoning.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from motcua.catalog import zero_results
from motcua.catalog.models import Component, Procedure, ProcedureCase, ProcedureVersion, Sector
from motcua.catalog.search import search
from motcua.core import ratelimit
from motcua.core.text import MAX_QUERY_CHARS, fold
from motcua.payments import awaiting

from . import lookup

PUBLISHED = ProcedureVersion.State.PUBLISHED
PROCEDURES_PER_PAGE = 8


def idle_seconds() -> int:
    return max(2, int(settings.MOTCUA_KIOSK_IDLE_SECONDS))


def kiosk_page(view):
    """Vietnamese always (a kiosk has no language switch), never indexed, never framed."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override("vi"):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Content-Language"] = "vi"
        return response

    return wrapper


def _render(request, template: str, context: dict, status: int = 200):
    context = {"idle_seconds": idle_seconds(), "site_name": settings.MOTCUA_SITE_NAME, **context}
    return render(request, template, context, status=status)


@require_safe
@kiosk_page
def home(request):
    return _render(request, "kiosk/home.html", {"is_home": True})


@require_safe
@never_cache
@kiosk_page
def dossier(request):
    """A dossier's status from a scanned code or QR URL (GET ?ma=...)."""
    raw = request.GET.get("ma", "")
    code, key = lookup.parse_scan(raw)
    if not code:
        return _render(request, "kiosk/lookup.html", {"problem": "empty", "typed": raw[:60]}, status=400)
    ip = ratelimit.client_ip(request)
    verdict = ratelimit.hit(
        f"kiosk:{ip}", int(settings.MOTCUA_KIOSK_LOOKUPS), int(settings.MOTCUA_KIOSK_WINDOW)
    )
    if not verdict.allowed:
        response = _render(request, "kiosk/lookup.html", {"problem": "limited", "code": code,
                                                           "retry_after": verdict.retry_after}, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    if not key and not lookup.keyless_allowed(ip):
        return _render(request, "kiosk/lookup.html", {"problem": "key_required", "code": code}, status=403)
    facts = lookup.public_facts(code, key)
    if facts is None:
        return _render(request, "kiosk/lookup.html", {"problem": "not_found", "code": code}, status=404)
    paid_label = str(awaiting.LABELS[awaiting.FeeState.PAID])
    return _render(request, "kiosk/lookup.html", {"facts": facts, "paid_label": paid_label})


# --- catalogue ------------------------------------------------------------------------------------


@require_safe
@kiosk_page
def sectors(request):
    rows = Sector.objects.annotate(n=Count("versions", filter=Q(versions__state=PUBLISHED))).filter(n__gt=0)
    items = sorted(rows, key=lambda s: (fold(s.name), s.name))
    return _render(request, "kiosk/sectors.html", {"sectors": items, "max_query": MAX_QUERY_CHARS})


@require_safe
@kiosk_page
def sector(request, code: str):
    item = Sector.objects.filter(code=_printable(code, 30)).first()
    if item is None:
        return _missing(request)
    versions = (
        ProcedureVersion.objects.filter(state=PUBLISHED, sector=item)
        .select_related("procedure", "receiving_agency").order_by("search_name", "id")
    )
    page = Paginator(versions, PROCEDURES_PER_PAGE).get_page((request.GET.get("trang") or "")[:10])
    return _render(request, "kiosk/sector.html", {"sector": item, "page": page})


SEARCH_RESULTS = 20


@require_safe
@kiosk_page
def search_procedures(request):
    """The catalogue search, as on the portal (`catalog.search.search`): the matches, or «Không tìm
    thấy thủ tục …» and the closest procedures apart, as suggestions."""
    q = " ".join("".join(ch for ch in request.GET.get("q", "")[: MAX_QUERY_CHARS * 2] if ch.isprintable()).split())
    q = q[:MAX_QUERY_CHARS]
    if not q:
        return _render(request, "kiosk/search.html", {"q": "", "results": [], "suggestions": []})
    found = search(q).select_related("procedure", "receiving_agency")
    if not found.matched:
        zero_results.record_request(request, q)
    return _render(request, "kiosk/search.html", {
        "q": q, "results": found[:SEARCH_RESULTS], "count": found.count(), "suggestions": found.suggestions(),
        "max_query": MAX_QUERY_CHARS,
    })


@require_safe
@kiosk_page
def procedure(request, code: str):
    found = (
        Procedure.objects.select_related("published__sector", "published__receiving_agency", "published__agency")
        .prefetch_related(
            Prefetch("published__cases", queryset=ProcedureCase.objects.order_by("order", "id")),
            Prefetch("published__components", queryset=Component.objects.order_by("order", "id")),
            "published__fees",
        )
        .filter(code=_printable(code, 50), published__isnull=False).first()
    )
    if found is None:
        return _missing(request)
    version = found.published
    return _render(request, "kiosk/procedure.html", {
        "procedure": found,
        "v": version,
        "cases": list(version.cases.all()),
        "components": list(version.components.all()),
        "fees": list(version.fees.all()),
        "qr": _qr_svg(settings.MOTCUA_PUBLIC_URL + found.get_absolute_url()),
    })


def _printable(value: str, limit: int) -> str:
    """A catalogue code from the URL, without characters no code has (NUL breaks PostgreSQL)."""
    return "".join(ch for ch in value[: limit * 2] if ch.isprintable())[:limit]


def _missing(request):
    """The kiosk's own "not found" page: the site's 404 page has links out of the kiosk."""
    return _render(request, "kiosk/missing.html", {}, status=404)


def _qr_svg(url: str) -> str:
    """An inline SVG QR code of the portal's page, to continue on a phone (no script, no data URI)."""
    import segno

    return segno.make(url, error="m").svg_inline(
        scale=5, omitsize=True, title="Mã QR trang thủ tục trên Cổng Dịch vụ công"
    )
