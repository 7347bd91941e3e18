"""The read side: who sees which dossier, what an actor is to a dossier, inboxes.

Nothing here writes. The action layer uses `capacities` and `state_of` to ask the lifecycle;
the back office uses the same functions to show only the buttons that will work.

Visibility (docs/architecture.md §2): a citizen sees the dossiers of their account; staff see the dossiers
received by, handled by, or handed over to one of their agencies (any active membership);
supervisors and agency admins also see, read-only, those of the agencies below theirs; superusers
see everything. The back office, the API and the reports share these functions.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import lifecycle
from .codes import receipt_secret_matches
from .lifecycle import Capacity
from .models import Dossier, DossierFile, Event, FileKind, Status

RECEPTIONIST = "receptionist"
MANAGER_ROLES = frozenset({"leader", "department_head"})
# Who may act on a dossier of a case without workflow steps.
STEPLESS_ROLES = frozenset({"officer", "department_head", "leader"})
OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)


def user_roles(user) -> dict[int, frozenset[str]]:
    """Agency id -> the roles the user actively holds there (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_motcua_roles", None)
    if cached is not None:
        return cached
    from motcua.accounts.models import Membership

    roles: dict[int, set[str]] = {}
    for agency_id, role in Membership.objects.filter(user=user, active=True).values_list("agency_id", "role"):
        roles.setdefault(agency_id, set()).add(role)
    result = {agency_id: frozenset(r) for agency_id, r in roles.items()}
    user._motcua_roles = result
    return result


SCOPE_ROLES = frozenset({"supervisor", "agency_admin"})


def descendants(roots: set[int]) -> set[int]:
    """The given agencies and every agency below them (one small query on the agency table)."""
    from motcua.agencies.models import Agency

    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, ()))
    return found


def scope_below(user) -> set[int]:
    """Agencies below those where the user supervises or administers (their read-only scope)."""
    cached = getattr(user, "_motcua_scope", None)
    if cached is not None:
        return cached
    roles = user_roles(user)
    roots = {agency_id for agency_id, held in roles.items() if held & SCOPE_ROLES}
    result = descendants(roots) - set(roles) if roots else set()
    if user is not None and getattr(user, "is_authenticated", False):
        user._motcua_scope = result
    return result


def holds_role(user, agency_id: int, role: str) -> bool:
    return role in user_roles(user).get(agency_id, frozenset())


def can_see(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) or sees_as_staff(user, dossier)


def is_owner(user, dossier: Dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False) and dossier.owner_id is not None
                and dossier.owner_id == user.pk)


def sees_as_staff(user, dossier: Dossier) -> bool:
    """Seen through an agency (received by, handled by or passed through one of the user's agencies,
    or below one they supervise), or as a superuser; not merely as its owner."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    agencies = set(user_roles(user))
    if not agencies:
        return False
    if dossier.agency_id in agencies or dossier.handling_agency_id in agencies:
        return True
    below = scope_below(user)
    if dossier.agency_id in below or dossier.handling_agency_id in below:
        return True
    return Event.objects.filter(dossier_id=dossier.pk, to_agency_id__in=agencies).exists()


# A result is the applicant's only once the dossier is completed (status 9) or returned (10).
RESULT_RELEASED = (Status.COMPLETED, Status.RETURNED)
# The owner's part of the file rule: what was submitted, and results once released (an officer's
# draft result attached before completion is not theirs yet).
OWNER_MAY_OPEN = ~(Q(kind=FileKind.RESULT) & ~Q(dossier__status__in=RESULT_RELEASED))


def visible_files(user, dossier: Dossier) -> QuerySet[DossierFile]:
    """The files of `dossier` that `user` may see and open: the one rule of every door (the staff
    dossier page, the API, the citizen's pages and wallet).

    * staff who see the dossier through an agency (and superusers): every file;
    * its owner: what was submitted, and results once released (`OWNER_MAY_OPEN`);
    * anyone else: none."""
    files = DossierFile.objects.filter(dossier_id=dossier.pk)
    if sees_as_staff(user, dossier):
        return files
    if is_owner(user, dossier):
        return files.filter(OWNER_MAY_OPEN)
    return files.none()


def owner_files(user) -> QuerySet[DossierFile]:
    """The files of every dossier `user` owns that they may open (their wallet): the owner's part
    of `visible_files`, over all their dossiers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return DossierFile.objects.none()
    return DossierFile.objects.filter(dossier__owner=user).filter(OWNER_MAY_OPEN)


# Who may add files, by capacity: the statuses in which each may add component scans, and result
# files. The action layer enforces it (`actions.add_file`); the pages show only what will work.
COMPONENT_FILE_RIGHTS = {
    Capacity.OWNER: frozenset({Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED}),
    Capacity.RECEPTIONIST: frozenset({Status.SUBMITTED, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED}),
    Capacity.STEP_HOLDER: frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED}),
}
RESULT_FILE_RIGHTS = {Capacity.STEP_HOLDER: frozenset({Status.RECEIVED, Status.PROCESSING})}


def may_add_files(caps, status: int, kind: str) -> bool:
    """Whether capacities `caps` may add a file of `kind` (component or result) in `status`."""
    rights = RESULT_FILE_RIGHTS if kind == FileKind.RESULT else COMPONENT_FILE_RIGHTS
    return any(cap in caps and status in statuses for cap, statuses in rights.items())


def tracking_holder(user, code: str, key: str, receipt_secret: str | None) -> bool:
    """The per-code pause of public tracking never applies to the dossier's rightful holders:
    its owner signed in, or whoever holds its receipt (the QR code's longer secret). Strangers'
    wrong guesses at a sequential code must not lock them out."""
    if receipt_secret_matches(code, key, receipt_secret):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Dossier.objects.filter(code=(code or "")[:50], owner=user).exists()


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Every dossier the user may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    agencies = list(user_roles(user))
    condition = Q(owner=user)
    if agencies:
        passed = Event.objects.filter(dossier=OuterRef("pk"), to_agency_id__in=agencies)
        condition |= Q(agency_id__in=agencies) | Q(handling_agency_id__in=agencies) | Exists(passed)
        below = scope_below(user)
        if below:
            condition |= Q(agency_id__in=below) | Q(handling_agency_id__in=below)
    return Dossier.objects.filter(condition)


def steps_of(case_id: int) -> tuple:
    """The workflow steps of a case, in order (one small query; not cached, so an edited
    workflow or a reused id in tests is never served stale)."""
    from motcua.catalog.models import WorkflowStep

    return tuple(WorkflowStep.objects.filter(case_id=case_id).order_by("order", "id"))


def step_index(dossier: Dossier, steps: tuple) -> int | None:
    if dossier.current_step_id is None:
        return None
    for i, step in enumerate(steps):
        if step.pk == dossier.current_step_id:
            return i
    return None


def step_agency_id(dossier: Dossier, step) -> int:
    """The agency that performs a step: its own agency when set (inter-agency step); else the
    receiving agency for the reception step (receptionist role), else the procedure's agency."""
    if step.agency_id:
        return step.agency_id
    if step.role == RECEPTIONIST:
        return dossier.agency_id
    return dossier.procedure_version.agency_id


def result_required(dossier: Dossier) -> bool:
    """The procedure's result is a document (its version describes one): completing needs a file.
    The catalogue has no explicit flag yet, so a described result counts as a document."""
    return bool((dossier.procedure_version.result or "").strip())


def capacities(user, dossier: Dossier) -> frozenset[Capacity]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    caps: set[Capacity] = set()
    if dossier.owner_id is not None and dossier.owner_id == user.pk:
        caps.add(Capacity.OWNER)
    roles = user_roles(user)
    if RECEPTIONIST in roles.get(dossier.agency_id, ()):
        caps.add(Capacity.RECEPTIONIST)
    handling = roles.get(dossier.handling_agency_id, frozenset())
    if dossier.current_step_id is not None:
        if dossier.current_role in handling:
            caps.add(Capacity.POOL_MEMBER)
        if dossier.assignee_id == user.pk or (dossier.assignee_id is None and Capacity.POOL_MEMBER in caps):
            caps.add(Capacity.STEP_HOLDER)
    elif dossier.status != Status.SUBMITTED and handling & STEPLESS_ROLES:
        caps.add(Capacity.STEP_HOLDER)
    if handling & MANAGER_ROLES:
        caps.add(Capacity.MANAGER)
    return frozenset(caps)


def state_of(dossier: Dossier, *, result_files: int | None = None) -> lifecycle.State:
    steps = steps_of(dossier.case_id)
    if result_files is None:
        result_files = DossierFile.objects.filter(dossier_id=dossier.pk, kind=FileKind.RESULT).count()
    index = step_index(dossier, steps)
    return lifecycle.State(
        status=lifecycle.Status(dossier.status),
        step_index=index,
        step_count=len(steps),
        assigned=dossier.assignee_id is not None,
        paused=dossier.paused_at is not None,
        resume_status=lifecycle.Status(dossier.resume_status) if dossier.resume_status else None,
        reception_supplement_requested=dossier.reception_supplement_requested,
        supplement_count=dossier.supplement_count,
        due_at=dossier.due_at,
        result_files=result_files,
        result_required=result_required(dossier),
        delivery=lifecycle.Delivery(dossier.delivery),
        posted=posted(dossier),
        has_owner=dossier.owner_id is not None,
        approval_step=index is not None and bool(steps[index].approval),
        unapproved_results=unapproved_results(dossier, steps, index),
    )


def unapproved_results(dossier: Dossier, steps: tuple, index: int | None) -> int:
    """The result files added after the last approval (`approved` event) of a dossier past an
    approval step of its workflow (0 elsewhere; no query then). An approval lists the result
    files it saw (`data["approved_files"]`, the leader's signed copies included); an older event
    without that list counts the files uploaded after it."""
    if index is None or not any(step.approval for step in steps[:index]):
        return 0
    if dossier.status not in (Status.RECEIVED, Status.PROCESSING):
        return 0
    approval = (Event.objects.filter(dossier_id=dossier.pk, kind=lifecycle.EVENT_KIND[lifecycle.Action.APPROVE])
                .order_by("-version").only("data", "at").first())
    files = DossierFile.objects.filter(dossier_id=dossier.pk, kind=FileKind.RESULT)
    if approval is None:
        return files.count()
    seen = (approval.data or {}).get("approved_files")
    if seen is None:
        return files.filter(uploaded_at__gt=approval.at).count()
    return files.exclude(pk__in=seen).count()


def posted(dossier: Dossier) -> bool:
    """The completed result was handed to the post and is waiting for its delivery (an event
    records the bưu gửi number; asked only of postal dossiers at status 9)."""
    if dossier.status != Status.COMPLETED or dossier.delivery != lifecycle.Delivery.POST:
        return False
    return Event.objects.filter(dossier_id=dossier.pk, kind=lifecycle.EVENT_KIND[lifecycle.Action.POST_RESULT]).exists()


def allowed_actions(user, dossier: Dossier, *, now: dt.datetime | None = None) -> list[lifecycle.Action]:
    """What `user` may do to `dossier` now (for buttons); parameters are checked on submit."""
    if not can_see(user, dossier):
        return []
    return lifecycle.allowed_actions(state_of(dossier), capacities(user, dossier), now=now or timezone.now())


def inbox(user) -> QuerySet[Dossier]:
    """Dossiers waiting for `user`: assigned to them, in the pool of a role they hold where the
    dossier is handled, and for receptionists online dossiers to check and results to return."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    condition = Q(assignee=user, status__in=OPEN_STATUSES)
    for agency_id, roles in user_roles(user).items():
        condition |= Q(
            handling_agency_id=agency_id, assignee__isnull=True, current_role__in=list(roles), status__in=OPEN_STATUSES
        )
        if RECEPTIONIST in roles:
            condition |= Q(agency_id=agency_id, status__in=(Status.SUBMITTED, Status.COMPLETED))
    return Dossier.objects.filter(condition).order_by("due_at", "submitted_at")
