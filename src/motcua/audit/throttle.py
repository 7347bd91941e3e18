"""Rate limits for the public doors that had none: tracking (a wrong code or key), online
submission (new drafts, uploads, the final submit) and the API's token endpoint.

Tracking counts only failed lookups, per client address and per dossier code, and checks the
counts *before* the lookup: a guesser is stopped before a right guess could be served. The per-code
limit is high (a person never mistypes 50 times an hour); reaching it pauses public tracking of
that one code for the rest of the window (the owner can still sign in), which is the price of
stopping guesses spread over many addresses. A tracking key has 31^6 ≈ 887 million values.
"""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core import ratelimit
from motcua.core.ratelimit import Decision, Rule, client_ip, wait_text

# --- tracking -----------------------------------------------------------------------------------------


def _tracking_rules(request, code: str) -> list[Rule]:
    window = int(settings.MOTCUA_TRACK_WINDOW_SECONDS)
    return [
        Rule(f"track-fail-ip:{client_ip(request)}", int(settings.MOTCUA_TRACK_FAILURES_PER_IP), window),
        Rule(f"track-fail-code:{(code or '')[:60].upper()}", int(settings.MOTCUA_TRACK_FAILURES_PER_CODE), 3600),
    ]


def tracking_refused(request, code: str) -> Decision | None:
    """A refusing decision when this address (or this code) has failed too often; else None."""
    return tracking_check(request, code, ())[0]


def tracking_check(request, code: str, also: tuple[str, ...]) -> tuple[Decision | None, dict]:
    """tracking_refused, also reading the `also` cache keys in the same cache call."""
    decision, found = ratelimit.peek_all_with(_tracking_rules(request, code), also)
    return (None if decision.allowed else decision), found


def tracking_failed(request, code: str) -> None:
    for rule in _tracking_rules(request, code):
        ratelimit.hit(rule.key, rule.limit, rule.window)


def tracking_message(decision: Decision) -> str:
    return _("Bạn đã tra cứu sai mã hồ sơ hoặc mã tra cứu quá nhiều lần nên tạm thời bị chặn. %(wait)s "
             "Mã tra cứu in trên giấy tiếp nhận (hoặc trong mã QR).") % {"wait": wait_text(decision.retry_after)}


def tracking_json(decision: Decision) -> HttpResponse:
    body = json.dumps({"error": {"code": "rate_limited", "message": tracking_message(decision),
                                 "retry_after": decision.retry_after}}, ensure_ascii=False)
    response = HttpResponse(body.encode(), status=429, content_type="application/json; charset=utf-8")
    response["Retry-After"] = str(decision.retry_after)
    return response


def limited_page(request, message: str, decision: Decision) -> HttpResponse:
    response = render(request, "audit/limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


# --- submission ----------------------------------------------------------------------------------------

# scope: per address in an hour (per account: MOTCUA_SUBMIT_<SCOPE>_PER_HOUR)
PER_ADDRESS_LIMITS = {"draft": 100, "upload": 1500, "submit": 100}


def throttled(scope: str):
    """Count every POST of a citizen's submission step; 429 (JSON for the page's script) when over."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                per_ip = PER_ADDRESS_LIMITS[scope]
                per_user = int(getattr(settings, f"MOTCUA_SUBMIT_{scope.upper()}_PER_HOUR"))
                user = getattr(request, "user", None)
                rules = [Rule(f"submit-{scope}-ip:{client_ip(request)}", per_ip, 3600)]
                if user is not None and user.is_authenticated:
                    rules.insert(0, Rule(f"submit-{scope}-user:{user.pk}", per_user, 3600))
                decision = ratelimit.hit_all(rules)
                if not decision.allowed:
                    message = _("Bạn đã thao tác nộp hồ sơ quá nhiều lần trong một giờ. %(wait)s") % {
                        "wait": wait_text(decision.retry_after)}
                    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                        response = HttpResponse(json.dumps({"error": message}, ensure_ascii=False).encode(),
                                                status=429, content_type="application/json; charset=utf-8")
                        response["Retry-After"] = str(decision.retry_after)
                        return response
                    return limited_page(request, message, decision)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
