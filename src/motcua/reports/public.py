"""The public transparency page (/minh-bach/): per receiving agency, dossiers received and the
on-time rate this month and this year, and the satisfaction index (QĐ 766 5.4) this year.

No personal data: agency names and counts only. The figures are computed with two grouped
aggregate queries and cached for a few minutes (`MOTCUA_TRANSPARENCY_CACHE_SECONDS`, 300 by
default); the page itself may be cached by proxies for the same time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from motcua.agencies.models import Agency

from . import indicators, metrics, periods, summary

KEYS = ("received", "i_base", "i_on_time", "i_late", "i_complained")
CACHE_PREFIX = "reports:transparency:v1"


def cache_seconds() -> int:
    return int(settings.MOTCUA_TRANSPARENCY_CACHE_SECONDS)


def _rows(period: periods.Period, now) -> dict[int, dict]:
    rows = summary.grouped(metrics.Selection(metrics.Scope(everything=True)), period, now, ("agency_id",), KEYS)
    return {r["agency_id"]: r for r in rows}


def figures(today, now) -> dict:
    """{"rows": [...], "total": {...}, "month": Period, "year": Period} (cached)."""
    key = f"{CACHE_PREFIX}:{today.isoformat()}"
    data = cache.get(key)
    if data is not None:
        return data
    month = periods.preset("thang", today)
    year = periods.preset("nam", today)
    by_month, by_year = _rows(month, now), _rows(year, now)
    ids = set(by_month) | set(by_year)
    names = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))
    zero = dict.fromkeys(KEYS, 0)

    def line(name: str, m: dict, y: dict) -> dict:
        return {
            "name": name,
            "month_received": m["received"], "month_on_time": indicators.rate(m["i_on_time"], m["i_base"]),
            "month_base": m["i_base"],
            "year_received": y["received"], "year_on_time": indicators.rate(y["i_on_time"], y["i_base"]),
            "year_base": y["i_base"],
            "satisfaction": indicators.satisfaction(y["i_late"], y["i_complained"], y["i_base"]),
        }

    rows = [line(names.get(pk, ""), by_month.get(pk, zero), by_year.get(pk, zero)) for pk in ids]
    rows.sort(key=lambda r: (-r["year_received"], r["name"]))
    total_m = {k: sum(r[k] for r in by_month.values()) for k in KEYS}
    total_y = {k: sum(r[k] for r in by_year.values()) for k in KEYS}
    data = {"rows": rows, "total": line("", total_m, total_y), "month": month, "year": year,
            "computed_at": now}
    cache.set(key, data, cache_seconds())
    return data


@require_safe
def index(request):
    now = timezone.now()
    data = figures(timezone.localdate(), now)
    response = render(request, "reports/transparency.html", {
        **data, "has_data": bool(data["rows"]),
        "definition_on_time": indicators.DEFINITIONS["on_time"][2],
        "definition_satisfaction": indicators.DEFINITIONS["satisfaction"][2],
    })
    # Shared caches may keep the anonymous page a few minutes; a signed-in visitor's page shows
    # their account menu, so only their own browser keeps it.
    anonymous = not getattr(request, "user", None) or not request.user.is_authenticated
    patch_cache_control(response, max_age=cache_seconds(), **({"public": True} if anonymous else {"private": True}))
    return response
