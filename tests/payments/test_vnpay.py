"""The VNPay provider against the built-in sandbox gateway, which speaks the same protocol: the
payment URL the sandbox accepts, its signed return and IPN, and querydr (through the test client
and once over real HTTP)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from motcua.jobs.runner import run_pending
from motcua.payments import services, signing
from motcua.payments.contrib.sandbox import gateway
from motcua.payments.contrib.sandbox.models import SandboxTransaction
from motcua.payments.models import CallbackLog, Payment
from motcua.payments.providers import Outcome, get_provider
from motcua.payments.providers import vnpay as vnpay_module
from motcua.payments.states import State

from .conftest import SECRET, TMN, gateway_params

SANDBOX = "http://testserver/thanh-toan/sandbox"


def client_transport(url, body, timeout):
    """querydr through Django's test client (the same view a remote caller reaches)."""
    response = Client().post(urlsplit(url).path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def vnpay(settings, monkeypatch):
    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True  # the sandbox plays VNPay
    settings.MOTCUA_PAYMENT_GATEWAY_URL = f"{SANDBOX}/paymentv2/vpcpay.html"
    settings.MOTCUA_PAYMENT_QUERY_URL = f"{SANDBOX}/merchant_webapi/api/transaction"
    monkeypatch.setattr(vnpay_module, "post_json", client_transport)
    return get_provider()


def test_it_pays_through_the_sandbox_speaking_vnpay(vnpay, citizen_client, copy_dossier):
    assert vnpay.name == "vnpay" and not vnpay.is_test
    response = citizen_client.post(reverse("payments:start", args=[copy_dossier.code]), {"idempotency_key": "v1"})
    url = response["Location"]
    assert url.startswith(f"{SANDBOX}/paymentv2/vpcpay.html?vnp_Amount=800000&vnp_Command=pay&")
    page = citizen_client.get(url)
    assert page.status_code == 200  # the sandbox verified VNPay's signature and parameters
    txn = page.context["txn"]
    back = citizen_client.post(reverse("payments_sandbox:submit", args=[txn.token]), {"action": "pay"})
    assert back["Location"].startswith("http://testserver/thanh-toan/ket-qua/vnpay/?vnp_Amount=800000&")
    assert "Đang chờ xác nhận" in citizen_client.get(back["Location"]).content.decode()
    run_pending()  # the sandbox's IPN reaches the active provider: vnpay
    payment = Payment.objects.get(merchant_ref=txn.txn_ref)
    assert payment.provider == "vnpay" and payment.state == State.PAID and not payment.is_test
    assert CallbackLog.objects.filter(payment=payment, kind="callback", outcome="applied").exists()


def test_it_queries_vnpay_querydr(vnpay, people, copy_dossier):
    payment = services.start_payment(copy_dossier, actor=people.citizen)
    assert vnpay.query(payment).outcome == Outcome.NOT_FOUND  # the payer never reached the gateway
    params = dict(parse_qsl(urlsplit(payment.redirect_url).query))
    txn = gateway.open_payment(params)
    pending = vnpay.query(payment)
    assert (pending.outcome, pending.signature_valid, pending.code) == (Outcome.PENDING, True, "00/01")
    txn, _ = gateway.complete(txn.token, "pay", send_ipn=False)
    result = vnpay.query(payment)
    assert (result.outcome, result.signature_valid, result.amount_vnd) == (Outcome.PAID, True, 8000)
    assert result.provider_txn_ref == txn.transaction_no and result.paid_at is not None
    body = result.request
    assert body["vnp_Command"] == "querydr" and body["vnp_TransactionDate"] == signing.vn_time(payment.created_at)
    assert body["vnp_SecureHash"] == signing.pipe_hash(SECRET, [body[f] for f in vnpay_module.QUERY_REQUEST_FIELDS])
    assert services.refresh_payment(payment).state == State.PAID


def test_it_distrusts_a_query_answer_with_a_bad_signature(vnpay, people, copy_dossier, monkeypatch):
    payment = services.start_payment(copy_dossier, actor=people.citizen)

    def liar(url, body, timeout):
        answer = client_transport(url, body, timeout)
        answer.update(vnp_ResponseCode="00", vnp_TransactionStatus="00", vnp_Amount="800000")  # not re-signed
        return answer

    monkeypatch.setattr(vnpay_module, "post_json", liar)
    result = get_provider().query(payment)
    assert not result.signature_valid
    assert services.refresh_payment(payment).state == State.PENDING
    assert CallbackLog.objects.get(payment=payment, kind="query").outcome == "bad_signature"


def test_the_sandbox_answers_querydr_like_vnpay(db, vnpay):
    def ask(**overrides):
        body = {"vnp_RequestId": "r1", "vnp_Version": "2.1.0", "vnp_Command": "querydr", "vnp_TmnCode": TMN,
                "vnp_TxnRef": "nope", "vnp_TransactionDate": "20261127100000", "vnp_CreateDate": "20261127101000",
                "vnp_IpAddr": "127.0.0.1", "vnp_OrderInfo": "Truy van"}
        body.update(overrides)
        body.setdefault("vnp_SecureHash", signing.pipe_hash(SECRET, [body[f] for f in
                                                                     vnpay_module.QUERY_REQUEST_FIELDS]))
        return client_transport(f"{SANDBOX}/merchant_webapi/api/transaction", body, 5)

    answer = ask()
    assert answer["vnp_ResponseCode"] == "91"
    assert vnpay.verify_query_answer(answer)  # even "not found" is signed
    assert ask(vnp_SecureHash="0" * 128)["vnp_ResponseCode"] == "97"
    assert ask(vnp_TmnCode="OTHER001")["vnp_ResponseCode"] == "02"
    assert ask(vnp_TxnRef="")["vnp_ResponseCode"] == "03"
    assert ask(vnp_Command="refund")["vnp_ResponseCode"] == "03"
    response = Client().post(reverse("payments_sandbox:querydr"), data="not json", content_type="application/json")
    assert response.json()["vnp_ResponseCode"] == "03"


def test_it_answers_vnpay_ipn_codes(vnpay, client, people, copy_dossier):
    payment = services.start_payment(copy_dossier, actor=people.citizen)
    url = reverse("payments:ipn", args=["vnpay"])
    forged = {**gateway_params(payment), "vnp_SecureHash": "a" * 128}
    assert client.get(url, forged).json()["RspCode"] == "97"
    assert client.get(url, gateway_params(payment, amount=7999)).json()["RspCode"] == "04"
    assert client.get(url, gateway_params(payment, ref="000")).json()["RspCode"] == "01"
    assert client.get(url, gateway_params(payment)).json()["RspCode"] == "00"
    assert client.get(url, gateway_params(payment)).json()["RspCode"] == "02"
    # The same payment's reference at the sandbox endpoint is unknown there (another provider).
    assert client.get(reverse("payments:ipn", args=["sandbox"]), gateway_params(payment)).json()["RspCode"] == "01"


def test_it_maps_vnpay_response_codes(vnpay):
    def outcome(code, status):
        return vnpay.verify_callback(gateway_params(type("P", (), {"amount_vnd": 1, "merchant_ref": "r"}),
                                                    code=code, status=status)).outcome

    assert outcome("00", "00") == Outcome.PAID
    assert outcome("24", "02") == Outcome.CANCELLED
    assert outcome("11", "02") == Outcome.EXPIRED
    assert outcome("51", "02") == Outcome.FAILED
    assert outcome("07", "07") == Outcome.PENDING  # money taken but held for review
    assert outcome("00", "01") == Outcome.PENDING


def test_it_queries_the_sandbox_over_real_http(transactional_db, live_server, settings, people):
    from .conftest import COPY, online_dossier

    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True
    settings.MOTCUA_PAYMENT_GATEWAY_URL = f"{live_server.url}/thanh-toan/sandbox/paymentv2/vpcpay.html"
    settings.MOTCUA_PAYMENT_QUERY_URL = f"{live_server.url}/thanh-toan/sandbox/merchant_webapi/api/transaction"
    dossier = online_dossier(people, COPY)
    payment = services.start_payment(dossier, actor=people.citizen, site_url=live_server.url)
    client = Client()
    page = client.get(payment.redirect_url)
    txn = page.context["txn"]
    client.post(reverse("payments_sandbox:submit", args=[txn.token]), {"action": "pay", "lose_ipn": "1"})
    assert SandboxTransaction.objects.get(pk=txn.pk).state == "paid"
    assert services.refresh_payment(payment).state == State.PAID  # urllib -> live server -> sandbox querydr
