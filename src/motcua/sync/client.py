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
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024


class SendError(Exception):
    """The portal did not accept the message (down, timeout, error status, garbage answer)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer we do not follow
        return None


_opener = urllib.request.build_opener(_NoRedirect)


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
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    timeout = timeout or settings.MOTCUA_SYNC_TIMEOUT
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
            text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(2000).decode("utf-8", "replace") if exc.fp else ""
        raise SendError(f"HTTP {exc.code}: {text[:500]}") from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"Không kết nối được Cổng: {reason}") from None
    if not accepted(status, text):
        raise SendError(f"Phản hồi không hợp lệ (HTTP {status}): {text[:500]}")
    return Answer(status=status, body=text)
