"""Structured logs: JSON lines with the request id; the access log never carries query strings."""

from __future__ import annotations

import json
import logging

from django.test import Client

from motcua.core.logs import JsonFormatter, RequestLogMiddleware


def _middleware(settings):
    settings.MIDDLEWARE = ["motcua.core.logs.RequestLogMiddleware", *settings.MIDDLEWARE]


def test_it_logs_each_request_once_without_the_query_string(settings, caplog, db):
    _middleware(settings)
    with caplog.at_level(logging.INFO, logger="motcua.access"):
        response = Client().get("/tra-cuu/000.21.01.H12-260301-0001?key=SECRET7", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    lines = [r for r in caplog.records if r.name == "motcua.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line.request_id == "abc-123" and line.status == response.status_code and line.method == "GET"
    assert line.path == "/tra-cuu/000.21.01.H12-260301-0001" and "SECRET7" not in line.getMessage()
    assert line.duration_ms >= 0 and line.user_id is None


def test_it_makes_a_request_id_when_the_proxy_sent_none_or_a_hostile_one(settings, db):
    _middleware(settings)
    plain = Client().get("/ping")
    hostile = Client().get("/ping", HTTP_X_REQUEST_ID='x"\n{"level":"CRITICAL"}')
    assert len(plain["X-Request-ID"]) == 16
    assert hostile["X-Request-ID"] != 'x"\n{"level":"CRITICAL"}' and len(hostile["X-Request-ID"]) == 16


def test_it_formats_one_json_object_a_line_with_the_request_context(rf):
    formatter = JsonFormatter()
    seen = {}

    def view(request):
        record = logging.makeLogRecord({"name": "motcua.test", "levelname": "WARNING", "levelno": 30,
                                        "msg": "Hồ sơ %s quá hạn", "args": ("000.21.01.H12-260301-0001",),
                                        "dossier_id": 42})
        seen["line"] = formatter.format(record)
        from django.http import HttpResponse

        return HttpResponse("ok")

    RequestLogMiddleware(view)(rf.get("/can-bo/", HTTP_X_REQUEST_ID="req-9"))
    entry = json.loads(seen["line"])
    assert "\n" not in seen["line"]
    assert entry["message"] == "Hồ sơ 000.21.01.H12-260301-0001 quá hạn" and entry["level"] == "WARNING"
    assert entry["request_id"] == "req-9" and entry["path"] == "/can-bo/" and entry["dossier_id"] == 42
    assert entry["time"][:2] == "20" and ("+" in entry["time"] or "Z" in entry["time"])
