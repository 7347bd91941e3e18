"""The payment providers (registry.py); the active one is chosen by MOTCUA_PAYMENT_PROVIDER.

VNPay is built in; the demo gateway ("sandbox") registers itself from its contrib app
(`motcua.payments.contrib.sandbox`), installed only when the demo gateway is on.

Every registered provider keeps answering its callbacks and queries even when another one is
active, so payments started before a switch still complete.
"""

from __future__ import annotations

from .. import conf
from .base import (
    CallbackAnswer,
    GatewayResult,
    Outcome,
    PaymentProvider,
    ProviderError,
    ProviderUnavailable,
    Verdict,
)
from .registry import Registry, UnknownProvider, register, registry
from .vnpay import VnpayProvider

__all__ = [
    "CallbackAnswer", "GatewayResult", "Outcome", "PaymentProvider", "ProviderError", "ProviderUnavailable",
    "Verdict", "Registry", "UnknownProvider", "VnpayProvider", "register", "registry", "get_provider", "names",
]


def names() -> list[str]:
    return list(registry)


def get_provider(name: str | None = None) -> PaymentProvider:
    """A provider configured from the current settings (the active one when `name` is None)."""
    return registry[name or conf.provider_name()].from_settings()
