"""Who may use the back office, and which dossiers they see.

A staff member is a signed-in user with at least one active Membership (or a superuser).
`staff_required` loads their memberships once per request into `request.staff` (a `Staff`),
sends anonymous visitors to the sign-in page and answers 403 to signed-in citizens.

Scope (docs/architecture.md §2): staff see the dossiers `dossiers.queries.visible_dossiers` gives them
(received by, handled by or passed through one of their agencies). Supervisors and agency
admins also see, read-only, the dossiers of the agencies below theirs in the agency tree.

The agency switcher keeps an optional "current agency" in the session; lists (inbox, queue,
returns, ledger) then show only that agency's dossiers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.accounts.models import Membership, Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import SCOPE_ROLES, can_see, scope_below, visible_dossiers

SESSION_AGENCY = "backoffice_agency"


@dataclass
class AgencyRoles:
    agency_id: int
    name: str
    unit_code: str
    roles: list[str] = field(default_factory=list)
    role_labels: list[str] = field(default_factory=list)


@dataclass
class Staff:
    user: object
    agencies: list[AgencyRoles]
    current: AgencyRoles | None = None
    _scope_ids: set[int] | None = None

    @property
    def roles_by_agency(self) -> dict[int, frozenset[str]]:
        return {a.agency_id: frozenset(a.roles) for a in self.agencies}

    @property
    def agency_ids(self) -> list[int]:
        """The agencies the lists show: the current one, or all the user's agencies."""
        if self.current is not None:
            return [self.current.agency_id]
        return [a.agency_id for a in self.agencies]

    def agencies_with(self, role: str) -> list[int]:
        return [a.agency_id for a in self.agencies if role in a.roles and a.agency_id in self.agency_ids]

    def has_role(self, role: str) -> bool:
        return any(role in a.roles for a in self.agencies)

    @property
    def is_receptionist(self) -> bool:
        return self.has_role(Role.RECEPTIONIST)

    @property
    def is_admin(self) -> bool:
        """Configures procedures, workflows, calendars or staff (motcua.administration)."""
        return bool(getattr(self.user, "is_superuser", False)) or self.has_role(Role.AGENCY_ADMIN)

    @property
    def supervises(self) -> bool:
        """Supervisors, agency admins and superusers: the calendar warning, the sync status page."""
        return bool(getattr(self.user, "is_superuser", False)) or any(
            set(a.roles) & SCOPE_ROLES for a in self.agencies
        )

    def extra_scope_ids(self) -> set[int]:
        """Agencies below those where the user supervises or administers (read-only scope)."""
        if self._scope_ids is None:
            self._scope_ids = scope_below(self.user)
        return self._scope_ids

    def visible(self) -> QuerySet[Dossier]:
        """Every dossier the user may open (before the agency switcher)."""
        return visible_dossiers(self.user)

    def can_open(self, dossier: Dossier) -> bool:
        return can_see(self.user, dossier)


def load_staff(request) -> Staff | None:
    user = request.user
    if not user.is_authenticated:
        return None
    rows = (
        Membership.objects.filter(user=user, active=True)
        .select_related("agency")
        .order_by("agency__name", "role")
    )
    by_agency: dict[int, AgencyRoles] = {}
    labels = dict(Role.choices)
    for m in rows:
        entry = by_agency.setdefault(
            m.agency_id, AgencyRoles(m.agency_id, m.agency.name, m.agency.unit_code)
        )
        entry.roles.append(m.role)
        entry.role_labels.append(str(labels.get(m.role, m.role)))
    if not by_agency and not user.is_superuser:
        return None
    staff = Staff(user=user, agencies=list(by_agency.values()))
    chosen = request.session.get(SESSION_AGENCY)
    if chosen is not None:
        staff.current = by_agency.get(chosen)
        if staff.current is None:
            request.session.pop(SESSION_AGENCY, None)
    return staff


def staff_required(view):
    """Anonymous -> sign-in page; signed in without an active staff role -> 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = load_staff(request)
        if staff is None:
            return forbidden(request, _("Trang này dành cho cán bộ. Tài khoản của bạn chưa được giao vai trò "
                                        "tại cơ quan nào; vui lòng liên hệ quản trị đơn vị."))
        request.staff = staff
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request, message: str):
    return render(request, "backoffice/forbidden.html", {"message": message}, status=403)


def dossier_or_404(request, code: str, queryset: QuerySet[Dossier] | None = None) -> Dossier:
    """The dossier with this exact code, if the user may open it; else 404 (never 403, so that
    codes of other agencies' dossiers are not confirmed)."""
    code = (code or "").strip()[:50]
    if not code or not code.isprintable():  # PostgreSQL refuses NUL in text: never query with it
        raise Http404("no such dossier")
    qs = queryset if queryset is not None else Dossier.objects.all()
    dossier = qs.filter(code=code).first()
    if dossier is None or not request.staff.can_open(dossier):
        raise Http404("no such dossier")
    return dossier
