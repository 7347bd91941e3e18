"""The registry of payment providers; the active one is chosen by MOTCUA_PAYMENT_PROVIDER.

Every registered provider keeps answering its callbacks and queries even when another one is
active, so payments started before a switch still complete.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

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
from .sandbox import SandboxProvider
from .vnpay import VnpayProvider

__all__ = [
    "CallbackAnswer", "GatewayResult", "Outcome", "PaymentProvider", "ProviderError", "ProviderUnavailable",
    "Verdict", "UnknownProvider", "register", "get_provider", "names",
]

REGISTRY: dict[str, type[PaymentProvider]] = {
    SandboxProvider.name: SandboxProvider,
    VnpayProvider.name: VnpayProvider,
}


class UnknownProvider(ProviderError):
    pass


def register(name: str, provider_class: type[PaymentProvider]) -> None:
    REGISTRY[name] = provider_class


def _extra() -> dict[str, type[PaymentProvider]]:
    extra = conf.setting("MOTCUA_PAYMENT_EXTRA_PROVIDERS") or {}
    return {name: import_string(path) for name, path in extra.items()}


def names() -> list[str]:
    return sorted({*REGISTRY, *_extra()})


def get_provider(name: str | None = None) -> PaymentProvider:
    """A provider configured from the current settings (the active one when `name` is None)."""
    name = name or conf.provider_name()
    provider_class = REGISTRY.get(name) or _extra().get(name)
    if provider_class is None:
        raise UnknownProvider(f"unknown payment provider {name!r}")
    return provider_class.from_settings()
