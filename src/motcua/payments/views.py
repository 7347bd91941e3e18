"""Payment pages: start (fees due, pay button), result, cancel; the gateway's return and IPN
endpoints (the demo gateway's own pages are in contrib/sandbox). Thin: the rules are in services.py."""

from __future__ import annotations

import json
import logging
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import conf, services
from .models import When
from .providers import PaymentProvider, UnknownProvider, Verdict, get_provider
from .receipts import document_url
from .states import State

log = logging.getLogger("motcua.payments")

MAX_PARAMS = 60
MAX_JSON_BYTES = 64 * 1024


def _dossier_or_404(user, code: str):
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.select_related("procedure_version", "agency").filter(code=code).first()
    if dossier is None or not services.can_see(user, dossier):
        raise Http404
    return dossier


def _next_url(request: HttpRequest) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return value if ok and value.startswith("/") else ""


def _provider_or_404(name: str) -> PaymentProvider:
    try:
        return get_provider(name)
    except (UnknownProvider, ImproperlyConfigured):
        raise Http404 from None


def _active_provider() -> PaymentProvider | None:
    try:
        return get_provider()
    except Exception:  # misconfigured: the page says payment is unavailable
        return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_or_404(request.user, code)
    if services.relation(request.user, dossier) is None:
        raise PermissionDenied
    when = request.POST.get("when") or request.GET.get("when") or services.default_when(dossier)
    if when not in When.values:
        when = services.default_when(dossier)
    next_url = _next_url(request)
    error = None
    if request.method == "POST":
        try:
            payment = services.start_payment(
                dossier, actor=request.user, when=when, site_url=request.build_absolute_uri("/").rstrip("/"),
                next_url=next_url, client_ip=request.META.get("REMOTE_ADDR", ""),
                idempotency_key=request.POST.get("idempotency_key"),
            )
        except services.PaymentError as exc:
            error = exc
        else:
            if payment.is_open and payment.redirect_url:
                return HttpResponseRedirect(payment.redirect_url)
            return redirect("payments:detail", ref=payment.merchant_ref)
    provider = _active_provider()
    context = {
        "dossier": dossier,
        "due": services.fees_due(dossier, when),
        "when": when,
        "payments": services.payments_of(request.user, dossier)[:20],
        "can_pay": services.can_start(request.user, dossier) and provider is not None,
        "provider": provider,
        "timeout": conf.setting("MOTCUA_PAYMENT_TIMEOUT_MINUTES"),
        "idempotency_key": uuid.uuid4().hex,
        "next_url": next_url,
        "error": error,
    }
    return render(request, "payments/start.html", context, status=error.status if error else 200)


def _payment_context(request: HttpRequest, payment, **extra) -> dict:
    return {
        "payment": payment,
        "dossier": payment.dossier,
        "can_cancel": payment.is_open and services.relation(request.user, payment.dossier) is not None,
        "can_retry": payment.state in (State.FAILED, State.CANCELLED, State.EXPIRED)
        and services.can_start(request.user, payment.dossier),
        "watch_state": payment.is_open,
        "receipt_url": document_url(payment),  # the e-receipt or confirmation, once paid (#17)
        "receipt_is_receipt": bool(getattr(getattr(payment, "receipt", None), "number", None)),
        **extra,
    }


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        payment = services.payment_for(request.user, ref)
    except services.PaymentNotFound:
        raise Http404 from None
    if request.GET.get("format") == "json":  # the page's script asks whether the state changed
        return JsonResponse({"state": payment.state, "open": payment.is_open})
    return render(request, "payments/payment.html", _payment_context(request, payment))


@login_required
@require_POST
def cancel(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        payment = services.payment_for(request.user, ref)
        services.cancel_payment(payment, actor=request.user)
    except services.PaymentNotFound:
        raise Http404 from None
    except services.PaymentForbidden:
        raise PermissionDenied from None
    except services.PaymentConflict:
        pass  # it ended meanwhile: the page shows how
    return redirect("payments:detail", ref=ref)


@never_cache
@require_GET
def gateway_return(request: HttpRequest, provider: str) -> HttpResponse:
    """The payer's browser back from the gateway: shows the stored state, never the parameters alone."""
    chosen = _provider_or_404(provider)
    if len(request.GET) > MAX_PARAMS:
        return render(request, "payments/return_unverified.html", status=400)
    check = services.check_return(chosen, request.GET.dict(), headers=request.headers,
                                  remote_addr=request.META.get("REMOTE_ADDR"))
    payment = check.payment
    if payment is not None and services.can_see(request.user, payment.dossier):
        context = _payment_context(request, payment, from_return=True, check=check)
        return render(request, "payments/payment.html", context, status=200 if check.signature_valid else 400)
    if check.verdict == Verdict.SEEN:
        login = f"{reverse('accounts:login')}?next={reverse('payments:detail', args=[payment.merchant_ref])}"
        return render(request, "payments/return_unverified.html", {"received": True, "login_url": login})
    return render(request, "payments/return_unverified.html", status=400)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request: HttpRequest, provider: str) -> HttpResponse:
    """Server-to-server notification (VNPay calls it with GET)."""
    try:
        chosen = get_provider(provider)
    except UnknownProvider:
        return JsonResponse({"RspCode": "99", "Message": "Unknown provider"}, status=404)
    except ImproperlyConfigured:
        log.error("payments: IPN for %s, which is not configured", provider)
        return JsonResponse({"RspCode": "99", "Message": "Unknown error"}, status=503)
    if request.method == "GET":
        params = request.GET.dict()
    elif request.content_type == "application/json":
        try:
            data = json.loads(request.body[:MAX_JSON_BYTES] or b"{}")
        except ValueError:
            data = {}
        params = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    else:
        params = request.POST.dict()
    answer = chosen.handle_callback(params, headers=request.headers, remote_addr=request.META.get("REMOTE_ADDR"))
    if isinstance(answer.body, str):
        return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    return JsonResponse(dict(answer.body), status=answer.status)


@never_cache
@login_required
@require_GET
def receipt_pdf(request: HttpRequest, ref: str) -> HttpResponse:
    """The receipt (biên lai điện tử) or payment confirmation of a paid payment, as PDF: to its
    dossier's owner and staff of its agencies (`payment_for`), else 404."""
    from .models import ReceiptDocument
    from .receipts import pdf_for

    try:
        payment = services.payment_for(request.user, ref[:40])
    except services.PaymentNotFound:
        raise Http404 from None
    if payment.state != State.PAID or not ReceiptDocument.objects.filter(payment=payment).exists():
        raise Http404
    response = HttpResponse(pdf_for(payment), content_type="application/pdf")
    name = "bien-lai" if payment.receipt.kind == ReceiptDocument.Kind.RECEIPT else "xac-nhan-thanh-toan"
    response["Content-Disposition"] = f'inline; filename="{name}-{payment.merchant_ref}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
