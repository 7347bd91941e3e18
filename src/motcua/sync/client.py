"""HTTP to the national portal: one POST per message, short timeouts, strict reading of the answer.

Auth (MOTCUA_SYNC_AUTH): "none", "bearer" (MOTCUA_SYNC_TOKEN) or "basic" (MOTCUA_SYNC_USERNAME /
MOTCUA_SYNC_PASSWORD). OpenCPS logs in at an `auth_endpoint` and sends a session; that flow is not
implemented here (its details are not in the public notes); a gateway (LGSP) in front of the
portal usually takes a bearer token.

Every request carries `Idempotency-Key: <MaHoSo>:<version>`, so the receiver can ignore a repeat
(a worker killed after the portal answered resends the same message).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.conf import settings

from motcua.core import http

MAX_RESPONSE_BYTES = 64 * 1024


class SendError(Exception):
    """The portal did not accept the message (down, timeout, error status, garbage answer)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def _auth_header() -> dict[str, str]:
    mode = settings.MOTCUA_SYNC_AUTH.lower()
    if mode == "bearer":
        return {"Authorization": f"Bearer {settings.MOTCUA_SYNC_TOKEN}"}
    if mode == "basic":
        raw = f"{settings.MOTCUA_SYNC_USERNAME}:{settings.MOTCUA_SYNC_PASSWORD}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
    return {}


def accepted(status: int, body: str) -> bool:
    """2xx with a JSON object whose `error_code`, when present, is 0 (OpenCPS's convention)."""
    if not 200 <= status < 300:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    code = data.get("error_code", 0)
    return str(code).strip() == "0"


def post(payload: dict, idempotency_key: str, *, url: str | None = None, timeout: float | None = None) -> Answer:
    """POST the payload; returns the answer when accepted, else raises SendError."""
    url = url or settings.MOTCUA_SYNC_URL
    if not url:
        raise SendError("MOTCUA_SYNC_URL chưa được cấu hình")
    if not url.startswith(("https://", "http://")):
        raise SendError("MOTCUA_SYNC_URL phải là địa chỉ http(s)")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
        "Idempotency-Key": idempotency_key, "User-Agent": "motcua-sync/1",
    } | _auth_header()
    timeout = timeout or settings.MOTCUA_SYNC_TIMEOUT
    try:
        reply = http.post(url, body, headers=headers, timeout=timeout, max_bytes=MAX_RESPONSE_BYTES)
    except (http.Unreachable, ValueError) as exc:
        raise SendError(f"Không kết nối được Cổng: {exc}") from None
    status, text = reply.status, reply.text()
    if not reply.ok:  # a redirect is an answer too: it is not followed
        raise SendError(f"HTTP {status}: {text[:500]}")
    if not accepted(status, text):
        raise SendError(f"Phản hồi không hợp lệ (HTTP {status}): {text[:500]}")
    return Answer(status=status, body=text)
