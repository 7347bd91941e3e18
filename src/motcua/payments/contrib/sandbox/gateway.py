"""The built-in test gateway ("sandbox"): a small VNPay 2.1.0 look-alike for demos and tests.

It plays an external system: it keeps its own books (SandboxTransaction) and never reads our
Payment rows. It checks and accepts a signed payment URL, shows a page where the tester pays,
cancels or fails, then (like VNPay) sends a signed server-to-server notification (IPN) and
redirects the browser to vnp_ReturnUrl with the same signed parameters. It answers querydr
requests signed the documented way. Only reachable while `conf.sandbox_gateway_enabled()`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core import http
from motcua.payments import conf, signing
from motcua.payments.providers.vnpay import (
    QUERY_MESSAGES,
    QUERY_REQUEST_FIELDS,
    QUERY_RESPONSE_FIELDS,
    RESPONSE_MESSAGES,
    VERSION,
)

from .models import SandboxTransaction

log = logging.getLogger("motcua.payments.sandbox")

REQUIRED = (
    "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode", "vnp_TxnRef", "vnp_OrderInfo",
    "vnp_OrderType", "vnp_Locale", "vnp_ReturnUrl", "vnp_IpAddr", "vnp_CreateDate",
)
DEFAULT_EXPIRY = dt.timedelta(minutes=15)
BANK = "NCB"
TRANSACTION_NO_BASE = 14_000_000

# What the tester can choose on the payment page: (response code, transaction status, state).
ACTIONS = {
    "pay": ("00", "00", SandboxTransaction.State.PAID),
    "cancel": ("24", "02", SandboxTransaction.State.CANCELLED),
    "fail": ("51", "02", SandboxTransaction.State.FAILED),
}
EXPIRE = ("11", "02", SandboxTransaction.State.EXPIRED)


class GatewayRefusal(Exception):
    """The gateway refuses a request (shown on its error page with VNPay's code)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _secret() -> str:
    return conf.hash_secret(allow_derived=True)


def _tmn_code() -> str:
    return str(conf.setting("MOTCUA_PAYMENT_TMN_CODE"))


# --- the payment page ---------------------------------------------------------------------------


def open_payment(params: Mapping[str, str], *, now: dt.datetime | None = None) -> SandboxTransaction:
    """Check a payment URL's parameters and open (or reopen) its transaction."""
    now = now or timezone.now()
    missing = [name for name in REQUIRED if not str(params.get(name, "")).strip()]
    if missing:
        raise GatewayRefusal("03", "Dữ liệu gửi sang không đúng định dạng (thiếu " + ", ".join(missing) + ").")
    if params["vnp_Version"] != VERSION or params["vnp_Command"] != "pay":
        raise GatewayRefusal("03", "Phiên bản hoặc lệnh không được hỗ trợ (vnp_Version 2.1.0, vnp_Command pay).")
    if params["vnp_TmnCode"] != _tmn_code():
        raise GatewayRefusal("02", "Mã website (vnp_TmnCode) không hợp lệ.")
    if not signing.verify(params, _secret()):
        raise GatewayRefusal("97", "Sai chữ ký (vnp_SecureHash).")
    amount = str(params["vnp_Amount"])
    if not amount.isdigit() or int(amount) <= 0 or int(amount) % 100 or len(amount) > 18:
        raise GatewayRefusal("03", "Số tiền (vnp_Amount) không hợp lệ.")
    if params["vnp_CurrCode"] != "VND":
        raise GatewayRefusal("03", "Chỉ hỗ trợ đơn vị tiền tệ VND.")
    if urlsplit(params["vnp_ReturnUrl"]).scheme not in ("http", "https"):
        raise GatewayRefusal("03", "Địa chỉ trả về (vnp_ReturnUrl) không hợp lệ.")
    created = signing.parse_vn_time(params["vnp_CreateDate"])
    if created is None:
        raise GatewayRefusal("03", "Thời điểm tạo (vnp_CreateDate) không đúng định dạng yyyyMMddHHmmss.")
    expire = signing.parse_vn_time(params.get("vnp_ExpireDate")) if params.get("vnp_ExpireDate") else None
    expire = expire or created + DEFAULT_EXPIRY
    if expire <= now:
        raise GatewayRefusal("11", "Giao dịch đã quá thời gian chờ thanh toán.")
    txn_ref = str(params["vnp_TxnRef"])[:100]
    existing = SandboxTransaction.objects.filter(tmn_code=_tmn_code(), txn_ref=txn_ref).first()
    if existing is not None:
        if existing.state == SandboxTransaction.State.PENDING and existing.amount == int(amount):
            return existing  # the same payment opened again (a reload, a second tab)
        raise GatewayRefusal("01", "Giao dịch đã tồn tại.")
    try:
        with transaction.atomic():
            return SandboxTransaction.objects.create(
                token=secrets.token_urlsafe(18), tmn_code=_tmn_code(), txn_ref=txn_ref, amount=int(amount),
                order_info=str(params["vnp_OrderInfo"])[:255], return_url=params["vnp_ReturnUrl"],
                create_date=params["vnp_CreateDate"], expire_at=expire, created_at=now,
            )
    except IntegrityError:  # the same URL opened twice at once
        return SandboxTransaction.objects.get(tmn_code=_tmn_code(), txn_ref=txn_ref)


def result_params(txn: SandboxTransaction) -> dict[str, str]:
    """The signed parameters of a finished transaction (for the return URL and the IPN)."""
    paid = txn.state == SandboxTransaction.State.PAID
    params = {
        "vnp_Amount": str(txn.amount),
        "vnp_BankCode": txn.bank_code,
        "vnp_BankTranNo": f"VNP{txn.transaction_no}" if paid else "",
        "vnp_CardType": "ATM" if paid else "",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": txn.response_code,
        "vnp_TmnCode": txn.tmn_code,
        "vnp_TransactionNo": txn.transaction_no or "0",
        "vnp_TransactionStatus": txn.transaction_status,
        "vnp_TxnRef": txn.txn_ref,
    }
    params = {key: value for key, value in params.items() if value != ""}
    params["vnp_SecureHash"] = signing.sign(params, _secret())
    return params


def return_redirect(txn: SandboxTransaction) -> str:
    params = result_params(txn)
    query = "&".join(f"{signing.encode(k)}={signing.encode(v)}" for k, v in params.items())
    return f"{txn.return_url}{'&' if '?' in txn.return_url else '?'}{query}"


def complete(
    token: str, action: str, *, now: dt.datetime | None = None, send_ipn: bool = True
) -> tuple[SandboxTransaction, bool]:
    """Finish a pending transaction as the tester chose; (transaction, whether it changed now).

    The IPN is enqueued in the same transaction (a job: it is delivered, and retried, after commit)."""
    from motcua.jobs.runner import enqueue

    now = now or timezone.now()
    if action not in ACTIONS:
        raise GatewayRefusal("03", "Thao tác không hợp lệ.")
    with transaction.atomic():
        txn = SandboxTransaction.objects.select_for_update().get(token=token)
        if txn.state != SandboxTransaction.State.PENDING:
            return txn, False
        code, status, state = EXPIRE if now >= txn.expire_at else ACTIONS[action]
        txn.response_code, txn.transaction_status, txn.state = code, status, state
        txn.bank_code = BANK if state == SandboxTransaction.State.PAID else "VNPAY"
        if state == SandboxTransaction.State.PAID:
            txn.transaction_no = str(TRANSACTION_NO_BASE + txn.pk)
            txn.pay_date = signing.vn_time(now)
        txn.save()
        if send_ipn:
            enqueue("payments.sandbox_ipn", {"params": result_params(txn)}, dedupe_key=f"sandbox-ipn:{txn.token}")
    return txn, True


def deliver_ipn(params: Mapping[str, str]) -> None:
    """Send one IPN: over HTTP when MOTCUA_PAYMENT_SANDBOX_IPN_URL is set, else straight to the
    active provider's handler. Raises (so the job retries) unless the merchant answered."""
    url = str(conf.setting("MOTCUA_PAYMENT_SANDBOX_IPN_URL") or "")
    if url:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("MOTCUA_PAYMENT_SANDBOX_IPN_URL must be http(s)")
        query = "&".join(f"{signing.encode(k)}={signing.encode(v)}" for k, v in params.items())
        reply = http.get(f"{url}{'&' if '?' in url else '?'}{query}", timeout=15, max_bytes=4096,
                         headers={"User-Agent": "motcua-sandbox-gateway"})
        if not reply.ok:
            raise RuntimeError(f"merchant answered HTTP {reply.status}")
        log.info("sandbox IPN %s -> %s", params.get("vnp_TxnRef"), reply.body[:200])
        return
    from motcua.payments.providers import Verdict, get_provider

    answer = get_provider().handle_callback(
        params, headers={"User-Agent": "motcua-sandbox-gateway"}, remote_addr="127.0.0.1"
    )
    if answer.verdict == Verdict.ERROR:
        raise RuntimeError(f"merchant answered {answer.body}")


# --- querydr ------------------------------------------------------------------------------------


def _query_answer(code: str, request: Mapping[str, Any], txn: SandboxTransaction | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": "querydr",
        "vnp_ResponseCode": code,
        "vnp_Message": QUERY_MESSAGES.get(code, "Lỗi khác"),
        "vnp_TmnCode": _tmn_code(),
        "vnp_TxnRef": str(request.get("vnp_TxnRef", ""))[:100],
        "vnp_Amount": "",
        "vnp_BankCode": "",
        "vnp_PayDate": "",
        "vnp_TransactionNo": "",
        "vnp_TransactionType": "",
        "vnp_TransactionStatus": "",
        "vnp_OrderInfo": "",
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    if txn is not None:
        answer.update(
            vnp_Amount=str(txn.amount), vnp_BankCode=txn.bank_code, vnp_PayDate=txn.pay_date,
            vnp_TransactionNo=txn.transaction_no or "0", vnp_TransactionType="01",
            vnp_TransactionStatus=txn.transaction_status or "01", vnp_OrderInfo=txn.order_info,
        )
    answer["vnp_SecureHash"] = signing.pipe_hash(_secret(), (answer[f] for f in QUERY_RESPONSE_FIELDS))
    return answer


def querydr(request: Mapping[str, Any]) -> dict[str, Any]:
    """Answer a querydr request as VNPay does (codes 00, 02, 03, 91, 97)."""
    if not isinstance(request, Mapping):
        return _query_answer("03", {})
    if any(not str(request.get(name, "") or "").strip() for name in QUERY_REQUEST_FIELDS) or (
        request.get("vnp_Command") != "querydr" or request.get("vnp_Version") != VERSION
    ):
        return _query_answer("03", request)
    if request.get("vnp_TmnCode") != _tmn_code():
        return _query_answer("02", request)
    expected = signing.pipe_hash(_secret(), (request.get(f) for f in QUERY_REQUEST_FIELDS))
    if not signing.same_digest(expected, request.get("vnp_SecureHash")):
        return _query_answer("97", request)
    txn = SandboxTransaction.objects.filter(tmn_code=_tmn_code(), txn_ref=str(request["vnp_TxnRef"])).first()
    if txn is None or txn.create_date != str(request["vnp_TransactionDate"]):
        return _query_answer("91", request)
    return _query_answer("00", request, txn)


def message_for(code: str) -> str:
    return RESPONSE_MESSAGES.get(code, "Giao dịch không thành công")
