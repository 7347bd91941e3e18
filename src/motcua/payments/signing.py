"""Signing as Vietnamese gateways do it (VNPay 2.1.0): pure functions, no Django.

* Payment URL, return and IPN: the `vnp_*` parameters except the hash fields, sorted by name,
  each name and value form-encoded (space as "+", as PHP's `urlencode`), joined with "&";
  `vnp_SecureHash` = hex HMAC-SHA512(secret, that string).
* querydr request and response: the documented fields in a fixed order joined with "|".
* Times are local Vietnamese time (GMT+7) as yyyyMMddHHmmss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PREFIX = "vnp_"
HASH = "vnp_SecureHash"
HASH_FIELDS = frozenset({HASH, "vnp_SecureHashType"})
HASH_LENGTH = 128  # hex digits of SHA-512


def encode(value: object) -> str:
    """Form-encode like PHP `urlencode` (the gateway's reference code): only A-Z a-z 0-9 - _ . stay."""
    return quote_plus(str(value), safe="").replace("~", "%7E")


def canonical(params: Mapping[str, object], *, skip_empty: bool = True) -> str:
    """The string that is signed: sorted `vnp_*` pairs, hash fields left out."""
    pairs = sorted(
        (str(key), str(value))
        for key, value in params.items()
        if str(key).startswith(PREFIX) and key not in HASH_FIELDS and value is not None
        and not (skip_empty and str(value) == "")
    )
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, object], secret: str) -> str:
    return hmac_sha512(secret, canonical(params))


def signed_query(params: Mapping[str, object], secret: str) -> str:
    """The query string to send: the canonical pairs plus `vnp_SecureHash`."""
    data = canonical(params)
    return f"{data}&{HASH}={hmac_sha512(secret, data)}"


def same_digest(expected: str, received: object) -> bool:
    received = str(received or "").strip().lower()
    if len(received) != HASH_LENGTH:
        return False
    return hmac.compare_digest(expected.lower(), received)


def verify(params: Mapping[str, object], secret: str) -> bool:
    """True when `vnp_SecureHash` signs the other `vnp_*` parameters. Empty values are left out
    of the signed string by most gateway libraries and kept by some: both forms are accepted
    (either needs the secret)."""
    received = params.get(HASH)
    if not received:
        return False
    return any(
        same_digest(hmac_sha512(secret, canonical(params, skip_empty=skip)), received) for skip in (True, False)
    )


def pipe_data(values: Iterable[object]) -> str:
    return "|".join("" if value is None else str(value) for value in values)


def pipe_hash(secret: str, values: Iterable[object]) -> str:
    """HMAC-SHA512 over fields joined with "|" (querydr, refund)."""
    return hmac_sha512(secret, pipe_data(values))


def vn_time(instant: dt.datetime) -> str:
    """yyyyMMddHHmmss in GMT+7."""
    if instant.tzinfo is None:
        raise ValueError("aware datetimes only")
    return instant.astimezone(VN).strftime("%Y%m%d%H%M%S")


def parse_vn_time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text), "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except (TypeError, ValueError):
        return None
