"""Back-office lists: the inbox (with the barcode search), results to return, the ledger, the agency
switcher. Reception lives in `reception.py`, the dossier page and its actions in `dossier_views.py`.

Views stay thin: they read and clean the request, ask `dossiers.queries` for the rows (with the
related rows fetched up front, a fixed number of queries per page) and render. Bad input
(unknown filters, absurd text, wrong page numbers) is ignored or clamped, never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts.models import Role
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers import paperwork
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.queries import inbox as inbox_query
from motcua.notify.warnings import due_soon_ids, due_within_a_working_day, summary_for
from motcua.staff import pages
from motcua.staff.access import SESSION_AGENCY, staff_required
from motcua.staff.ledger import ledger_agencies, ledger_agency, ledger_period
from motcua.staff.pages import LIST_RELATED, OPEN, clean_text, paginate, staff_render

MAX_Q = 100
RUNNING = (Status.RECEIVED, Status.PROCESSING)


def in_current_agency(qs: QuerySet[Dossier], staff) -> QuerySet[Dossier]:
    if staff.current is None:
        return qs
    agency = staff.current.agency_id
    return qs.filter(Q(agency_id=agency) | Q(handling_agency_id=agency))


def exact_code_redirect(request, q: str):
    """A barcode reader types the code and Enter: open the dossier when the code matches exactly."""
    if not q or " " in q:
        return None
    match = request.staff.visible().filter(code__in={q, q.upper()}).values_list("code", flat=True).first()
    if match:
        return redirect("backoffice:dossier", code=match)
    return None


# --- inbox ------------------------------------------------------------------------------------------


@dataclass
class InboxQuery:
    q: str = ""
    scope: str = "mine"
    default_scope: str = "mine"
    status: int | None = None
    procedure: str = ""
    due: str = ""

    DUE_CHOICES = ("late", "soon", "workday", "ok", "paused")

    def params(self, **overrides) -> dict[str, str]:
        values = {"q": self.q, "scope": "" if self.scope == self.default_scope else self.scope,
                  "status": self.status or "", "procedure": self.procedure, "due": self.due}
        values.update(overrides)
        return {k: str(v) for k, v in values.items() if v}

    @property
    def querystring(self) -> str:
        return urlencode(self.params())

    @property
    def active(self) -> bool:
        return bool(self.status or self.procedure or self.due or self.q)


WORKFLOW_ROLES = frozenset({Role.RECEPTIONIST, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.LEADER, Role.CLERK})


def _inbox_query(request) -> InboxQuery:
    get = request.GET
    status = get.get("status", "")
    due = get.get("due", "")
    # Supervisors and agency admins hold no workflow step: their inbox opens on their whole scope.
    default = "mine" if any(request.staff.has_role(r) for r in WORKFLOW_ROLES) else "all"
    scope = get.get("scope", "")
    return InboxQuery(
        q=clean_text(get.get("q"), MAX_Q),
        scope=scope if scope in ("all", "mine") else default,
        default_scope=default,
        status=int(status) if status.isdigit() and int(status) in Status.values else None,
        procedure=clean_text(get.get("procedure"), 50),
        due=due if due in InboxQuery.DUE_CHOICES else "",
    )


def due_filter(qs: QuerySet[Dossier], due: str, now: dt.datetime) -> QuerySet[Dossier]:
    """The same classes as `display.dossier_timeliness`, in SQL."""
    running = Q(status__in=RUNNING, paused_at__isnull=True, counts_as_late=False)
    if due == "late":
        return qs.filter(Q(status__in=OPEN, counts_as_late=True) | (running & Q(due_at__lt=now)))
    # "Soon": the last share of the current step's quota (the badge's and the warnings' rule).
    if due in ("soon", "workday"):  # "workday": the old name of the filter, kept for bookmarks
        return due_within_a_working_day(qs, now)
    if due == "ok":
        return qs.filter(running, due_at__gte=now).exclude(pk__in=due_soon_ids(qs, now))
    if due == "paused":
        return qs.filter(Q(status__in=OPEN, counts_as_late=False)
                         & (Q(paused_at__isnull=False) | Q(status__in=(Status.SUPPLEMENT_REQUESTED,
                                                                       Status.AWAITING_PAYMENT))))
    return qs


def search_filter(qs: QuerySet[Dossier], q: str) -> QuerySet[Dossier]:
    if not q:
        return qs
    return qs.filter(Q(code__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_id_number=q)
                     | Q(subject__icontains=q))


def procedure_options(staff) -> list[tuple[str, str]]:
    ids = [a.agency_id for a in staff.agencies]
    qs = ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)
    if not getattr(staff.user, "is_superuser", False):
        qs = qs.filter(Q(agency_id__in=ids) | Q(receiving_agency_id__in=ids))
    return list(qs.order_by("procedure__code").values_list("procedure__code", "name"))


@require_safe
@staff_required
def inbox(request):
    staff = request.staff
    query = _inbox_query(request)
    found = exact_code_redirect(request, query.q)
    if found:
        return found
    now = pages.current_time()
    qs = inbox_query(staff.user) if query.scope == "mine" else staff.visible()
    qs = in_current_agency(qs, staff)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.procedure:
        qs = qs.filter(procedure_version__procedure__code=query.procedure)
    qs = due_filter(qs, query.due, now)
    qs = search_filter(qs, query.q)
    qs = qs.select_related(*LIST_RELATED).order_by(F("due_at").asc(nulls_last=True), "submitted_at", "id")
    page = paginate(request, qs)
    return staff_render(request, "backoffice/inbox.html", {
        # At sign-in (the default view, unfiltered, first page): the daily warnings' counts, live.
        "warnings": summary_for(staff.user, now, staff.roles_by_agency)
        if query.scope == query.default_scope and not query.active and page.number == 1 else None,
        "query": query,
        "page": page,
        "page_query": query.querystring,
        "statuses": Status.choices,
        "procedures": procedure_options(staff),
        "due_choices": [("late", _("Quá hạn")), ("soon", _("Sắp đến hạn")), ("ok", _("Còn hạn")),
                        ("paused", _("Đang tạm dừng tính giờ"))],
    })


# --- results to return ---------------------------------------------------------------------------


@require_safe
@staff_required
def returns(request):
    staff = request.staff
    q = clean_text(request.GET.get("q"), MAX_Q)
    found = exact_code_redirect(request, q)
    if found:
        return found
    agencies = staff.agencies_with(Role.RECEPTIONIST)
    qs = Dossier.objects.filter(agency_id__in=agencies, status=Status.COMPLETED)
    qs = search_filter(qs, q).select_related(*LIST_RELATED).order_by("finished_at", "id")
    page = paginate(request, qs)
    return staff_render(request, "backoffice/returns.html", {
        "page": page, "q": q, "page_query": urlencode({"q": q}) if q else "", "is_receptionist": bool(agencies),
    })


# --- ledger (form 07) ---------------------------------------------------------------------------


@require_safe
@staff_required
def ledger(request):
    """The ledger (sổ theo dõi hồ sơ) of one agency for a period: the rows form 07 prints, the same
    numbers and columns (`paperwork.ledger_rows`)."""
    staff = request.staff
    start, end = ledger_period(request)
    agency = ledger_agency(request)
    choices = list(ledger_agencies(staff).order_by("name").values_list("pk", "name")[:2000])
    params = {"from": start.isoformat(), "to": end.isoformat()}
    if agency is not None:
        params["agency"] = str(agency.pk)
        qs = paperwork.ledger_dossiers(agency, start, end)
    else:
        qs = Dossier.objects.none()
    page = paginate(request, qs, per_page=50)
    rows = [(d, paperwork.ledger_row(d)) for d in page.object_list]
    return staff_render(request, "backoffice/ledger.html", {
        "page": page, "rows": rows, "start": start, "end": end, "page_query": urlencode(params),
        "agency": agency, "choices": choices,
        "pdf_url": "/can-bo/so-theo-doi.pdf?" + urlencode(params) if agency else "",
    })


# --- agency switcher ------------------------------------------------------------------------------


@require_POST
@staff_required
def switch_agency(request):
    staff = request.staff
    raw = request.POST.get("agency", "")
    if raw.isdigit() and int(raw) in {a.agency_id for a in staff.agencies}:
        request.session[SESSION_AGENCY] = int(raw)
    else:
        request.session.pop(SESSION_AGENCY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()) or not target.startswith("/can-bo/"):
        target = reverse("backoffice:inbox")
    return redirect(target)


# --- refunds pending (issue #17) -----------------------------------------------------------------


@require_safe
@staff_required
def refunds(request):
    """The fees to give back at the receptionist's agencies: dossiers that had paid and were then
    refused, withdrawn or stopped ("chờ hoàn phí"), oldest first; the last ones given back below."""
    from motcua.payments.models import Refund

    agencies = request.staff.agencies_with(Role.RECEPTIONIST)
    base = Refund.objects.filter(agency_id__in=agencies).select_related("dossier__procedure_version", "completed_by")
    pending = base.filter(state=Refund.State.PENDING).order_by("created_at", "id")
    page = paginate(request, pending, per_page=50)
    done = list(base.filter(state=Refund.State.DONE).order_by("-completed_at", "-id")[:20])
    return staff_render(request, "backoffice/refunds.html", {
        "page": page, "page_query": "", "done": done, "is_receptionist": bool(agencies),
    })
