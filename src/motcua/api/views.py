"""The person's own REST API tokens (/tai-khoan/ma-truy-cap-api/): when each was made, when it
was last used, when it expires, and why it ended; any still active can be ended here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.dossiers import tokens
from motcua.dossiers.models import ApiToken


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_tokens(request):
    mine = ApiToken.objects.filter(user=request.user)
    if request.method == "POST":
        raw = request.POST.get("token", "")
        chosen = mine.filter(pk=int(raw)) if raw.isdigit() and len(raw) <= 18 else mine.none()
        if request.POST.get("all") == "1":
            chosen = mine
        ended = tokens.revoke(chosen, tokens.OWNER, actor=request.user)
        if ended:
            messages.success(request, _("Đã chấm dứt %(n)s mã truy cập; chương trình dùng mã đó sẽ không truy cập "
                                        "được nữa.") % {"n": ended})
        else:
            messages.info(request, _("Không có mã nào đang hoạt động để chấm dứt."))
        return redirect("api_tokens")
    now = timezone.now()
    rows = [{"token": t, "active": t.revoked_at is None and t.expires_at > now}
            for t in mine.order_by("-created_at", "-id")[:100]]
    return render(request, "api/tokens.html", {"rows": rows, "any_active": any(r["active"] for r in rows)})
