"""Payments: fees due, start, gateway messages (callback, return, query), expiry, cancellation.

The only code that writes Payment and CallbackLog rows. The rules, the same for every provider:

* a message is logged (CallbackLog, append-only) whatever becomes of it;
* a bad signature, an unknown reference, another terminal, or an amount that differs by one
  đồng changes nothing and is answered with the gateway's code for it;
* the state moves only as `states.decide` allows: a replay changes nothing, paid is final, a
  "paid" after cancellation or expiry is recorded for reconciliation;
* the change, its log entry and its effect on the dossier happen in one transaction, under a
  row lock on the payment (then the dossier's, taken by the action layer: always in that order);
* the browser's return never changes anything: it is checked and shown, and it asks the
  gateway (a query job) when the payment is still open.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.fees import dossier_fee_amount
from motcua.core.errors import DomainError

from . import conf, states
from .models import CallbackLog, Payment, When
from .providers import CallbackAnswer, GatewayResult, Outcome, PaymentProvider, ProviderError, Verdict, get_provider
from .states import Effect, Event, State

log = logging.getLogger("motcua.payments")

LOG_HEADERS = ("User-Agent", "Content-Type", "X-Forwarded-For", "X-Real-IP", "Referer")
MAX_LOG_PARAMS = 60
MAX_LOG_VALUE = 1000
MAX_IDEMPOTENCY_KEY = 100
# Dossier statuses in which fees can be paid: not refused, withdrawn, stopped or returned.
PAYABLE_STATUSES = frozenset({1, 2, 4, 5, 6, 9})
AWAITING_PAYMENT = 6


class PaymentError(DomainError):
    """Like the dossier errors: an HTTP-like status, a stable code and a Vietnamese message."""

    status = 400
    default_code = "payment_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code


class PaymentNotFound(PaymentError):
    status = 404
    default_code = "not_found"


class PaymentForbidden(PaymentError):
    status = 403
    default_code = "forbidden"


class PaymentConflict(PaymentError):
    status = 409
    default_code = "payment_conflict"


class PaymentUnavailable(PaymentError):
    status = 503
    default_code = "payment_unavailable"


class _ConcurrentChange(Exception):
    pass


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("aware datetimes only")
    return now


# --- fees due -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeLine:
    fee_id: int
    name: str
    amount_vnd: int  # the fee's amount
    collected: str  # at_reception | at_return
    paid_vnd: int  # already paid (online, or collected at the counter)
    due_vnd: int

    def as_json(self) -> dict[str, Any]:
        return {"fee_id": self.fee_id, "name": self.name, "amount_vnd": self.due_vnd, "collected": self.collected}


@dataclass(frozen=True)
class FeesDue:
    when: str
    lines: tuple[FeeLine, ...]
    total_vnd: int

    @property
    def payable(self) -> tuple[FeeLine, ...]:
        return tuple(line for line in self.lines if line.due_vnd > 0)


def _paid_payments(dossier) -> list[Payment]:
    return list(Payment.objects.filter(dossier_id=dossier.pk, state=State.PAID).order_by("paid_at", "id"))


def fees_due(dossier, when: str = When.AT_RECEPTION, fees: list | None = None) -> FeesDue:
    """The fees of the dossier's procedure version still to pay.

    * "at_reception": the fees collected when the dossier is submitted;
    * "at_return": every fee not paid yet (fees due at reception that were not paid are
      collected at the latest when the result is returned, docs/architecture.md §6).
    Paid = the lines of paid online payments, then the money collected at the counter
    (`Dossier.fee_collected`, less what online payments already added to it), applied to the
    fees in order (reception fees first). Each fee's amount follows its rule (catalog/fees.py);
    free fees (0 đồng, or exempt for this dossier) are left out."""
    if when not in When.values:
        raise ValueError(f"when must be one of {When.values}")
    from motcua.catalog.models import Fee

    if fees is None:  # else: the version's fees, read by the caller's page already
        fees = list(Fee.objects.filter(version_id=dossier.procedure_version_id).order_by("order", "id"))
    if not any(dossier_fee_amount(fee, dossier) > 0 for fee in fees):
        return FeesDue(when=str(when), lines=(), total_vnd=0)  # free: nothing to pay, no payment to read
    return fees_due_from(dossier, fees, _paid_payments(dossier), when)


def fees_due_from(dossier, fees: list, paid: list[Payment], when: str = When.AT_RECEPTION) -> FeesDue:
    """`fees_due` on fees and paid payments already read (a list page reads them for all its rows
    in two queries: `awaiting.shown_many`)."""
    from motcua.catalog.models import Fee

    amounts = {fee.pk: dossier_fee_amount(fee, dossier) for fee in fees}  # the fee's rule (per copy, exemption…)
    online: dict[int, int] = defaultdict(int)
    for payment in paid:
        for line in payment.fees or []:
            online[int(line.get("fee_id") or 0)] += int(line.get("amount_vnd") or 0)
    recorded = sum(p.amount_vnd for p in paid if p.fee_collected_recorded)
    counter = max(0, int(dossier.fee_collected or 0) - recorded)
    lines = []
    ordered = sorted(fees, key=lambda f: (f.collected != Fee.When.AT_RECEPTION, f.order, f.pk))
    for fee in ordered:
        amount = amounts[fee.pk]
        if amount <= 0:
            continue
        paid_vnd = min(amount, online[fee.pk])
        from_counter = min(counter, amount - paid_vnd)
        counter -= from_counter
        paid_vnd += from_counter
        if when == When.AT_RETURN or fee.collected == Fee.When.AT_RECEPTION:
            lines.append(FeeLine(fee.pk, fee.name, amount, fee.collected, paid_vnd, amount - paid_vnd))
    return FeesDue(when=str(when), lines=tuple(lines), total_vnd=sum(line.due_vnd for line in lines))


def awaiting_fee(dossier) -> bool:
    """The "chờ nộp phí" sub-state: a level-4 online dossier at status 1 whose fees due at
    submission are not paid yet (the rules of the sub-state, its deadline and reminder: awaiting.py)."""
    from .awaiting import awaiting_fee as rule

    return rule(dossier)


def default_when(dossier) -> str:
    """Before the result: the fees due at reception; awaiting a financial obligation (6) or with
    the result ready (9): everything still unpaid."""
    return When.AT_RETURN if dossier.status in (AWAITING_PAYMENT, 9) else When.AT_RECEPTION


# --- who may do what ------------------------------------------------------------------------------


def relation(user, dossier) -> str | None:
    """"owner" (the citizen account of the dossier), "staff" (a role at its receiving or handling
    agency, or a superuser), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if dossier.owner_id is not None and dossier.owner_id == user.pk:
        return "owner"
    if user.is_superuser:
        return "staff"
    from motcua.dossiers.queries import user_roles

    roles = user_roles(user)
    if dossier.agency_id in roles or dossier.handling_agency_id in roles:
        return "staff"
    return None


def can_see(user, dossier) -> bool:
    from motcua.dossiers.queries import can_see as can_see_dossier

    return can_see_dossier(user, dossier)


def can_start(user, dossier) -> bool:
    """Whether to show a "pay" button (the checks of `start_payment` without the amounts)."""
    who = relation(user, dossier)
    if who is None or dossier.status not in PAYABLE_STATUSES:
        return False
    return who == "staff" or _online_payment_offered(dossier)


def _online_payment_offered(dossier) -> bool:
    from motcua.catalog.models import ServiceLevel

    return dossier.procedure_version.level >= ServiceLevel.FULLY_ONLINE


def payments_of(user, dossier) -> QuerySet[Payment]:
    """The payments of a dossier the user may see (none when they may not see the dossier)."""
    if not can_see(user, dossier):
        return Payment.objects.none()
    return Payment.objects.filter(dossier_id=dossier.pk).order_by("-created_at", "-id")


def payment_for(user, merchant_ref: str) -> Payment:
    """The payment, if the user may see its dossier; else PaymentNotFound (the same as unknown)."""
    payment = (
        Payment.objects.select_related("dossier", "dossier__procedure_version").filter(merchant_ref=merchant_ref)
        .first()
    )
    if payment is None or not can_see(user, payment.dossier):
        raise PaymentNotFound(_("Không tìm thấy giao dịch thanh toán."))
    return payment


# --- logging --------------------------------------------------------------------------------------


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """What is kept of received parameters: at most 60, each cut to 1000 characters."""
    out: dict[str, str] = {}
    for key, value in list(params.items())[:MAX_LOG_PARAMS]:
        out[str(key)[:100]] = str(value)[:MAX_LOG_VALUE]
    return out


def headers_subset(headers: Mapping[str, str] | None) -> dict[str, str]:
    if not headers:
        return {}
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    return {name: lower[name.lower()][:500] for name in LOG_HEADERS if name.lower() in lower}


def _log(**fields: Any) -> CallbackLog:
    if fields.get("remote_addr") in ("", None):
        fields["remote_addr"] = None
    return CallbackLog.objects.create(**fields)


# --- start ----------------------------------------------------------------------------------------


def _new_ref(now: dt.datetime) -> str:
    return f"{timezone.localtime(now):%y%m%d}{secrets.randbelow(10**10):010d}"


def _safe_next(next_url: str) -> str:
    next_url = (next_url or "").strip()
    if not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url or len(next_url) > 500:
        return ""
    return next_url


def return_url_for(provider_name: str, site_url: str | None = None) -> str:
    base = (site_url or settings.MOTCUA_PUBLIC_URL).rstrip("/")
    return base + reverse("payments:return", args=[provider_name])


def start_payment(
    dossier,
    *,
    actor,
    when: str | None = None,
    site_url: str | None = None,
    next_url: str = "",
    client_ip: str = "",
    idempotency_key: str | None = None,
    provider: str | None = None,
    now: dt.datetime | None = None,
) -> Payment:
    """Open a payment of the fees due and return it; send the payer to `payment.redirect_url`.

    * actor: the dossier's owner (procedures of level 4) or staff of its receiving or handling
      agency (paying at the counter); anyone else gets PaymentNotFound (404) when they cannot
      see the dossier, PaymentForbidden (403) otherwise;
    * when: "at_reception" | "at_return" (default: `default_when(dossier)`);
    * site_url: scheme and host the gateway returns the payer to (default MOTCUA_PUBLIC_URL);
    * next_url: a local path to offer after the result (the dossier's page);
    * idempotency_key: a retry with the same key returns the same payment;
    * an open payment of the same amount is reused (a double click, a second tab); one of
      another amount -> PaymentConflict until it ends or is cancelled.
    """
    from motcua.dossiers.models import Dossier

    now = _now(now)
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PaymentForbidden(_("Cần đăng nhập để thanh toán."), code="unauthenticated")
    key = (idempotency_key or "").strip() or None
    if key and (len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable()):
        raise PaymentError(_("Khóa chống lặp phải có từ 1 đến 100 ký tự in được."), code="invalid_parameter")
    try:
        chosen = get_provider(provider)
    except (ProviderError, ImproperlyConfigured) as exc:
        raise PaymentUnavailable(_("Cổng thanh toán chưa được cấu hình."), code="provider_unavailable") from exc
    with transaction.atomic():
        if key:
            existing = Payment.objects.filter(created_by=actor, idempotency_key=key).first()
            if existing is not None:
                if existing.dossier_id != dossier.pk:
                    raise PaymentConflict(_("Khóa chống lặp đã được dùng cho một giao dịch khác."),
                                          code="idempotency_key_reused")
                return existing
        # Serialise payments of one dossier (read lock only: the dossier is not written here).
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("procedure_version").get(pk=dossier.pk)
        who = relation(actor, locked)
        if who is None:
            if can_see(actor, locked):
                raise PaymentForbidden(_("Bạn không có quyền thanh toán cho hồ sơ này."))
            raise PaymentNotFound(_("Không tìm thấy hồ sơ."))
        if who == "owner" and not _online_payment_offered(locked):
            raise PaymentConflict(_("Thủ tục này chưa hỗ trợ thanh toán trực tuyến; vui lòng nộp phí tại Bộ phận Một "
                                    "cửa."), code="online_payment_not_offered")
        if locked.status not in PAYABLE_STATUSES:
            raise PaymentConflict(_("Hồ sơ %(code)s đã kết thúc (%(status)s) nên không thể thanh toán.")
                                  % {"code": locked.code, "status": locked.get_status_display()},
                                  code="dossier_not_payable")
        when = when or default_when(locked)
        if when not in When.values:
            raise PaymentError(_("Thời điểm thu phải là at_reception hoặc at_return."), code="invalid_parameter")
        due = fees_due(locked, when)
        if due.total_vnd <= 0:
            raise PaymentConflict(_("Hồ sơ không còn khoản phí, lệ phí nào cần thanh toán."), code="nothing_due")
        lines = [line.as_json() for line in due.payable]
        open_payment = (
            Payment.objects.filter(dossier_id=locked.pk, state__in=states.OPEN, deadline__gt=now)
            .order_by("-created_at").first()
        )
        if open_payment is not None:
            if open_payment.amount_vnd == due.total_vnd and open_payment.provider == chosen.name:
                return open_payment
            raise PaymentConflict(_("Hồ sơ đang có một giao dịch thanh toán chưa hoàn tất; vui lòng hoàn tất hoặc hủy "
                                    "giao dịch đó trước."), code="payment_in_progress")
        payment = _create(locked, chosen, actor=actor, when=when, amount=due.total_vnd, lines=lines, key=key,
                          next_url=_safe_next(next_url), client_ip=client_ip, now=now,
                          return_url=return_url_for(chosen.name, site_url))
        try:
            url = chosen.start(payment, payment.return_url, client_ip=client_ip, now=now)
        except ProviderError as exc:
            log.error("payment %s: provider %s cannot start: %s", payment.merchant_ref, chosen.name, exc)
            raise PaymentUnavailable(_("Cổng thanh toán tạm thời không sử dụng được; vui lòng thử lại sau."),
                                     code="provider_unavailable") from exc
        transition = states.decide(payment.state, Event.START)
        Payment.objects.filter(pk=payment.pk).update(state=transition.to_state, redirect_url=url, updated_at=now)
        payment.state, payment.redirect_url = transition.to_state, url
        _log(payment=payment, provider=chosen.name, kind=CallbackLog.Kind.SYSTEM, merchant_ref=payment.merchant_ref,
             params={"action": "start", "amount_vnd": payment.amount_vnd, "when": when, "by": actor.pk,
                     "relation": who},
             outcome=Verdict.APPLIED, state_before=transition.from_state, state_after=transition.to_state,
             remote_addr=_ip_or_none(client_ip), received_at=now)
    return payment


def _ip_or_none(value: str | None) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _create(dossier, provider: PaymentProvider, *, actor, when, amount, lines, key, next_url, client_ip, now,
            return_url) -> Payment:
    timeout = dt.timedelta(minutes=int(conf.setting("MOTCUA_PAYMENT_TIMEOUT_MINUTES")))
    for attempt in range(5):
        try:
            with transaction.atomic():
                return Payment.objects.create(
                    dossier=dossier, merchant_ref=_new_ref(now), provider=provider.name, is_test=provider.is_test,
                    amount_vnd=amount, fees=lines, when=when, state=State.CREATED, return_url=return_url,
                    next_url=next_url, client_ip=_ip_or_none(client_ip), created_by=actor, idempotency_key=key,
                    created_at=now, updated_at=now, deadline=now + timeout,
                )
        except IntegrityError:
            if key and Payment.objects.filter(created_by=actor, idempotency_key=key).exists():
                raise PaymentConflict(_("Yêu cầu thanh toán này đang được xử lý."),
                                      code="idempotency_in_progress") from None
            if attempt == 4:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- messages from the gateway --------------------------------------------------------------------


def _apply(
    provider: PaymentProvider,
    result: GatewayResult,
    *,
    kind: str,
    log_params: dict[str, Any],
    response: Callable[[Verdict], Mapping[str, Any]],
    headers: dict[str, str],
    remote_addr: str | None,
    now: dt.datetime,
) -> tuple[Verdict, Payment | None]:
    """Apply one gateway message under the rules above; log it in the same transaction."""
    ref = (result.merchant_ref or "")[:100]

    def write(verdict: Verdict, payment: Payment | None, before: str = "", after: str = "") -> None:
        _log(payment=payment, provider=provider.name, kind=kind, merchant_ref=ref, params=log_params,
             headers=headers, response=dict(response(verdict)), signature_valid=result.signature_valid,
             outcome=verdict, state_before=before, state_after=after, remote_addr=remote_addr, received_at=now)

    if not result.signature_valid:
        payment = Payment.objects.filter(provider=provider.name, merchant_ref=ref).first() if ref else None
        log.warning("payments: %s for %r with an invalid signature from %s", kind, ref, remote_addr)
        write(Verdict.BAD_SIGNATURE, payment, *(2 * [payment.state] if payment else []))
        return Verdict.BAD_SIGNATURE, payment
    if not ref or not result.merchant_ok:
        write(Verdict.UNKNOWN_REF, None)
        return Verdict.UNKNOWN_REF, None
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(provider=provider.name, merchant_ref=ref).first()
        if payment is None:
            log.warning("payments: %s for unknown reference %r", kind, ref)
            write(Verdict.UNKNOWN_REF, None)
            return Verdict.UNKNOWN_REF, None
        before = payment.state
        if result.amount_vnd != payment.amount_vnd:
            log.warning("payments: %s for %s with amount %s instead of %s", kind, ref, result.amount_vnd,
                        payment.amount_vnd)
            write(Verdict.AMOUNT_MISMATCH, payment, before, before)
            return Verdict.AMOUNT_MISMATCH, payment
        event = result.outcome.event
        if event is None:  # the gateway refused our question: nothing learnt
            write(Verdict.ERROR, payment, before, before)
            return Verdict.ERROR, payment
        transition = states.decide(payment.state, event)
        if transition.effect == Effect.APPLY:
            verdict = _move(payment, transition, result, now)
        elif transition.effect == Effect.LATE_PAID:
            verdict = _late_paid(payment, result, now)
        elif transition.effect == Effect.SAME:
            verdict = Verdict.PENDING if event == Event.PENDING else Verdict.SAME
            if event == Event.PAID:
                _check_second_charge(payment, result, now)
            elif event == Event.PENDING and (result.code, result.message) != (payment.gateway_code,
                                                                               payment.gateway_message):
                Payment.objects.filter(pk=payment.pk).update(gateway_code=result.code[:10],
                                                             gateway_message=result.message[:255])
        else:
            verdict = Verdict.IGNORED
        write(verdict, payment, before, payment.state)
    return verdict, payment


def _move(payment: Payment, transition: states.Transition, result: GatewayResult, now: dt.datetime) -> Verdict:
    to = transition.to_state
    fields: dict[str, Any] = {
        "state": to, "updated_at": now, "finished_at": now,
        "gateway_code": result.code[:10], "gateway_message": result.message[:255],
    }
    if to == State.PAID:
        txn = result.provider_txn_ref[:100]
        if txn and Payment.objects.filter(provider=payment.provider, provider_txn_ref=txn).exclude(
            pk=payment.pk
        ).exists():
            log.error("payments: %s reported paid with transaction %s already used by another payment",
                      payment.merchant_ref, txn)
            Payment.objects.filter(pk=payment.pk).update(
                needs_reconciliation=True, updated_at=now,
                reconciliation_note=f"Cổng báo mã giao dịch {txn} đã dùng cho giao dịch khác."[:500],
            )
            payment.needs_reconciliation = True
            return Verdict.IGNORED
        fields.update(paid_at=result.paid_at or now, provider_txn_ref=txn)
    updated = Payment.objects.filter(pk=payment.pk, state=transition.from_state).update(**fields)
    if updated != 1:  # only reachable if a writer bypassed the lock
        raise _ConcurrentChange(payment.merchant_ref)
    for name, value in fields.items():
        setattr(payment, name, value)
    if to == State.PAID:
        _check_overpaid(payment, now)
        record_on_dossier(payment, now=now)
    return Verdict.APPLIED


def _late_paid(payment: Payment, result: GatewayResult, now: dt.datetime) -> Verdict:
    if payment.late_paid_at is not None:
        return Verdict.SAME
    note = (f"Cổng báo đã thanh toán lúc {timezone.localtime(result.paid_at or now):%H:%M %d/%m/%Y} sau khi giao "
            f"dịch đã {payment.state_label.lower()}: cần đối soát (hoàn tiền hoặc ghi nhận).")
    fields: dict[str, Any] = {
        "needs_reconciliation": True, "late_paid_at": now, "reconciliation_note": note[:500], "updated_at": now,
        "gateway_code": result.code[:10], "gateway_message": result.message[:255],
    }
    txn = result.provider_txn_ref[:100]
    if txn and not Payment.objects.filter(provider=payment.provider, provider_txn_ref=txn).exists():
        fields["provider_txn_ref"] = txn
    Payment.objects.filter(pk=payment.pk).update(**fields)
    for name, value in fields.items():
        setattr(payment, name, value)
    log.warning("payments: %s paid after it was %s: needs reconciliation", payment.merchant_ref, payment.state)
    return Verdict.LATE_PAID


def _check_second_charge(payment: Payment, result: GatewayResult, now: dt.datetime) -> None:
    """A second "paid" with another transaction number: the payer may have been charged twice."""
    txn = result.provider_txn_ref
    if txn and payment.provider_txn_ref and txn != payment.provider_txn_ref and not payment.needs_reconciliation:
        note = f"Cổng báo thêm một giao dịch thành công ({txn}) cho cùng mã giao dịch: có thể thu trùng."
        Payment.objects.filter(pk=payment.pk).update(needs_reconciliation=True, reconciliation_note=note[:500],
                                                     updated_at=now)
        payment.needs_reconciliation = True


def _check_overpaid(payment: Payment, now: dt.datetime) -> None:
    """Paid fee lines already paid by another payment (two tabs, a retry after a late success)."""
    others: dict[int, int] = defaultdict(int)
    for other in Payment.objects.filter(dossier_id=payment.dossier_id, state=State.PAID).exclude(pk=payment.pk):
        for line in other.fees or []:
            others[int(line.get("fee_id") or 0)] += int(line.get("amount_vnd") or 0)
    if not others:
        return
    from motcua.catalog.models import Fee

    amounts = {fee.pk: dossier_fee_amount(fee, payment.dossier)
               for fee in Fee.objects.filter(pk__in=[line.get("fee_id") for line in payment.fees])}
    for line in payment.fees:
        fee_id = int(line.get("fee_id") or 0)
        limit = amounts.get(fee_id, int(line.get("amount_vnd") or 0))
        if others[fee_id] + int(line.get("amount_vnd") or 0) > limit:
            note = f"Khoản «{line.get('name', '')}» đã được thanh toán ở giao dịch khác: thu trùng, cần hoàn tiền."
            Payment.objects.filter(pk=payment.pk).update(needs_reconciliation=True, reconciliation_note=note[:500])
            payment.needs_reconciliation = True
            log.warning("payments: %s pays fees already paid: needs reconciliation", payment.merchant_ref)
            return


def receive_callback(
    provider: PaymentProvider,
    params: Mapping[str, str],
    *,
    headers: Mapping[str, str] | None = None,
    remote_addr: str | None = None,
    now: dt.datetime | None = None,
) -> CallbackAnswer:
    """A server-to-server notification (IPN): verify, apply, log, answer as the gateway expects."""
    now = _now(now)
    kept, hdrs, addr = clean_params(params), headers_subset(headers), _ip_or_none(remote_addr)
    result = provider.verify_callback(params)
    allowed = [str(ip) for ip in conf.setting("MOTCUA_PAYMENT_IPN_ALLOWED_IPS") or []]
    if (allowed and addr not in allowed) or not provider.accepting():
        answer = provider.callback_reply(Verdict.FORBIDDEN)
        _log(provider=provider.name, kind=CallbackLog.Kind.CALLBACK, merchant_ref=result.merchant_ref[:100],
             params=kept, headers=hdrs, response=_body(answer), signature_valid=result.signature_valid,
             outcome=Verdict.FORBIDDEN, remote_addr=addr, received_at=now)
        log.warning("payments: callback to %s refused from %s", provider.name, addr)
        return answer
    try:
        verdict, _payment = _apply(
            provider, result, kind=CallbackLog.Kind.CALLBACK, log_params=kept,
            response=lambda v: _body(provider.callback_reply(v)), headers=hdrs, remote_addr=addr, now=now,
        )
    except Exception:  # the gateway will retry; keep a trace of what it sent
        log.exception("payments: callback %s for %r failed", provider.name, result.merchant_ref)
        answer = provider.callback_reply(Verdict.ERROR)
        _log(provider=provider.name, kind=CallbackLog.Kind.CALLBACK, merchant_ref=result.merchant_ref[:100],
             params=kept, headers=hdrs, response=_body(answer), signature_valid=result.signature_valid,
             outcome=Verdict.ERROR, remote_addr=addr, received_at=now)
        return answer
    return provider.callback_reply(verdict)


def _body(answer: CallbackAnswer) -> dict[str, Any]:
    return dict(answer.body) if isinstance(answer.body, Mapping) else {"body": str(answer.body)[:2000]}


@dataclass(frozen=True)
class ReturnCheck:
    """What the return page shows: the stored payment (never the parameters alone)."""

    payment: Payment | None
    signature_valid: bool
    verdict: Verdict
    gateway_outcome: Outcome
    gateway_message: str


def check_return(
    provider: PaymentProvider,
    params: Mapping[str, str],
    *,
    headers: Mapping[str, str] | None = None,
    remote_addr: str | None = None,
    now: dt.datetime | None = None,
) -> ReturnCheck:
    """The browser came back from the gateway: check the signature, log, and find the payment.

    Nothing changes here (the gateway's IPN and our queries do that); when the payment is still
    open, a query job is enqueued so that it settles even if the IPN is lost."""
    now = _now(now)
    result = provider.verify_return(params)
    ref = result.merchant_ref[:100]
    payment = Payment.objects.filter(provider=provider.name, merchant_ref=ref).first() if ref else None
    if not result.signature_valid:
        verdict = Verdict.BAD_SIGNATURE
    elif payment is None or not result.merchant_ok:
        verdict, payment = Verdict.UNKNOWN_REF, None
    elif result.amount_vnd != payment.amount_vnd:
        verdict = Verdict.AMOUNT_MISMATCH
    else:
        verdict = Verdict.SEEN
    _log(payment=payment, provider=provider.name, kind=CallbackLog.Kind.RETURN, merchant_ref=ref,
         params=clean_params(params), headers=headers_subset(headers), signature_valid=result.signature_valid,
         outcome=verdict, state_before=payment.state if payment else "", state_after=payment.state if payment else "",
         remote_addr=_ip_or_none(remote_addr), received_at=now)
    if verdict != Verdict.SEEN:
        log.warning("payments: return for %r rejected (%s) from %s", ref, verdict, remote_addr)
    elif payment.is_open:
        enqueue_query(payment, now=now)
    return ReturnCheck(payment=payment, signature_valid=result.signature_valid, verdict=verdict,
                       gateway_outcome=result.outcome, gateway_message=result.message)


def enqueue_query(payment: Payment, *, now: dt.datetime | None = None) -> None:
    """Ask the gateway soon (at most one job per payment and minute)."""
    from motcua.jobs.runner import enqueue

    now = _now(now)
    enqueue("payments.query", {"payment_id": payment.pk}, dedupe_key=f"payments.query:{payment.pk}:{now:%Y%m%d%H%M}")


# --- queries, expiry, cancellation ----------------------------------------------------------------


def refresh_payment(payment: Payment, *, now: dt.datetime | None = None) -> Payment:
    """Ask the gateway about an open payment and apply the answer; expire it when it is past its
    deadline and the gateway says it was not paid (or cannot be reached for a long time)."""
    now = _now(now)
    result: GatewayResult | None = None
    try:
        # A provider no longer installed (the demo gateway after going live) is like one that
        # cannot be reached: the payment expires once the give-up time has passed.
        provider = get_provider(payment.provider)
        result = provider.query(payment, now=now)
    except ProviderError as exc:
        log.warning("payments: query of %s failed: %s", payment.merchant_ref, exc)
        _log(payment=payment, provider=payment.provider, kind=CallbackLog.Kind.QUERY, merchant_ref=payment.merchant_ref,
             response={"error": str(exc)[:500]}, outcome=Verdict.ERROR, state_before=payment.state,
             state_after=payment.state, received_at=now)
    else:
        _apply(provider, result, kind=CallbackLog.Kind.QUERY, log_params=clean_params(result.request),
               response=lambda v: clean_params(result.raw), headers={}, remote_addr=None, now=now)
    Payment.objects.filter(pk=payment.pk).update(last_queried_at=now, query_count=F("query_count") + 1)
    payment.refresh_from_db()
    if payment.is_open:
        grace = dt.timedelta(minutes=int(conf.setting("MOTCUA_PAYMENT_EXPIRE_GRACE_MINUTES")))
        give_up = dt.timedelta(hours=int(conf.setting("MOTCUA_PAYMENT_GIVE_UP_HOURS")))
        not_paid = (result is not None and result.signature_valid
                    and result.outcome in (Outcome.PENDING, Outcome.NOT_FOUND))
        if (not_paid and now >= payment.deadline + grace) or now >= payment.deadline + give_up:
            reason = "not_paid_after_deadline" if not_paid else "gateway_unreachable_after_deadline"
            payment = _system_move(payment, Event.EXPIRED, now=now, params={"action": "expire", "reason": reason})
    return payment


def _system_move(payment: Payment, event: Event, *, now: dt.datetime, params: dict[str, Any],
                 remote_addr: str | None = None) -> Payment:
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        transition = states.decide(locked.state, event)
        if transition.effect != Effect.APPLY:
            return locked
        Payment.objects.filter(pk=locked.pk, state=transition.from_state).update(
            state=transition.to_state, updated_at=now, finished_at=now
        )
        locked.state, locked.updated_at, locked.finished_at = transition.to_state, now, now
        _log(payment=locked, provider=locked.provider, kind=CallbackLog.Kind.SYSTEM, merchant_ref=locked.merchant_ref,
             params=params, outcome=Verdict.APPLIED, state_before=transition.from_state,
             state_after=transition.to_state, remote_addr=_ip_or_none(remote_addr), received_at=now)
    return locked


def cancel_payment(payment: Payment, *, actor, now: dt.datetime | None = None) -> Payment:
    """The payer (or the counter) gives up an open payment; a "paid" arriving later is recorded
    for reconciliation."""
    now = _now(now)
    who = relation(actor, payment.dossier)
    if who is None:
        if can_see(actor, payment.dossier):
            raise PaymentForbidden(_("Bạn không có quyền hủy giao dịch này."))
        raise PaymentNotFound(_("Không tìm thấy giao dịch thanh toán."))
    if not payment.is_open:
        raise PaymentConflict(_("Giao dịch đã kết thúc (%(state)s), không hủy được.") % {"state": payment.state_label},
                              code="payment_finished")
    done = _system_move(payment, Event.CANCELLED, now=now, params={"action": "cancel", "by": actor.pk})
    if done.state != State.CANCELLED:
        raise PaymentConflict(_("Giao dịch vừa kết thúc (%(state)s), không hủy được.") % {"state": done.state_label},
                              code="payment_finished")
    return done


def requery_pending(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """The periodic job: query payments open for more than MOTCUA_PAYMENT_REQUERY_AFTER_MINUTES,
    least recently asked first; expire those past their deadline."""
    now = _now(now)
    after = dt.timedelta(minutes=int(conf.setting("MOTCUA_PAYMENT_REQUERY_AFTER_MINUTES")))
    due = (
        Payment.objects.filter(state__in=states.OPEN, created_at__lte=now - after)
        .order_by(F("last_queried_at").asc(nulls_first=True), "created_at", "id")[:limit]
    )
    counts: dict[str, int] = defaultdict(int)
    for payment in due:
        try:
            counts[refresh_payment(payment, now=now).state] += 1
        except Exception:  # one broken payment must not stop the others
            log.exception("payments: re-query of %s failed", payment.merchant_ref)
            counts["error"] += 1
    return dict(counts)


# --- the dossier ----------------------------------------------------------------------------------


def record_on_dossier(payment: Payment, *, now: dt.datetime) -> None:
    """Record a payment that just became paid on its dossier, through the dossier action layer,
    inside the caller's transaction (the payment row is locked; the action layer locks the dossier).

    `actions.record_payment` adds the amount to the dossier's fees collected, appends a
    "payment_received" event by the system, and resumes a dossier waiting for the payment.
    A failure here never undoes the payment (the money was taken): the note says what to do."""
    from motcua.dossiers import actions
    from motcua.dossiers.errors import DossierError
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.get(pk=payment.dossier_id)
    try:
        with transaction.atomic():
            result = actions.record_payment(
                dossier, amount_vnd=payment.amount_vnd, reference=payment.merchant_ref, provider=payment.provider,
                fees=payment.fees, paid_at=payment.paid_at or now, at=now,
            )
    except DossierError as exc:
        log.warning("payments: %s paid but not recorded on dossier %s: %s", payment.merchant_ref, dossier.code, exc)
        _dossier_note(payment, False, f"Chưa ghi nhận vào hồ sơ: {exc.message} Bộ phận Một cửa xử lý tiếp.")
        return
    Payment.objects.filter(pk=payment.pk).update(fee_collected_recorded=True)
    payment.fee_collected_recorded = True
    from .receipts import issue_for

    try:
        with transaction.atomic():
            issue_for(payment, now=now)  # its receipt (or confirmation), numbered once (#17)
    except Exception:  # the money was taken and recorded: the paper must not undo that
        log.exception("payments: receipt of %s not issued", payment.merchant_ref)
    resumed = result.event.from_status != result.event.to_status
    _dossier_note(payment, True, "Đã ghi nhận vào hồ sơ" + ("; hồ sơ tự động tiếp tục xử lý." if resumed else "."))


def _dossier_note(payment: Payment, recorded: bool, note: str) -> None:
    Payment.objects.filter(pk=payment.pk).update(dossier_recorded=recorded, dossier_note=note[:500])
    payment.dossier_recorded, payment.dossier_note = recorded, note[:500]


def online_payment_code(dossier) -> int:
    """DuocThanhToanTrucTuyen for the national portal sync: 0 not paid online, 1 paid on the
    national portal's platform, 2 paid on the ministry's or province's gateway (our providers)."""
    payment = Payment.objects.filter(dossier_id=dossier.pk, state=State.PAID).order_by("paid_at").first()
    if payment is None:
        return 0
    try:
        return get_provider(payment.provider).national_code
    except ProviderError:
        return 2


def payment_summary(payment: Payment) -> dict[str, Any]:
    """A plain dict for templates and the API (no personal data)."""
    return {
        "merchant_ref": payment.merchant_ref, "state": payment.state, "state_label": payment.state_label,
        "amount_vnd": payment.amount_vnd, "fees": payment.fees, "provider": payment.provider,
        "created_at": payment.created_at, "paid_at": payment.paid_at, "deadline": payment.deadline,
        "is_test": payment.is_test,
    }


__all__ = [
    "FeeLine", "FeesDue", "PaymentConflict", "PaymentError", "PaymentForbidden", "PaymentNotFound",
    "PaymentUnavailable", "ReturnCheck", "awaiting_fee", "can_see", "can_start", "cancel_payment", "check_return",
    "default_when", "enqueue_query", "fees_due", "fees_due_from", "online_payment_code", "payment_for",
    "payment_summary", "payments_of",
    "receive_callback", "record_on_dossier", "refresh_payment", "relation", "requery_pending", "return_url_for",
    "start_payment",
]
