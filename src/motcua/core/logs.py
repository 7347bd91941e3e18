"""Structured logs: one JSON object a line (MOTCUA_LOG_FORMAT=json), for journald, Loki or ELK.

Each line has time (ISO, with offset), level, logger, message, and the request id, user id and
path when the line was written while serving a request. The access log (MOTCUA_ACCESS_LOG=1, on
by default with JSON logs) writes one line a request: method, path without the query string
(tracking keys travel in it), status, duration in ms, user id and the request id (taken from
X-Request-ID set by the proxy, or made here, and sent back in the response).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import secrets
import time

_request: contextvars.ContextVar[dict | None] = contextvars.ContextVar("motcua_request", default=None)
access_log = logging.getLogger("motcua.access")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _request.get()
        if context:
            entry.update(context)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestLogMiddleware:
    """Request id for every log line of a request, and the access log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (request.headers.get("X-Request-ID") or "")[:64]
        if not request_id or not request_id.replace("-", "").isalnum():
            request_id = secrets.token_hex(8)
        token = _request.set({"request_id": request_id, "path": request.path})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        access_log.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={"request_id": request_id, "method": request.method, "path": request.path,
                   "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                   "user_id": getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None},
        )
        return response
