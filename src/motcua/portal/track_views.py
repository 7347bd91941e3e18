"""Public tracking page (/tra-cuu/): dossier code + tracking key, from the receipt's QR or typed.

An unknown code and a wrong key get the same page, word for word and with the same status,
so the page cannot be used to find out which codes exist.
"""

from __future__ import annotations

import datetime as dt
import re

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from motcua.audit import throttle
from motcua.dossiers.queries import tracking_holder
from motcua.dossiers.tracking import public_status
from motcua.payments import awaiting

from .views import _clean_text

# Dossier codes and keys are letters, digits, dots and dashes; anything else cannot match.
_NOT_CODE = re.compile(r"[^A-Z0-9.\-]")


def _code(value: str | None) -> str:
    return _NOT_CODE.sub("", _clean_text(value, 60).upper())[:50]


def _parse_times(status: dict) -> dict:
    for key in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at"):
        status[key] = dt.datetime.fromisoformat(status[key]) if status[key] else None
    for step in status["steps"]:
        for key in ("started_at", "finished_at"):
            step[key] = dt.datetime.fromisoformat(step[key]) if step[key] else None
    return status


@require_safe
@never_cache
def track_form(request):
    code = _code(request.GET.get("ma"))
    key = _code(request.GET.get("key"))[:20]
    if code:
        # A typed code becomes the same address as the receipt's QR code.
        url = reverse("portal:track", args=[code])
        return redirect(f"{url}?{urlencode({'key': key})}")
    return render(request, "portal/track.html", {"code": "", "key": "", "status": None, "searched": False})


@require_safe
@never_cache
def track(request, code: str):
    code = _code(code)
    key = _code(request.GET.get("key"))[:20]
    if key and (refused := throttle.tracking_refused(request, code)) and not tracking_holder(
            request.user, code, key, request.GET.get("qr")):
        return throttle.limited_page(request, throttle.tracking_message(refused), refused)
    status = public_status(code, key) if key else None
    if key and status is None:
        throttle.tracking_failed(request, code)
    context = {"code": code, "key": key, "status": _parse_times(status) if status else None, "searched": True,
               # Level 4 with a fee due at submission: "Chờ nộp phí" / "Đã nộp phí" beside status 1.
               "fee_state": awaiting.shown_for_code(code) if status and status["status_code"] == 1 else None}
    response = render(request, "portal/track.html", context, status=200 if status else 404)
    response["X-Robots-Tag"] = "noindex"
    return response
