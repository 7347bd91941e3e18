"""The payment providers by name, as a class (after Open Forms' plugin registry).

    @register("mygateway")
    class MyProvider(PaymentProvider):
        name = "mygateway"

`registry["vnpay"]` is the class, `"vnpay" in registry` asks, iterating gives the names in order;
an unknown name raises `UnknownProvider`, naming the known ones. Providers named in the setting
MOTCUA_PAYMENT_EXTRA_PROVIDERS ({"name": "dotted.path.Class"}) are looked up too, at call time,
so a changed setting needs no restart of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.utils.module_loading import import_string

from .. import conf
from .base import PaymentProvider, ProviderError

P = TypeVar("P", bound=type[PaymentProvider])


class UnknownProvider(ProviderError):
    pass


class Registry:
    def __init__(self) -> None:
        self._providers: dict[str, type[PaymentProvider]] = {}

    def register(self, name: str, provider_class: P | None = None) -> Callable[[P], P] | P:
        """`@registry.register("name")` on a class, or `registry.register("name", cls)`."""

        def decorator(cls: P) -> P:
            if cls.name != name:
                raise ValueError(f"payment provider {cls.__qualname__} is named {cls.name!r}, not {name!r}")
            known = self._providers.get(name)
            if known is not None and known is not cls:
                raise ValueError(f"payment provider {name!r} is already registered ({known.__qualname__})")
            self._providers[name] = cls
            return cls

        return decorator if provider_class is None else decorator(provider_class)

    __call__ = register

    def _extra(self) -> dict[str, type[PaymentProvider]]:
        extra = conf.setting("MOTCUA_PAYMENT_EXTRA_PROVIDERS") or {}
        return {name: import_string(path) for name, path in extra.items()}

    def __getitem__(self, name: str) -> type[PaymentProvider]:
        provider_class = self._providers.get(name) or self._extra().get(name)
        if provider_class is None:
            raise UnknownProvider(f"unknown payment provider {name!r} (known: {', '.join(self) or 'none'})")
        return provider_class

    def __contains__(self, name: object) -> bool:
        return name in self._providers or name in self._extra()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._providers, *self._extra()}))


registry = Registry()
register = registry.register
