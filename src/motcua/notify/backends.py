"""Delivery backends: a tiny plugin registry, in the manner of Django's e-mail backends.

E-mail goes through Django's mail (EMAIL_BACKEND: files in DATA_DIR/mail by default, SMTP
when MOTCUA_EMAIL_HOST is set). SMS goes through the backend named by MOTCUA_SMS_BACKEND:

* ``file`` (default): one text file per message in MOTCUA_SMS_FILE_PATH (DATA_DIR/sms);
* ``console``: printed on standard output;
* ``locmem``: kept in ``motcua.notify.backends.sms_outbox`` (tests);
* ``http``: a generic SMS gateway (POST JSON or form fields), configured by MOTCUA_SMS_*;
* or the dotted path of any class with ``send(to, text, *, subject="", reference="") -> str``.

A backend returns the provider's message id (or ""), raises `TemporaryFailure` for what
may work later (network, 5xx, timeouts: the job retries with back-off) and
`PermanentFailure` for what never will (the gateway rejects the request as invalid).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.utils.module_loading import import_string

from motcua.core import http

from .text import normalise_phone


class DeliveryError(Exception):
    """Sending failed."""


class TemporaryFailure(DeliveryError):
    """May work on a later attempt (the job is retried)."""


class PermanentFailure(DeliveryError):
    """Will never work as it is (the message fails at once)."""


class Backend(Protocol):
    def send(self, to: str, text: str, *, subject: str = "", reference: str = "") -> str: ...


SMS_BACKENDS: dict[str, str] = {
    "file": "motcua.notify.backends.FileSmsBackend",
    "console": "motcua.notify.backends.ConsoleSmsBackend",
    "locmem": "motcua.notify.backends.LocmemSmsBackend",
    "http": "motcua.notify.backends.HttpSmsBackend",
}


def get_sms_backend(name: str | None = None) -> Backend:
    name = name or settings.MOTCUA_SMS_BACKEND
    return import_string(SMS_BACKENDS.get(name, name))()


def get_backend(channel: str) -> Backend:
    if channel == "email":
        return EmailBackend()
    if channel == "sms":
        return get_sms_backend()
    raise PermanentFailure(f"unknown channel {channel!r}")


# --- e-mail ------------------------------------------------------------------------------------


class EmailBackend:
    """Through Django's mail: whatever EMAIL_BACKEND says (files, SMTP, locmem in tests)."""

    def send(self, to: str, text: str, *, subject: str = "", reference: str = "", attachments=()) -> str:
        """`attachments`: `notify.attachments.Attachment`s (filename, content, mimetype), e-mail only."""
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None
        message_id = make_msgid(domain=domain)
        headers = {"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
        if reference:
            headers["X-Motcua-Reference"] = reference
        email = EmailMessage(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers=headers,
            connection=get_connection(fail_silently=False),
        )
        for attachment in attachments:
            email.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            email.send()
        except (ValueError, UnicodeError) as exc:  # a malformed address or header: no retry helps
            raise PermanentFailure(f"Thư không hợp lệ: {exc}") from exc
        except OSError as exc:  # SMTP connection, refused recipient, timeout...
            raise TemporaryFailure(f"Máy chủ thư: {exc}") from exc
        return message_id


# --- SMS ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str
    reference: str


sms_outbox: list[SentSms] = []


class LocmemSmsBackend:
    """Keeps messages in `sms_outbox` (like Django's locmem mail backend)."""

    def send(self, to: str, text: str, *, subject: str = "", reference: str = "") -> str:
        sms_outbox.append(SentSms(to=to, text=text, reference=reference))
        return f"locmem-{len(sms_outbox)}"


class ConsoleSmsBackend:
    def send(self, to: str, text: str, *, subject: str = "", reference: str = "") -> str:
        sys.stdout.write(f"SMS to {to} ({reference}): {text}\n")
        sys.stdout.flush()
        return ""


class FileSmsBackend:
    """One file per message, `<time>-<reference>.txt`: the embedded default, nothing leaves the machine."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.MOTCUA_SMS_FILE_PATH)

    def send(self, to: str, text: str, *, subject: str = "", reference: str = "") -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{reference or uuid.uuid4().hex[:12]}.txt"
        (self.path / name).write_text(f"To: {to}\nReference: {reference}\n\n{text}\n", encoding="utf-8")
        return name


class HttpSmsBackend:
    """A generic HTTP SMS gateway: POST ``{"to": ..., "text": ...}`` (JSON or form), bearer token.

    Settings (all optional but the URL): MOTCUA_SMS_URL, MOTCUA_SMS_TOKEN, MOTCUA_SMS_AUTH_HEADER
    ("Authorization"), MOTCUA_SMS_AUTH_SCHEME ("Bearer"; "" sends the bare token),
    MOTCUA_SMS_FORMAT ("json" or "form"), MOTCUA_SMS_TO_FIELD ("to"), MOTCUA_SMS_TEXT_FIELD
    ("text"), MOTCUA_SMS_REFERENCE_FIELD ("" = not sent), MOTCUA_SMS_EXTRA (fixed fields such
    as a brand name: a dict, or a JSON object in the environment), MOTCUA_SMS_NUMBER_FORMAT
    ("national" 09..., "international" 849..., "e164" +849...), MOTCUA_SMS_TIMEOUT (seconds,
    10), MOTCUA_SMS_ID_FIELD (dotted path of the message id in the JSON answer, "id"),
    MOTCUA_SMS_SUCCESS_FIELD and MOTCUA_SMS_SUCCESS_VALUES (for gateways that answer 200
    with an error code in the body).

    Any answer other than 2xx is a failure: 400 and 422 (the gateway rejects this message)
    are permanent, anything else (401, 429, 5xx, timeouts, refused connections) temporary.
    """

    PERMANENT_STATUSES = frozenset({400, 422})

    def __init__(self, **overrides: Any):
        def get(name: str) -> Any:
            return overrides.get(name.lower(), getattr(settings, f"MOTCUA_SMS_{name}"))

        self.url = get("URL")
        self.token = get("TOKEN")
        self.auth_header = get("AUTH_HEADER")
        self.auth_scheme = get("AUTH_SCHEME")
        self.format = get("FORMAT")
        self.to_field = get("TO_FIELD")
        self.text_field = get("TEXT_FIELD")
        self.reference_field = get("REFERENCE_FIELD")
        self.extra = get("EXTRA") or {}
        self.number_format = get("NUMBER_FORMAT")
        self.timeout = float(get("TIMEOUT"))
        self.id_field = get("ID_FIELD")
        self.success_field = get("SUCCESS_FIELD")
        self.success_values = [str(v) for v in get("SUCCESS_VALUES") or []]
        # Configuration mistakes fail temporarily: every message waits (and retries) until fixed.
        if isinstance(self.extra, str):
            try:
                self.extra = json.loads(self.extra)
            except ValueError:
                self.extra = None
        if not isinstance(self.extra, dict):
            raise TemporaryFailure("MOTCUA_SMS_EXTRA must be a JSON object")
        if self.format not in ("json", "form"):
            raise TemporaryFailure(f"MOTCUA_SMS_FORMAT must be json or form, not {self.format!r}")

    def _request(self, to: str, text: str, reference: str) -> tuple[bytes, dict[str, str]]:
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise TemporaryFailure("MOTCUA_SMS_URL must be an http:// or https:// address")
        try:
            number = normalise_phone(to, self.number_format)
        except ValueError as exc:
            raise PermanentFailure(f"Số điện thoại không hợp lệ: {to}") from exc
        fields: dict[str, Any] = {**self.extra, self.to_field: number, self.text_field: text}
        if self.reference_field and reference:
            fields[self.reference_field] = reference
        if self.format == "json":
            data = json.dumps(fields, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            data = urlencode(fields).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": "motcua-notify"}
        if self.token:
            headers[self.auth_header] = f"{self.auth_scheme} {self.token}".strip()
        return data, headers

    def send(self, to: str, text: str, *, subject: str = "", reference: str = "") -> str:
        data, headers = self._request(to, text, reference)
        try:
            reply = http.post(self.url, data, headers=headers, timeout=self.timeout)
        except http.Unreachable as exc:
            raise TemporaryFailure(f"Không kết nối được cổng SMS: {exc}") from exc
        raw = reply.body
        if not reply.ok:
            failure = PermanentFailure if reply.status in self.PERMANENT_STATUSES else TemporaryFailure
            raise failure(f"Cổng SMS trả lời HTTP {reply.status}: {_snippet(raw)}")
        try:
            answer = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError):
            answer = None
        if self.success_field:
            value = _dig(answer, self.success_field)
            if value is None or str(value) not in self.success_values:
                raise TemporaryFailure(f"Cổng SMS báo lỗi ({self.success_field}={value}): {_snippet(raw)}")
        found = _dig(answer, self.id_field) if self.id_field else None
        return "" if found is None else str(found)[:255]


def _dig(answer: Any, path: str) -> Any:
    """`data.message_id` in {"data": {"message_id": 7}} -> 7 (None when absent)."""
    for part in path.split("."):
        if isinstance(answer, dict) and part in answer:
            answer = answer[part]
        elif isinstance(answer, list) and part.isdigit() and int(part) < len(answer):
            answer = answer[int(part)]
        else:
            return None
    return answer


def _snippet(raw: bytes) -> str:
    return " ".join(raw[:300].decode("utf-8", "replace").split())
