"""Who may configure what.

An agency admin (Membership role `agency_admin`) configures their own agency: its procedures,
e-forms, workflows, calendar and staff. An agency admin of a root agency (the provincial People's
Committee, no parent) is a provincial admin and configures every agency; so does a superuser.
Other staff get 403 with a message; a procedure of another agency is 403 too (its existence is
public in the catalogue, so there is nothing to hide by answering 404).
"""

from __future__ import annotations

import functools

from django.utils.translation import gettext as _

from motcua.accounts.admin_scope import every_agency
from motcua.accounts.models import Role
from motcua.agencies.models import Agency
from motcua.staff.access import forbidden, staff_required


def admin_agency_ids(staff) -> set[int] | None:
    """The agencies this staff member configures; None means every agency (provincial admin)."""
    if getattr(staff.user, "is_superuser", False):
        return None
    return every_agency(a.agency_id for a in staff.agencies if Role.AGENCY_ADMIN in a.roles)


def is_admin(staff) -> bool:
    ids = admin_agency_ids(staff)
    return ids is None or bool(ids)


def can_configure(staff, agency_id: int | None) -> bool:
    ids = admin_agency_ids(staff)
    return ids is None or (agency_id is not None and agency_id in ids)


def admin_agencies(staff):
    """The Agency queryset this admin configures (for pickers and lists)."""
    ids = admin_agency_ids(staff)
    qs = Agency.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def chosen_agency(request):
    """The agency a settings page works on (`?co-quan=<id>`, or the form's `agency`; by default
    the admin's first), and the agencies to choose from. The caller still checks can_configure:
    an id outside the admin's agencies is found here and refused there."""
    raw = (request.GET.get("co-quan") or request.POST.get("agency") or "").strip()[:12]
    agencies = admin_agencies(request.staff).order_by("unit_code", "name")
    agency = Agency.objects.filter(pk=int(raw)).first() if raw.isdigit() else agencies.first()
    return agency, agencies


def admin_required(view):
    """Staff only (sign-in otherwise), and an agency admin or provincial admin (403 otherwise).
    Sets request.admin_ids (None = every agency)."""

    @staff_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        ids = admin_agency_ids(request.staff)
        if ids is not None and not ids:
            return forbidden(request, _("Trang quản trị dành cho quản trị đơn vị. Tài khoản của bạn không có "
                                        "vai trò này; vui lòng liên hệ quản trị đơn vị."))
        request.admin_ids = ids
        return view(request, *args, **kwargs)

    return wrapper


def deny_other_agency(request):
    return forbidden(request, _("Bạn chỉ được cấu hình thủ tục, biểu mẫu và quy trình của cơ quan mình."))


def _latest_version(procedure):
    return procedure.versions.select_related("agency").order_by("-number").first()


def reviewers_too(view):
    """Marks a draft view that a four-eyes reviewer also opens (the check page, approving, sending
    back): it admits exactly whom `catalog.actions.may_review` admits (an admin of a parent agency
    too), not only those who configure the agency. Put it under @procedure_admin / @draft_required."""
    view.reviewers_too = True
    return view


def procedure_admin(view):
    """For views under thu-tuc/<code>/: 404 for an unknown code, 403 for another agency's procedure
    (for a view marked @reviewers_too: 403 for anyone who may not review it).
    Sets request.procedure, request.latest (newest version) and request.draft (the draft or None)."""
    from django.http import Http404

    from motcua.catalog.actions import may_review
    from motcua.catalog.models import Procedure, ProcedureVersion

    reviewers = getattr(view, "reviewers_too", False)

    @admin_required
    @functools.wraps(view)
    def wrapper(request, code, *args, **kwargs):
        procedure = Procedure.objects.filter(code=(code or "")[:50]).first()
        if procedure is None:
            raise Http404("no such procedure")
        latest = _latest_version(procedure)
        allowed = latest is not None and (
            may_review(request.user, latest.agency) if reviewers else can_configure(request.staff, latest.agency_id))
        if not allowed:
            return deny_other_agency(request)
        request.procedure = procedure
        request.latest = latest
        request.draft = latest if latest.state == ProcedureVersion.State.DRAFT else None
        return view(request, code, *args, **kwargs)

    return wrapper


def saves_nothing(view):
    """Marks a draft view whose POST writes nothing (a preview): allowed while the draft waits for approval.
    Put it under @draft_required."""
    view.saves_nothing = True
    return view


def draft_required(view):
    """Like procedure_admin, and the procedure must have a draft; otherwise back to its page with
    a message asking to start one (editing never touches a published version). The same when the
    draft is published while the view runs: the action refuses it with catalog.actions.NotADraft."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from motcua.catalog.actions import AwaitingReview, NotADraft

    @procedure_admin
    @functools.wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if request.draft is not None:
            # A draft waiting for a second admin's approval is locked: its pages are shown, every
            # change is refused (here, and by the action's lock_draft whatever the door).
            waiting = (request.draft.review_requested_at is not None and request.method not in ("GET", "HEAD")
                       and not getattr(view, "saves_nothing", False))
            try:
                if waiting:
                    raise AwaitingReview(request.draft)
                return view(request, code, *args, **kwargs)
            except AwaitingReview as exc:
                messages.warning(request, str(exc))
                return redirect(f"/can-bo/quan-tri/thu-tuc/{request.procedure.code}/ban-nhap/kiem-tra/")
            except NotADraft:
                pass
        messages.warning(request, _("Thủ tục chưa có bản nháp. Bấm «Tạo bản nháp để sửa» trước khi chỉnh sửa; "
                                    "phiên bản đang áp dụng không bao giờ bị sửa trực tiếp."))
        return redirect(f"/can-bo/quan-tri/thu-tuc/{request.procedure.code}/")

    return wrapper


def admin_render(request, template: str, context: dict, *, admin_nav: str, status: int = 200):
    """A page of the admin area. A POST whose context carries errors is refused input: the page
    again with its messages and what was typed, answered 400."""
    from motcua.staff.pages import staff_render

    if status == 200 and request.method == "POST" and context.get("errors"):
        status = 400
    return staff_render(request, template, {"nav": "administration", "admin_nav": admin_nav, **context}, status)
