"""VNPay (Cổng thanh toán VNPAY), protocol version 2.1.0.

* Payment URL: vnp_Version, vnp_Command=pay, vnp_TmnCode, vnp_Amount (đồng × 100), vnp_CurrCode=VND,
  vnp_TxnRef (our merchant ref), vnp_OrderInfo (no diacritics), vnp_OrderType, vnp_Locale=vn,
  vnp_ReturnUrl, vnp_IpAddr, vnp_CreateDate and vnp_ExpireDate (yyyyMMddHHmmss, GMT+7); sorted,
  form-encoded, signed with vnp_SecureHash = HMAC-SHA512 (see signing.py).
* Return URL and IPN: the same signature over the vnp_* parameters VNPay sends. Success is
  vnp_ResponseCode "00" and vnp_TransactionStatus "00". The IPN is answered with JSON
  {"RspCode", "Message"}: 00 confirmed, 01 order not found, 02 already confirmed, 04 invalid
  amount, 97 invalid signature, 99 other error.
* querydr: a JSON POST to merchant_webapi/api/transaction, signed over
  RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo; the answer
  is signed over ResponseId|Command|ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate|
  TransactionNo|TransactionType|TransactionStatus|OrderInfo|PromotionCode|PromotionAmount.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.utils import timezone

from motcua.core import http

from .. import conf, signing
from .base import CallbackAnswer, GatewayResult, Outcome, PaymentProvider, ProviderError, ProviderUnavailable, Verdict
from .registry import register

if TYPE_CHECKING:
    from ..models import Payment

VERSION = "2.1.0"
MAX_RESPONSE_BYTES = 64 * 1024

# vnp_ResponseCode of the return URL and the IPN (VNPay's table of codes).
RESPONSE_MESSAGES = {
    "00": "Giao dịch thành công",
    "07": "Trừ tiền thành công; giao dịch bị nghi ngờ (liên quan tới lừa đảo, giao dịch bất thường)",
    "09": "Thẻ/Tài khoản chưa đăng ký dịch vụ InternetBanking tại ngân hàng",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần",
    "11": "Đã hết hạn chờ thanh toán",
    "12": "Thẻ/Tài khoản bị khóa",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP)",
    "24": "Khách hàng hủy giao dịch",
    "51": "Tài khoản không đủ số dư để thực hiện giao dịch",
    "65": "Tài khoản đã vượt quá hạn mức giao dịch trong ngày",
    "75": "Ngân hàng thanh toán đang bảo trì",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định",
    "97": "Chữ ký không hợp lệ",
    "99": "Lỗi khác",
}
# vnp_TransactionStatus (querydr).
TRANSACTION_STATUS = {
    "00": Outcome.PAID,
    "01": Outcome.PENDING,  # not completed yet
    "02": Outcome.FAILED,
    "04": Outcome.PENDING,  # reversed: money taken at the bank, not successful at VNPay; ask again
    "05": Outcome.PENDING,  # refund in progress
    "06": Outcome.PENDING,  # refund sent to the bank
    "07": Outcome.PENDING,  # held as suspected fraud: the merchant confirms in VNPay's admin
    "09": Outcome.PENDING,  # refund rejected
}
QUERY_MESSAGES = {
    "00": "Yêu cầu thành công",
    "02": "Mã định danh kết nối không hợp lệ (vnp_TmnCode)",
    "03": "Dữ liệu gửi sang không đúng định dạng",
    "91": "Không tìm thấy giao dịch yêu cầu",
    "94": "Yêu cầu trùng lặp trong thời gian giới hạn của API",
    "97": "Checksum không hợp lệ",
    "99": "Lỗi khác",
}
IPN_REPLIES = {
    Verdict.APPLIED: ("00", "Confirm Success"),
    Verdict.PENDING: ("00", "Confirm Success"),
    Verdict.SAME: ("02", "Order already confirmed"),
    Verdict.IGNORED: ("02", "Order already confirmed"),
    Verdict.LATE_PAID: ("02", "Order already confirmed"),
    Verdict.UNKNOWN_REF: ("01", "Order not found"),
    Verdict.AMOUNT_MISMATCH: ("04", "Invalid amount"),
    Verdict.BAD_SIGNATURE: ("97", "Invalid signature"),
    Verdict.FORBIDDEN: ("99", "Unknown error"),
    Verdict.ERROR: ("99", "Unknown error"),
}
QUERY_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount",
    "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType", "vnp_TransactionStatus",
    "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)
_ORDER_INFO_UNSAFE = re.compile(r"[^A-Za-z0-9 .\-]+")

Transport = Callable[[str, dict[str, Any], float], Mapping[str, Any]]


def post_json(url: str, body: dict[str, Any], timeout: float) -> Mapping[str, Any]:
    """POST a JSON body and read a JSON object back (the querydr API)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ProviderError(f"query URL must be http(s): {url!r}")
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "motcua-payments"}
    try:
        reply = http.post(url, json.dumps(body).encode(), headers=headers, timeout=timeout,
                          max_bytes=MAX_RESPONSE_BYTES + 1)
    except http.Unreachable as exc:
        raise ProviderUnavailable(f"gateway unreachable: {exc}") from exc
    if not reply.ok:
        raise ProviderUnavailable(f"gateway unreachable: HTTP {reply.status}")
    raw = reply.body
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ProviderUnavailable("gateway answer too large")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ProviderUnavailable("gateway answer is not JSON") from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable("gateway answer is not a JSON object")
    return data


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Hồ sơ Đất" -> "Ho so Dat")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def order_info(payment: Payment) -> str:
    """vnp_OrderInfo: Vietnamese without diacritics and without special characters."""
    text = ascii_text(f"Thanh toan phi le phi ho so {payment.dossier.code} giao dich {payment.merchant_ref}")
    return " ".join(_ORDER_INFO_UNSAFE.sub(" ", text).split())[:255]


def amount_from(value: object) -> int | None:
    """vnp_Amount (đồng × 100) -> đồng; None unless a whole number of đồng."""
    text = str(value or "")
    if not text.isdigit() or len(text) > 18:
        return None
    hundredths = int(text)
    return hundredths // 100 if hundredths % 100 == 0 else None


def client_ip_or_default(value: str) -> str:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return "127.0.0.1"


@dataclass(frozen=True)
class VnpayConfig:
    tmn_code: str
    secret: str
    gateway_url: str
    query_url: str
    order_type: str = "other"
    locale: str = "vn"
    timeout: float = 15
    server_ip: str = "127.0.0.1"


@register("vnpay")
class VnpayProvider(PaymentProvider):
    name = "vnpay"
    label = "VNPAY"
    national_code = 2

    def __init__(self, config: VnpayConfig, transport: Transport | None = None):
        self.config = config
        self.transport = transport or post_json

    @classmethod
    def from_settings(cls) -> VnpayProvider:
        return cls(cls.config_from_settings())

    @classmethod
    def config_from_settings(cls, *, allow_derived_secret: bool = False) -> VnpayConfig:
        return VnpayConfig(
            tmn_code=str(conf.setting("MOTCUA_PAYMENT_TMN_CODE")),
            secret=conf.hash_secret(allow_derived=allow_derived_secret),
            gateway_url=str(conf.setting("MOTCUA_PAYMENT_GATEWAY_URL")),
            query_url=str(conf.setting("MOTCUA_PAYMENT_QUERY_URL")),
            order_type=str(conf.setting("MOTCUA_PAYMENT_ORDER_TYPE")),
            timeout=float(conf.setting("MOTCUA_PAYMENT_HTTP_TIMEOUT")),
            server_ip=client_ip_or_default(str(conf.setting("MOTCUA_PAYMENT_SERVER_IP"))),
        )

    # --- start ------------------------------------------------------------------------------------

    def gateway_url(self) -> str:
        return self.config.gateway_url

    def payment_params(self, payment: Payment, return_url: str, *, client_ip: str = "") -> dict[str, str]:
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.config.tmn_code,
            "vnp_Amount": str(payment.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.merchant_ref,
            "vnp_OrderInfo": order_info(payment),
            "vnp_OrderType": self.config.order_type,
            "vnp_Locale": self.config.locale,
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip_or_default(client_ip),
            "vnp_CreateDate": signing.vn_time(payment.created_at),
            "vnp_ExpireDate": signing.vn_time(payment.deadline),
        }

    def start(self, payment: Payment, return_url: str, *, client_ip: str = "", now: dt.datetime | None = None) -> str:
        if payment.amount_vnd <= 0:
            raise ProviderError("amount must be positive")
        query = signing.signed_query(self.payment_params(payment, return_url, client_ip=client_ip), self.config.secret)
        base = self.gateway_url()
        return f"{base}{'&' if '?' in base else '?'}{query}"

    # --- return and IPN ---------------------------------------------------------------------------

    def _verify(self, params: Mapping[str, str]) -> GatewayResult:
        valid = signing.verify(params, self.config.secret)
        code = str(params.get("vnp_ResponseCode", ""))
        status = str(params.get("vnp_TransactionStatus", ""))
        if code == "00" and status == "00":
            outcome = Outcome.PAID
        elif code == "24":
            outcome = Outcome.CANCELLED
        elif code == "11":
            outcome = Outcome.EXPIRED
        elif code == "07" or (code == "00" and status != "00"):
            outcome = Outcome.PENDING  # money taken but held, or no final status: ask again later
        else:
            outcome = Outcome.FAILED
        txn = str(params.get("vnp_TransactionNo", ""))
        return GatewayResult(
            signature_valid=valid,
            merchant_ref=str(params.get("vnp_TxnRef", ""))[:100],
            amount_vnd=amount_from(params.get("vnp_Amount")),
            outcome=outcome,
            provider_txn_ref=txn if outcome == Outcome.PAID and txn not in ("", "0") else "",
            code=code[:10],
            message=RESPONSE_MESSAGES.get(code, "Giao dịch không thành công"),
            paid_at=signing.parse_vn_time(params.get("vnp_PayDate")) if outcome == Outcome.PAID else None,
            merchant_ok=str(params.get("vnp_TmnCode", "")) == self.config.tmn_code,
            raw=dict(params),
        )

    def verify_return(self, params: Mapping[str, str]) -> GatewayResult:
        return self._verify(params)

    def verify_callback(self, params: Mapping[str, str]) -> GatewayResult:
        return self._verify(params)

    def callback_reply(self, verdict: Verdict) -> CallbackAnswer:
        code, message = IPN_REPLIES.get(verdict, IPN_REPLIES[Verdict.ERROR])
        return CallbackAnswer(verdict=verdict, body={"RspCode": code, "Message": message})

    # --- querydr ----------------------------------------------------------------------------------

    def query_body(self, payment: Payment, *, now: dt.datetime) -> dict[str, str]:
        body = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.config.tmn_code,
            "vnp_TxnRef": payment.merchant_ref,
            "vnp_TransactionDate": signing.vn_time(payment.created_at),  # the payment's vnp_CreateDate
            "vnp_CreateDate": signing.vn_time(now),
            "vnp_IpAddr": self.config.server_ip,
            "vnp_OrderInfo": f"Truy van giao dich {payment.merchant_ref}",
        }
        body["vnp_SecureHash"] = signing.pipe_hash(self.config.secret, (body[f] for f in QUERY_REQUEST_FIELDS))
        return body

    def verify_query_answer(self, answer: Mapping[str, Any]) -> bool:
        expected = signing.pipe_hash(self.config.secret, (answer.get(f) for f in QUERY_RESPONSE_FIELDS))
        return signing.same_digest(expected, answer.get("vnp_SecureHash"))

    def query(self, payment: Payment, *, now: dt.datetime | None = None) -> GatewayResult:
        now = now or timezone.now()
        body = self.query_body(payment, now=now)
        answer = dict(self.transport(self.config.query_url, body, self.config.timeout))
        valid = self.verify_query_answer(answer)
        code = str(answer.get("vnp_ResponseCode", ""))
        status = str(answer.get("vnp_TransactionStatus", ""))
        if code == "00":
            outcome = TRANSACTION_STATUS.get(status, Outcome.PENDING)
        elif code == "91":
            outcome = Outcome.NOT_FOUND
        else:
            outcome = Outcome.ERROR
        txn = str(answer.get("vnp_TransactionNo", "") or "")
        ref = str(answer.get("vnp_TxnRef", "") or "")
        return GatewayResult(
            signature_valid=valid,
            # "not found" answers may leave the reference out: it is the one we asked about.
            merchant_ref=(ref or payment.merchant_ref)[:100],
            amount_vnd=amount_from(answer.get("vnp_Amount")) if code == "00" else payment.amount_vnd,
            outcome=outcome,
            provider_txn_ref=txn if outcome == Outcome.PAID and txn not in ("", "0") else "",
            code=(f"{code}/{status}" if status else code)[:10],
            message=QUERY_MESSAGES.get(code, "Lỗi khác"),
            paid_at=signing.parse_vn_time(answer.get("vnp_PayDate")) if outcome == Outcome.PAID else None,
            merchant_ok=str(answer.get("vnp_TmnCode", self.config.tmn_code) or self.config.tmn_code)
            == self.config.tmn_code,
            raw=answer,
            request=body,
        )
