"""Who administers which agency: the one rule behind the admin pages (administration.access), the
four-eyes approval (catalog.actions.may_review) and the agency settings that only a higher level may
relax (agencies.actions).

An agency admin (an active Membership with role `agency_admin`) administers their own agency; an
agency admin of a root agency (the provincial People's Committee, no parent) is a provincial admin
and administers every agency; so does a superuser.
"""

from __future__ import annotations

from collections.abc import Iterable

from motcua.agencies.models import Agency

from .models import Membership, Role


def every_agency(own: Iterable[int]) -> set[int] | None:
    """`own` (the agencies where someone is an admin), or None when one of them is a root agency:
    a provincial admin administers every agency."""
    own = set(own)
    if own and Agency.objects.filter(pk__in=own, parent__isnull=True).exists():
        return None
    return own


def admin_agency_ids(user) -> set[int] | None:
    """The agencies `user` is an active agency admin of; None means every agency (a superuser or a
    provincial admin); an empty set for anyone else (or no one)."""
    if user is None or not getattr(user, "pk", None):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return every_agency(Membership.objects.filter(user=user, role=Role.AGENCY_ADMIN, active=True)
                        .values_list("agency_id", flat=True))


def _chain(agency: Agency | None):
    """The agency and its parents, nearest first (a cycle in bad data ends the walk)."""
    seen: set[int] = set()
    while agency is not None and agency.pk not in seen:
        seen.add(agency.pk)
        yield agency
        agency = agency.parent


def administers(user, agency: Agency | None, *, parents: bool = True) -> bool:
    """Whether `user` administers `agency`: as a superuser or provincial admin, as its own admin, or
    (with `parents`) as an admin of one of its parent agencies."""
    ids = admin_agency_ids(user)
    if ids is None:
        return True
    if not ids or agency is None:
        return False
    return any(node.pk in ids for node in (_chain(agency) if parents else [agency]))


def administers_above(user, agency: Agency) -> bool:
    """Whether `user` administers a level above `agency`: an admin of one of its parent agencies, a
    provincial admin or a superuser (the agency's own admin alone does not)."""
    ids = admin_agency_ids(user)
    if ids is None:
        return True
    return bool(ids) and any(node.pk in ids for node in _chain(agency.parent))
