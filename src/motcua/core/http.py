"""Outgoing HTTP: every call to another system (SMS gateway, payment gateway, national portal,
webhooks) goes through `request`, so every call has the same guarantees:

- a timeout, always: a hung peer must not hold a worker;
- redirects are not followed: a 3xx is an answer like any other, so a request (and its
  credentials) never goes to an address its caller did not check;
- the body is read up to a limit: a broken or hostile peer cannot fill the memory;
- no answer at all (bad address, refused or dropped connection, TLS failure, timeout) is one
  exception, `Unreachable`; any answer is an `Answer`, and its caller decides what the status means.

Built on requests. Certificates are checked against certifi's bundle, or the file named by
REQUESTS_CA_BUNDLE; proxies come from the usual environment variables.

The OpenID Connect login is the one exception: Authlib drives its own requests session (with a
timeout), and follows at most three redirects, each checked by `accounts.oidc` first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

MAX_BODY_BYTES = 64 * 1024


class Unreachable(OSError):
    """No answer: the address does not resolve, the peer refused or dropped the connection,
    TLS failed, or it did not answer in time. (An OSError, like the socket errors it stands for.)"""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.body)


def request(
    method: str,
    url: str,
    *,
    timeout: float,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> Answer:
    """Send one request and read at most `max_bytes` of the answer's body."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"only http(s) addresses are called: {url!r}")
    try:
        with requests.request(
            method, url, data=data, headers=dict(headers or {}), timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            body = bytearray()
            for chunk in response.iter_content(chunk_size=8192):
                body += chunk
                if len(body) >= max_bytes:
                    break
            return Answer(response.status_code, bytes(body[:max_bytes]), dict(response.headers))
    except requests.Timeout as exc:
        raise Unreachable(f"no answer within {timeout:g} s") from exc
    except requests.RequestException as exc:
        raise Unreachable(_reason(exc)) from exc


def get(
    url: str, *, timeout: float, headers: Mapping[str, str] | None = None, max_bytes: int = MAX_BODY_BYTES
) -> Answer:
    return request("GET", url, timeout=timeout, headers=headers, max_bytes=max_bytes)


def post(
    url: str, data: bytes, *, timeout: float, headers: Mapping[str, str] | None = None, max_bytes: int = MAX_BODY_BYTES
) -> Answer:
    return request("POST", url, timeout=timeout, data=data, headers=headers, max_bytes=max_bytes)


def _reason(exc: requests.RequestException) -> str:
    """The cause worth logging ("[Errno 111] Connection refused"), not urllib3's wrapping."""
    cause: BaseException = exc
    while cause.args and isinstance(cause.args[0], BaseException):
        cause = cause.args[0]
    cause = getattr(cause, "reason", None) or cause
    return str(cause)
