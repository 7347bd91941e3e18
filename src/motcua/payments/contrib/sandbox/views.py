"""The demo gateway's pages: its payment page, the tester's choice, its querydr (404 while off)."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.payments import conf

from . import gateway
from .models import SandboxTransaction

MAX_JSON_BYTES = 64 * 1024


def _enabled() -> None:
    if not conf.sandbox_gateway_enabled():
        raise Http404


@never_cache
@require_GET
def pay(request: HttpRequest) -> HttpResponse:
    _enabled()
    try:
        txn = gateway.open_payment(request.GET.dict())
    except gateway.GatewayRefusal as refusal:
        return render(request, "payments_sandbox/error.html", {"refusal": refusal}, status=400)
    if txn.state != SandboxTransaction.State.PENDING:
        return HttpResponseRedirect(gateway.return_redirect(txn))
    return render(request, "payments_sandbox/pay.html", {
        "txn": txn, "amount_vnd": txn.amount // 100, "merchant": txn.tmn_code,
    })


@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    _enabled()
    try:
        txn, _changed = gateway.complete(token, request.POST.get("action", ""),
                                         send_ipn=not request.POST.get("lose_ipn"))
    except SandboxTransaction.DoesNotExist:
        raise Http404 from None
    except gateway.GatewayRefusal as refusal:
        return render(request, "payments_sandbox/error.html", {"refusal": refusal}, status=400)
    return HttpResponseRedirect(gateway.return_redirect(txn))


@csrf_exempt
@require_POST
def querydr(request: HttpRequest) -> HttpResponse:
    _enabled()
    try:
        body = json.loads(request.body[:MAX_JSON_BYTES] or b"{}")
    except ValueError:
        body = None
    return JsonResponse(gateway.querydr(body if isinstance(body, dict) else {}))
