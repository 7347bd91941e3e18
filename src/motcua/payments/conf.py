"""The payment settings with their defaults (the settings block in settings.py may override them).

Read at call time, so `override_settings` in tests and a changed environment both work.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, Any] = {
    # The provider new payments use: "sandbox" (built-in test gateway) or "vnpay".
    "MOTCUA_PAYMENT_PROVIDER": "sandbox",
    # Extra providers: {"name": "dotted.path.ProviderClass"}.
    "MOTCUA_PAYMENT_EXTRA_PROVIDERS": {},
    # The merchant's terminal code and shared secret issued by the gateway.
    "MOTCUA_PAYMENT_TMN_CODE": "MOTCUA01",
    "MOTCUA_PAYMENT_HASH_SECRET": "",
    # VNPay's payment page and its querydr/refund API.
    "MOTCUA_PAYMENT_GATEWAY_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
    "MOTCUA_PAYMENT_QUERY_URL": "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
    "MOTCUA_PAYMENT_ORDER_TYPE": "other",
    # The built-in sandbox gateway pages (/thanh-toan/sandbox/...): a signing oracle for the secret,
    # so off unless the sandbox provider is the active one or this is set explicitly.
    "MOTCUA_PAYMENT_SANDBOX_GATEWAY": None,
    # Where the sandbox gateway sends its IPN: empty = straight to the active provider's handler in
    # this process (no network); a URL = a real HTTP GET, as a remote gateway would do.
    "MOTCUA_PAYMENT_SANDBOX_IPN_URL": "",
    # A payment not paid within this many minutes is past its deadline (vnp_ExpireDate).
    "MOTCUA_PAYMENT_TIMEOUT_MINUTES": 15,
    # The background job asks the gateway about payments still pending after this many minutes...
    "MOTCUA_PAYMENT_REQUERY_AFTER_MINUTES": 5,
    # ...and expires them once past the deadline plus this grace, when the gateway says not paid...
    "MOTCUA_PAYMENT_EXPIRE_GRACE_MINUTES": 15,
    # ...or after this many hours past the deadline even when the gateway cannot be reached.
    "MOTCUA_PAYMENT_GIVE_UP_HOURS": 24,
    # Only these addresses may call the IPN endpoint (empty: any; the signature is checked anyway).
    "MOTCUA_PAYMENT_IPN_ALLOWED_IPS": [],
    "MOTCUA_PAYMENT_HTTP_TIMEOUT": 15,
    # Our server's address, sent as vnp_IpAddr in querydr requests.
    "MOTCUA_PAYMENT_SERVER_IP": "127.0.0.1",
}


def setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def provider_name() -> str:
    return str(setting("MOTCUA_PAYMENT_PROVIDER") or "sandbox")


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
