"""The demo provider ("sandbox"): the VNPay protocol against our own test gateway (gateway.py).

Its payment page lives under /thanh-toan/sandbox/, its querydr is answered in this process. No
real money moves: payments are marked `is_test`. The gateway signs with the merchant's secret,
so it is a signing oracle: it is off unless the sandbox is the active provider (or
MOTCUA_PAYMENT_SANDBOX_GATEWAY says otherwise), and this provider refuses to start or accept
anything while it is off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from motcua.payments import conf
from motcua.payments.providers import ProviderError, VnpayProvider, register

if TYPE_CHECKING:
    from motcua.payments.models import Payment


def in_process_querydr(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    from . import gateway

    return gateway.querydr(body)


@register("sandbox")
class SandboxProvider(VnpayProvider):
    name = "sandbox"
    label = "Cổng thanh toán thử nghiệm"
    is_test = True

    @classmethod
    def from_settings(cls) -> SandboxProvider:
        config = dataclasses.replace(
            cls.config_from_settings(allow_derived_secret=True),
            gateway_url=reverse("payments_sandbox:pay"),
            query_url=reverse("payments_sandbox:querydr"),
        )
        return cls(config, transport=in_process_querydr)

    def accepting(self) -> bool:
        return conf.sandbox_gateway_enabled()

    def start(self, payment: Payment, return_url: str, *, client_ip: str = "", now: dt.datetime | None = None) -> str:
        if not self.accepting():
            raise ProviderError("the sandbox gateway is disabled (MOTCUA_PAYMENT_SANDBOX_GATEWAY)")
        return super().start(payment, return_url, client_ip=client_ip, now=now)
