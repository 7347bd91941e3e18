"""The generic HTTP SMS gateway backend, against a fake gateway on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs

import pytest

from motcua.notify.backends import HttpSmsBackend, PermanentFailure, TemporaryFailure, get_sms_backend


def test_it_posts_json_with_the_token_and_reads_the_message_id(gateway, settings):
    settings.MOTCUA_SMS_EXTRA = '{"brandname": "CAMAU", "type": 2}'
    settings.MOTCUA_SMS_NUMBER_FORMAT = "international"
    settings.MOTCUA_SMS_ID_FIELD = "data.message_id"
    gateway.answer(200, {"data": {"message_id": 42}})
    backend = get_sms_backend()
    assert isinstance(backend, HttpSmsBackend)
    assert backend.send("0912 345 678", "Ho so da tiep nhan", reference="motcua-7") == "42"
    [request] = gateway.requests
    assert request.path == "/sms/send"
    assert request.headers["Authorization"] == "Bearer test-token"
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.body) == {
        "brandname": "CAMAU", "type": 2, "to": "84912345678", "text": "Ho so da tiep nhan",
    }


def test_it_posts_form_fields_with_configured_names(gateway, settings):
    settings.MOTCUA_SMS_FORMAT = "form"
    settings.MOTCUA_SMS_TO_FIELD = "Phone"
    settings.MOTCUA_SMS_TEXT_FIELD = "Content"
    settings.MOTCUA_SMS_REFERENCE_FIELD = "RequestId"
    settings.MOTCUA_SMS_AUTH_HEADER = "X-Api-Key"
    settings.MOTCUA_SMS_AUTH_SCHEME = ""
    gateway.answer(200, b"OK")  # not JSON: no id, still a success
    assert get_sms_backend().send("+84912345678", "Xin chao", reference="motcua-9") == ""
    [request] = gateway.requests
    assert request.headers["X-Api-Key"] == "test-token" and "Authorization" not in request.headers
    assert parse_qs(request.body.decode()) == {
        "Phone": ["0912345678"], "Content": ["Xin chao"], "RequestId": ["motcua-9"],
    }


@pytest.mark.parametrize("status", [401, 429, 500, 502, 503])
def test_it_treats_other_answers_than_2xx_as_temporary_failures(gateway, status):
    gateway.answer(status, {"error": "nope"})
    with pytest.raises(TemporaryFailure, match=f"HTTP {status}"):
        get_sms_backend().send("0912345678", "x")


@pytest.mark.parametrize("status", [400, 422])
def test_it_treats_a_rejected_message_as_a_permanent_failure(gateway, status):
    gateway.answer(status, {"error": "invalid"})
    with pytest.raises(PermanentFailure, match=f"HTTP {status}: {{\"error\": \"invalid\"}}"):
        get_sms_backend().send("0912345678", "x")


def test_it_gives_up_on_a_slow_gateway(gateway, settings):
    settings.MOTCUA_SMS_TIMEOUT = 0.3
    gateway.answer(200, delay=1.5)
    with pytest.raises(TemporaryFailure):
        get_sms_backend().send("0912345678", "x")


def test_it_reports_a_gateway_that_is_down(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MOTCUA_SMS_URL = f"http://127.0.0.1:{port}/send"
    with pytest.raises(TemporaryFailure, match="Không kết nối được cổng SMS"):
        HttpSmsBackend().send("0912345678", "x")


def test_it_checks_a_success_code_in_the_answer(gateway, settings):
    settings.MOTCUA_SMS_SUCCESS_FIELD = "CodeResult"
    settings.MOTCUA_SMS_SUCCESS_VALUES = ["100"]
    settings.MOTCUA_SMS_ID_FIELD = "SMSID"
    gateway.answer(200, {"CodeResult": "99", "ErrorMessage": "Sai khóa"})
    gateway.answer(200, {"CodeResult": "100", "SMSID": "abc"})
    with pytest.raises(TemporaryFailure, match="CodeResult=99"):
        get_sms_backend().send("0912345678", "x")
    assert get_sms_backend().send("0912345678", "x") == "abc"


def test_it_refuses_bad_numbers_and_bad_configuration(gateway, settings):
    with pytest.raises(PermanentFailure):
        get_sms_backend().send("12345", "x")
    settings.MOTCUA_SMS_URL = "file:///etc/passwd"
    with pytest.raises(TemporaryFailure, match="http"):
        get_sms_backend().send("0912345678", "x")
    settings.MOTCUA_SMS_EXTRA = "not json"
    with pytest.raises(TemporaryFailure, match="MOTCUA_SMS_EXTRA"):
        get_sms_backend()
    assert gateway.requests == []
