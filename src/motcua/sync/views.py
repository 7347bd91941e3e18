"""/can-bo/dong-bo/: the national-portal sync as supervisors and agency admins see it.

They see the messages of the dossiers in their scope (backoffice Staff.visible(): their agencies
and, read-only, those below), counts by state, the messages that failed or are being retried,
and re-send failed ones ("Gửi lại"). Other staff get 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.staff.access import forbidden, staff_required

from . import services
from .models import SyncMessage

LIMIT = 200


def _scoped(staff):
    qs = SyncMessage.objects.all()
    if getattr(staff.user, "is_superuser", False):
        return qs
    return qs.filter(dossier__in=staff.visible().values("pk"))


@staff_required
@require_http_methods(["GET", "POST"])
def status(request):
    if not request.staff.supervises:
        return forbidden(request, _("Trang đồng bộ dành cho cán bộ giám sát và quản trị đơn vị."))
    scoped = _scoped(request.staff)
    if request.method == "POST":
        raw = request.POST.getlist("message")
        ids = [int(v) for v in raw if v.isdigit() and len(v) < 12]
        if request.POST.get("all") == "1":
            ids = list(scoped.filter(state=SyncMessage.State.FAILED).values_list("pk", flat=True)[:LIMIT])
        if not ids:
            messages.error(request, _("Chưa chọn tin nào để gửi lại."))
            return redirect("sync:status")
        allowed = list(scoped.filter(pk__in=ids).values_list("pk", flat=True))
        count = services.retry(allowed)
        if count:
            messages.success(request, _("Đã đưa %(n)d tin vào hàng đợi gửi lại.") % {"n": count})
        else:
            messages.error(request, _("Không có tin gửi lỗi nào trong các tin đã chọn (có thể đã được gửi lại)."))
        return redirect("sync:status")
    counts = scoped.aggregate(
        pending=Count("pk", filter=Q(state=SyncMessage.State.PENDING)),
        sent=Count("pk", filter=Q(state=SyncMessage.State.SENT)),
        failed=Count("pk", filter=Q(state=SyncMessage.State.FAILED)),
    )
    problems = list(
        scoped.filter(Q(state=SyncMessage.State.FAILED) | Q(state=SyncMessage.State.PENDING, attempts__gt=0))
        .select_related("dossier").order_by("state", "created_at")[:LIMIT]
    )
    return render(request, "sync/status.html", {
        "nav": "sync", "enabled": services.enabled(), "counts": counts, "problems": problems, "limit": LIMIT,
    })
