"""The payment settings (declared with their defaults in motcua.conf).

Read at call time, so `override_settings` in tests and a changed environment both work.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def setting(name: str) -> Any:
    return getattr(settings, name)


def provider_name() -> str:
    return str(setting("MOTCUA_PAYMENT_PROVIDER"))


def sandbox_gateway_enabled() -> bool:
    value = setting("MOTCUA_PAYMENT_SANDBOX_GATEWAY")
    if value is None or value == "":
        return provider_name() == "sandbox"
    return bool(value)


def hash_secret(*, allow_derived: bool) -> str:
    """The shared secret; with none configured the sandbox derives one from SECRET_KEY (never
    shipped in the code), a real gateway refuses to work."""
    secret = setting("MOTCUA_PAYMENT_HASH_SECRET")
    if secret:
        return str(secret)
    if not allow_derived:
        raise ImproperlyConfigured("MOTCUA_PAYMENT_HASH_SECRET is required for a real payment gateway.")
    return hmac.new(settings.SECRET_KEY.encode(), b"motcua.payments.sandbox", hashlib.sha256).hexdigest()
