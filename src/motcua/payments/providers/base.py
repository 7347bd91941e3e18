"""The payment-provider plugin interface.

A provider speaks one gateway's protocol and nothing else: it builds the redirect URL, verifies
what the gateway sends (browser return, server-to-server callback, query answer) and turns it
into a `GatewayResult`, and words our verdict the way the gateway expects. The rules (which
payment, which amount, which state change, the dossier effect, the log) live once in
`payments/services.py`, so every provider gets them the same way.

    class MyProvider(PaymentProvider):
        name = "mygateway"
        def start(self, payment, return_url, *, client_ip="", now=None) -> str: ...
        def verify_return(self, params) -> GatewayResult: ...
        def verify_callback(self, params) -> GatewayResult: ...
        def callback_reply(self, verdict) -> CallbackAnswer: ...
        def query(self, payment, *, now=None) -> GatewayResult: ...

Register it with the decorator `@providers.register("mygateway")` on the class, with
`providers.register("mygateway", MyProvider)`, or the setting
MOTCUA_PAYMENT_EXTRA_PROVIDERS = {"mygateway": "dotted.path.MyProvider"}.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..states import Event

if TYPE_CHECKING:
    from ..models import Payment


class ProviderError(Exception):
    """The provider cannot do what was asked (misconfigured, disabled)."""


class ProviderUnavailable(ProviderError):
    """The gateway could not be reached or answered nonsense (try again later)."""


class Outcome(StrEnum):
    """What the gateway says about one transaction."""

    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PENDING = "pending"  # not finished yet (or held for review)
    NOT_FOUND = "not_found"  # the gateway does not know the transaction (never reached it)
    ERROR = "error"  # the gateway refused our request (bad checksum, other error): nothing learnt

    @property
    def event(self) -> Event | None:
        return {
            Outcome.PAID: Event.PAID,
            Outcome.FAILED: Event.FAILED,
            Outcome.CANCELLED: Event.CANCELLED,
            Outcome.EXPIRED: Event.EXPIRED,
            Outcome.PENDING: Event.PENDING,
            Outcome.NOT_FOUND: Event.PENDING,
        }.get(self)


@dataclass(frozen=True)
class GatewayResult:
    """One verified (or not) message from a gateway."""

    signature_valid: bool
    merchant_ref: str = ""
    amount_vnd: int | None = None  # None: missing or malformed (never equal to a payment's amount)
    outcome: Outcome = Outcome.ERROR
    provider_txn_ref: str = ""
    code: str = ""  # the gateway's own response code
    message: str = ""  # its meaning, in Vietnamese
    paid_at: dt.datetime | None = None
    merchant_ok: bool = True  # addressed to our terminal
    raw: Mapping[str, Any] = field(default_factory=dict)  # what the gateway sent
    request: Mapping[str, Any] = field(default_factory=dict)  # what we sent (queries)


class Verdict(StrEnum):
    """What we did with a gateway's message (also the log's `outcome`)."""

    APPLIED = "applied"  # the payment's state changed
    SAME = "same"  # replay or nothing new: no change
    PENDING = "pending"  # the gateway has no final answer: no change
    LATE_PAID = "late_paid"  # paid after cancelled/expired: recorded for reconciliation
    IGNORED = "ignored"  # not allowed now (e.g. "failed" after "paid"): no change
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_REF = "unknown_ref"
    AMOUNT_MISMATCH = "amount_mismatch"
    FORBIDDEN = "forbidden"  # from an address not allowed to call us, or to a disabled provider
    ERROR = "error"
    SEEN = "seen"  # a browser return checked and shown: returns never change a payment


@dataclass(frozen=True)
class CallbackAnswer:
    """The HTTP answer the gateway expects for a callback."""

    verdict: Verdict
    body: Mapping[str, Any] | str
    status: int = 200
    content_type: str = "application/json"


class PaymentProvider:
    name: str = ""
    label: str = ""
    is_test: bool = False
    # DuocThanhToanTrucTuyen for the national portal: 1 paid on the DVCQG platform, 2 on the
    # ministry's or province's gateway.
    national_code: int = 2

    @classmethod
    def from_settings(cls) -> PaymentProvider:
        return cls()

    def accepting(self) -> bool:
        """False when this provider must not take messages now (a disabled test gateway)."""
        return True

    def start(self, payment: Payment, return_url: str, *, client_ip: str = "", now: dt.datetime | None = None) -> str:
        """The URL to send the payer to."""
        raise NotImplementedError

    def verify_return(self, params: Mapping[str, str]) -> GatewayResult:
        """Check the parameters the browser brought back (never trusted without the signature)."""
        raise NotImplementedError

    def verify_callback(self, params: Mapping[str, str]) -> GatewayResult:
        """Check a server-to-server notification."""
        raise NotImplementedError

    def callback_reply(self, verdict: Verdict) -> CallbackAnswer:
        """Word our verdict as the gateway expects."""
        raise NotImplementedError

    def query(self, payment: Payment, *, now: dt.datetime | None = None) -> GatewayResult:
        """Ask the gateway what became of a payment (raises ProviderUnavailable)."""
        raise NotImplementedError

    def handle_callback(
        self, params: Mapping[str, str], *, headers: Mapping[str, str] | None = None, remote_addr: str | None = None
    ) -> CallbackAnswer:
        """Verify, apply under the common rules, log, and answer: the IPN endpoint calls this."""
        from .. import services

        return services.receive_callback(self, params, headers=headers, remote_addr=remote_addr)
