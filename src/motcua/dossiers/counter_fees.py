"""Fees recorded at the counter (issue #17): the pure rule, no ORM, no HTTP.

`record_fee` (`actions.record_fee`) is the one way to record money the counter collects, at
reception when the fee is due at submission, at return when it is due then. This module says
whether it may be recorded now and checks what was typed, in the lifecycle's order:

1. the status (from reception until the result is returned; never once the dossier has ended)
   -> ActionNotAllowed;
2. the actor: the receptionist of the receiving agency (the return's own actor too, for the
   deprecated `return_result(fee_collected=…)`) -> PermissionDenied;
3. the amount (a positive whole number of đồng, at most MAX_AMOUNT_VND), the method (cash,
   transfer, card) and the receipt number (required, at most MAX_RECEIPT_CHARS) -> InvalidInput.

`when` is "at_return" while the dossier awaits a financial obligation (status 6) or once the
result is ready (status 9), "at_reception" before: the same rule as the payments app's
`default_when`, so the counter records the lines the page shows as due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ActionNotAllowed, InvalidInput, PermissionDenied
from .lifecycle import Capacity, Status

MAX_AMOUNT_VND = 10**10  # ten billion đồng: far above any fee, below any overflow
MAX_RECEIPT_CHARS = 50

CASH, TRANSFER, CARD = "cash", "transfer", "card"
METHODS = {
    CASH: gettext_lazy("Tiền mặt"),
    TRANSFER: gettext_lazy("Chuyển khoản"),
    CARD: gettext_lazy("Thẻ"),
}
AT_RECEPTION, AT_RETURN = "at_reception", "at_return"

# From reception until return: received, processing, waiting for a supplement or a financial
# obligation, and completed (the fee due at return is collected before the hand-over).
RECORD_FROM = frozenset({
    Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT, Status.COMPLETED,
})
RECORDERS = frozenset({Capacity.RECEPTIONIST})


@dataclass(frozen=True)
class CounterFee:
    amount_vnd: int
    method: str
    receipt_number: str
    when: str

    @property
    def method_label(self) -> str:
        return str(METHODS[self.method])


def may_record(status: int, capacities: Iterable[Capacity]) -> bool:
    """Whether `record_fee` would be allowed now (values aside): the pages' and the API's list."""
    return status in RECORD_FROM and bool(frozenset(capacities) & RECORDERS)


def when_for(status: int) -> str:
    return AT_RETURN if status in (Status.AWAITING_PAYMENT, Status.COMPLETED) else AT_RECEPTION


def method_label(method: str) -> str:
    return str(METHODS.get(method, method or ""))


def check(
    status: int,
    capacities: Iterable[Capacity],
    *,
    amount_vnd: object,
    method: object,
    receipt_number: object,
    recorders: frozenset[Capacity] = RECORDERS,
) -> CounterFee:
    """The fee as it will be recorded, or the error that refuses it."""
    try:
        status = Status(int(status))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ActionNotAllowed(_("Trạng thái hồ sơ không hợp lệ."), code="invalid_status") from None
    if status not in RECORD_FROM:
        raise ActionNotAllowed(
            _("Không thể ghi nhận phí, lệ phí khi hồ sơ đang ở trạng thái «%(status)s».")
            % {"status": status.label},
            code="invalid_status", dossier_status=int(status),
        )
    if not (frozenset(capacities) & recorders):
        raise PermissionDenied(_("Chỉ cán bộ một cửa của cơ quan tiếp nhận hồ sơ được ghi nhận phí, lệ phí."),
                               code="forbidden")
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise InvalidInput(_("Số tiền thu phải là số nguyên dương (trường «amount»)."), field="amount")
    if amount_vnd > MAX_AMOUNT_VND:
        raise InvalidInput(_("Số tiền thu quá lớn (tối đa 10.000.000.000 đồng, trường «amount»)."), field="amount")
    method = str(method or "").strip()
    if method not in METHODS:
        raise InvalidInput(_("Hình thức thu phải là cash (tiền mặt), transfer (chuyển khoản) hoặc card (thẻ) "
                             "(trường «method»)."), field="method")
    receipt = " ".join(str(receipt_number or "").split()) if isinstance(receipt_number, str) else ""
    if not receipt:
        raise InvalidInput(_("Cần nhập số biên lai (trường «receipt_number»)."), field="receipt_number")
    if len(receipt) > MAX_RECEIPT_CHARS or not receipt.isprintable():
        raise InvalidInput(_("Số biên lai dài quá %(n)d ký tự (trường «receipt_number»).") % {"n": MAX_RECEIPT_CHARS},
                           field="receipt_number")
    return CounterFee(amount_vnd=amount_vnd, method=method, receipt_number=receipt, when=when_for(status))


# A paid fee of a dossier that ends without a result is given back ("chờ hoàn phí").
REFUND_ON = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED})
REFUND_METHODS = {
    "cash": gettext_lazy("Tiền mặt"),
    "transfer": gettext_lazy("Chuyển khoản"),
    "gateway": gettext_lazy("Hoàn qua cổng thanh toán"),
}
MAX_REFERENCE_CHARS = 100


def refund_due(to_status: int, fee_collected: int) -> bool:
    """Whether ending in `to_status` opens a refund of what the dossier had paid."""
    return to_status in REFUND_ON and int(fee_collected or 0) > 0


@dataclass(frozen=True)
class RefundDone:
    method: str
    reference: str
    refunded_on: dt.date


def check_refund(
    state: str, capacities: Iterable[Capacity], *, method: object, reference: object, refunded_on: object,
    today: dt.date,
) -> RefundDone:
    """Completing a refund: still pending (409), by the receptionist of the receiving agency (403),
    with a method, the voucher or transaction reference, and a date not in the future (400)."""
    if state != "pending":
        raise ActionNotAllowed(_("Khoản hoàn phí này đã được ghi nhận hoàn."), code="invalid_status")
    if Capacity.RECEPTIONIST not in frozenset(capacities):
        raise PermissionDenied(_("Chỉ cán bộ một cửa của cơ quan tiếp nhận hồ sơ được ghi nhận hoàn phí."),
                               code="forbidden")
    method = str(method or "").strip()
    if method not in REFUND_METHODS:
        raise InvalidInput(_("Hình thức hoàn phải là cash (tiền mặt), transfer (chuyển khoản) hoặc gateway (qua "
                             "cổng thanh toán) (trường «method»)."), field="method")
    ref = " ".join(str(reference or "").split()) if isinstance(reference, str) else ""
    if not ref:
        raise InvalidInput(_("Cần nhập số chứng từ hoặc mã giao dịch hoàn (trường «reference»)."), field="reference")
    if len(ref) > MAX_REFERENCE_CHARS or not ref.isprintable():
        raise InvalidInput(_("Số chứng từ dài quá %(n)d ký tự (trường «reference»).") % {"n": MAX_REFERENCE_CHARS},
                           field="reference")
    if not isinstance(refunded_on, dt.date) or isinstance(refunded_on, dt.datetime):
        raise InvalidInput(_("Cần nhập ngày hoàn (trường «refunded_on»)."), field="refunded_on")
    if refunded_on > today:
        raise InvalidInput(_("Ngày hoàn không được sau hôm nay (trường «refunded_on»)."), field="refunded_on")
    return RefundDone(method=method, reference=ref, refunded_on=refunded_on)


def covered_lines(lines: Iterable[dict], amount_vnd: int) -> list[dict]:
    """The fee lines (``{fee_id, name, amount_vnd, collected}``, still due, in order) an amount
    pays, each with the part of the amount it takes; what is left over is not a line."""
    out, left = [], amount_vnd
    for line in lines:
        due = int(line.get("amount_vnd") or 0)
        if left <= 0 or due <= 0:
            continue
        part = min(due, left)
        left -= part
        out.append({**line, "amount_vnd": part})
    return out
