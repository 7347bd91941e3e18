"""Server-to-server callbacks (IPN): forged, replayed, wrong amount, unknown reference... change
nothing, are logged, and are answered with the code the gateway expects."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.payments.models import AppendOnlyError, CallbackLog, Payment
from motcua.payments.states import State

from .conftest import fresh, gateway_params, sign

IPN = reverse("payments:ipn", args=["sandbox"])


def ipn(client, params, **extra):
    response = client.get(IPN, params, REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="VNPAY-IPN", **extra)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def last_log(payment=None) -> CallbackLog:
    logs = CallbackLog.objects.filter(kind="callback")
    if payment is not None:
        logs = logs.filter(payment=payment)
    return logs.order_by("-id").first()


def test_it_confirms_a_paid_callback_and_records_it(client, payment):
    assert payment.state == State.PENDING
    status, body = ipn(client, gateway_params(payment, txn="14999001"))
    assert (status, body) == (200, {"RspCode": "00", "Message": "Confirm Success"})
    paid = fresh(payment)
    assert paid.state == State.PAID and paid.provider_txn_ref == "14999001" and paid.paid_at is not None
    entry = last_log(payment)
    assert (entry.outcome, entry.signature_valid, entry.state_before, entry.state_after) == (
        "applied", True, "pending", "paid")
    assert entry.remote_addr == "203.0.113.5" and entry.headers["User-Agent"] == "VNPAY-IPN"
    assert entry.params["vnp_TxnRef"] == payment.merchant_ref and entry.response == body


def test_it_rejects_and_logs_a_forged_callback(client, payment):
    forged = gateway_params(payment)
    forged["vnp_SecureHash"] = "0" * 128
    status, body = ipn(client, forged)
    assert body == {"RspCode": "97", "Message": "Invalid signature"}
    assert fresh(payment).state == State.PENDING
    entry = last_log(payment)
    assert (entry.outcome, entry.signature_valid) == ("bad_signature", False)
    assert entry.merchant_ref == payment.merchant_ref and entry.params["vnp_SecureHash"] == "0" * 128

    # Signed with another secret, or with the amount changed after signing: the same.
    tampered = gateway_params(payment)
    tampered["vnp_ResponseCode"] = "00"
    tampered["vnp_Amount"] = "100"
    assert ipn(client, tampered)[1]["RspCode"] == "97"
    assert ipn(client, {"vnp_TxnRef": payment.merchant_ref})[1]["RspCode"] == "97"
    assert fresh(payment).state == State.PENDING
    assert CallbackLog.objects.filter(payment=payment, outcome="bad_signature").count() == 3


def test_it_changes_nothing_on_a_replayed_callback(client, payment):
    params = gateway_params(payment)
    assert ipn(client, params)[1]["RspCode"] == "00"
    first = fresh(payment)
    for _ in range(2):
        assert ipn(client, params)[1] == {"RspCode": "02", "Message": "Order already confirmed"}
    again = fresh(payment)
    assert (again.state, again.paid_at, again.updated_at) == (State.PAID, first.paid_at, first.updated_at)
    assert list(CallbackLog.objects.filter(payment=payment, kind="callback").values_list("outcome", flat=True)) == [
        "applied", "same", "same"]
    # A stale "failed" arriving after the money: paid is final.
    assert ipn(client, gateway_params(payment, code="51", status="02"))[1]["RspCode"] == "02"
    assert fresh(payment).state == State.PAID and last_log(payment).outcome == "ignored"


def test_it_rejects_a_different_amount(client, payment):
    for amount in (payment.amount_vnd - 1, payment.amount_vnd + 1, 0):
        status, body = ipn(client, gateway_params(payment, amount=amount))
        assert body == {"RspCode": "04", "Message": "Invalid amount"}
    # Not a whole number of đồng (vnp_Amount is đồng × 100).
    odd = gateway_params(payment)
    odd["vnp_Amount"] = str(payment.amount_vnd * 100 + 50)
    assert ipn(client, sign(odd))[1]["RspCode"] == "04"
    assert fresh(payment).state == State.PENDING
    assert CallbackLog.objects.filter(payment=payment, outcome="amount_mismatch").count() == 4


def test_it_answers_order_not_found_for_an_unknown_reference(client, payment):
    status, body = ipn(client, gateway_params(payment, ref="2611270000000000"))
    assert body == {"RspCode": "01", "Message": "Order not found"}
    entry = last_log()
    assert (entry.outcome, entry.payment, entry.merchant_ref) == ("unknown_ref", None, "2611270000000000")
    # Another terminal's notification (signed with the same secret) is not ours either.
    assert ipn(client, gateway_params(payment, tmn="OTHER001"))[1]["RspCode"] == "01"
    # A payment of another provider is unknown to this endpoint.
    Payment.objects.filter(pk=payment.pk).update(provider="vnpay")
    assert ipn(client, gateway_params(payment))[1]["RspCode"] == "01"
    assert fresh(payment).state == State.PENDING


def test_it_records_failures_and_cancellations(client, payment, people, copy_dossier):
    from motcua.payments import services

    assert ipn(client, gateway_params(payment, code="51", status="02"))[1]["RspCode"] == "00"
    failed = fresh(payment)
    assert failed.state == State.FAILED and failed.gateway_code == "51" and "số dư" in failed.gateway_message
    # The gateway confirms the money after all: a failure is not final (open-forms #5942).
    assert ipn(client, gateway_params(payment))[1]["RspCode"] == "00"
    assert fresh(payment).state == State.PAID

    with pytest.raises(services.PaymentConflict) as refused:  # nothing due any more
        services.start_payment(copy_dossier, actor=people.citizen)
    assert refused.value.code == "nothing_due"


def test_it_cancels_on_code_24_and_records_a_late_payment_for_reconciliation(client, payment):
    assert ipn(client, gateway_params(payment, code="24", status="02"))[1]["RspCode"] == "00"
    assert fresh(payment).state == State.CANCELLED
    assert ipn(client, gateway_params(payment, txn="14999077"))[1]["RspCode"] == "02"
    late = fresh(payment)
    assert late.state == State.CANCELLED and late.needs_reconciliation and late.late_paid_at is not None
    assert late.provider_txn_ref == "14999077" and "đối soát" in late.reconciliation_note
    assert last_log(payment).outcome == "late_paid"
    assert ipn(client, gateway_params(payment, txn="14999077"))[1]["RspCode"] == "02"
    assert last_log(payment).outcome == "same"


def test_it_accepts_posted_callbacks(client, payment):
    response = client.post(IPN, gateway_params(payment))
    assert response.json()["RspCode"] == "00" and fresh(payment).state == State.PAID


def test_it_refuses_callbacks_from_addresses_not_allowed(client, payment, settings):
    settings.MOTCUA_PAYMENT_IPN_ALLOWED_IPS = ["113.160.92.202"]
    assert ipn(client, gateway_params(payment))[1]["RspCode"] == "99"
    assert fresh(payment).state == State.PENDING and last_log().outcome == "forbidden"
    response = client.get(IPN, gateway_params(payment), REMOTE_ADDR="113.160.92.202")
    assert response.json()["RspCode"] == "00"


def test_it_refuses_sandbox_callbacks_when_the_sandbox_is_off(client, payment, settings):
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = False
    assert ipn(client, gateway_params(payment))[1]["RspCode"] == "99"
    assert fresh(payment).state == State.PENDING
    assert client.get(reverse("payments_sandbox:pay")).status_code == 404
    assert client.post(reverse("payments_sandbox:querydr"), {}, content_type="application/json").status_code == 404


def test_it_answers_404_for_an_unknown_provider(client):
    response = client.get(reverse("payments:ipn", args=["momo"]), {"x": "1"})
    assert response.status_code == 404 and response.json()["RspCode"] == "99"


def test_it_keeps_the_log_append_only(client, payment):
    ipn(client, gateway_params(payment))
    entry = last_log(payment)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        CallbackLog.objects.filter(pk=entry.pk).update(outcome="applied")
    with pytest.raises(AppendOnlyError):
        CallbackLog.objects.all().delete()


def test_it_answers_an_error_for_a_provider_without_a_secret(client, settings):
    settings.MOTCUA_PAYMENT_HASH_SECRET = ""
    response = client.get(reverse("payments:ipn", args=["vnpay"]), {"vnp_TxnRef": "1"})
    assert response.status_code == 503 and response.json()["RspCode"] == "99"
    assert client.get(reverse("payments:return", args=["vnpay"]), {"vnp_TxnRef": "1"}).status_code == 404
