"""GET /api/v1/indicators?agency=<unit_code>&from=yyyy-mm-dd&to=yyyy-mm-dd (docs/architecture.md §9).

The QĐ 766 figures with the counts behind each, for the caller's scope (the same as the
/can-bo/thong-ke/chi-so/ page): bearer token or session, staff only. Without `agency` the
whole scope; without dates this month. Errors are the API's JSON errors.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router

from motcua.agencies.models import Agency
from motcua.api.auth import api_auth
from motcua.core.api_errors import ApiError
from motcua.integrations.scopes import INDICATORS_READ, require_scope

from . import indicators, metrics, periods

router = Router(tags=["reports"], auth=api_auth)


class _StaffView:
    """The bits of staff.access.Staff that `metrics.scope_for` reads."""

    def __init__(self, user, agencies):
        self.user = user
        self.agencies = agencies


def staff_of(user):
    from motcua.accounts.models import Membership
    from motcua.staff.access import AgencyRoles

    by_agency: dict[int, AgencyRoles] = {}
    for agency_id, role in Membership.objects.filter(user=user, active=True).values_list("agency_id", "role"):
        by_agency.setdefault(agency_id, AgencyRoles(agency_id, "", "")).roles.append(role)
    if not by_agency and not user.is_superuser:
        return None
    return _StaffView(user, list(by_agency.values()))


@router.get("/indicators", url_name="indicators")
def indicators_api(request, agency: str = Query("", max_length=20), from_: str = Query("", alias="from", max_length=20),
                   to: str = Query("", max_length=20)):
    """QĐ 766 indicators: value (%, null without data), numerator, denominator, definition."""
    require_scope(request, INDICATORS_READ)  # service tokens need indicators:read; users have all
    start, end = (from_ or "").strip(), (to or "").strip()
    staff = staff_of(request.auth)
    if staff is None:
        raise ApiError(403, "forbidden", "Chỉ cán bộ được xem chỉ số.")
    scope = metrics.scope_for(staff)
    try:
        params = {"tu": start, "den": end} if (start or end) else {"ky": "thang"}
        period = periods.parse(params, timezone.localdate())
    except periods.PeriodError as exc:
        field = {"tu": "from", "den": "to"}.get(exc.field, "from")
        raise ApiError(400, "invalid_period", exc.message, field=field) from None
    agency_obj = None
    code = (agency or "").strip()[:20]
    if code:
        agency_obj = Agency.objects.filter(unit_code=code).first()
        if agency_obj is None or not scope.allows_agency(agency_obj.pk):
            raise ApiError(404, "agency_not_found",
                           f"Không có cơ quan mã «{code}» trong phạm vi bạn được xem.", field="agency")
    selection = metrics.Selection(scope, agency_obj.pk if agency_obj else None)
    counts = metrics.indicator_counts(selection, period, timezone.now())
    items = indicators.build(counts)
    return {
        "agency": {"unit_code": agency_obj.unit_code, "name": agency_obj.name} if agency_obj else None,
        "scope": scope.label if agency_obj is None else agency_obj.name,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "counts": counts,
        "indicators": [i.as_dict() for i in items],
    }
