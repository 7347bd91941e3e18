"""Fixtures for payment tests: the dossier fixtures (people, dossiers made through the real action
layer), the sandbox gateway switched on with a fixed test secret, and signing helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.dossiers import conftest as dossier_fixtures

# The dossier tests' fixtures (people with memberships, fast password hashing) and helpers.
people = dossier_fixtures.people
_fast_settings = dossier_fixtures._fast_settings
fresh = dossier_fixtures.fresh
online_dossier = dossier_fixtures.online_dossier

SECRET = "motcua-test-secret-0123456789"
TMN = "MOTCUA01"
COPY = "2.000635"  # commune Tân Thành, level 4, one fee of 8.000 đồng collected at reception
MARRIAGE = "1.000894"  # level 3, free
CRIMINAL_RECORD = "2.000488"  # level 4, 200.000 đồng, received at the service centre


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    settings.MOTCUA_PAYMENT_PROVIDER = "sandbox"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True
    settings.MOTCUA_PAYMENT_HASH_SECRET = SECRET
    settings.MOTCUA_PAYMENT_TMN_CODE = TMN
    settings.MOTCUA_PAYMENT_IPN_ALLOWED_IPS = []
    settings.MOTCUA_PAYMENT_SANDBOX_IPN_URL = ""
    settings.MOTCUA_JOBS_MODE = "worker"
    settings.MOTCUA_PUBLIC_URL = "http://testserver"


def sign(params: dict) -> dict:
    from motcua.payments import signing

    signed = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    signed["vnp_SecureHash"] = signing.sign(signed, SECRET)
    return signed


def gateway_params(payment, *, code="00", status="00", amount=None, txn="14999001", ref=None, tmn=TMN) -> dict:
    """What VNPay (or the sandbox) sends back for `payment`, signed with the test secret."""
    amount = payment.amount_vnd if amount is None else amount
    return sign({
        "vnp_Amount": str(amount * 100), "vnp_BankCode": "NCB", "vnp_OrderInfo": "Thanh toan",
        "vnp_PayDate": "20261127100000", "vnp_ResponseCode": code, "vnp_TmnCode": tmn,
        "vnp_TransactionNo": txn if code == "00" else "0", "vnp_TransactionStatus": status,
        "vnp_TxnRef": ref or payment.merchant_ref,
    })


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


@pytest.fixture
def copy_dossier(people):
    """Submitted online by people.citizen (status 1): 8.000 đồng due at reception."""
    return online_dossier(people, COPY, when=ago(hours=1))


@pytest.fixture
def awaiting_payment(people):
    """people.citizen's dossier in status 6: received, handed to the officer, paused for payment."""
    from motcua.dossiers import actions

    dossier = online_dossier(people, COPY, when=ago(hours=3))
    actions.receive(dossier, actor=people.receptionist, at=ago(hours=2))
    actions.handover(dossier, actor=people.receptionist, at=ago(minutes=90))
    actions.pause(dossier, actor=people.officer, reason="Chờ nộp phí cấp bản sao", kind="payment", at=ago(hours=1))
    return fresh(dossier)


@pytest.fixture
def payment(people, copy_dossier):
    from motcua.payments import services

    return services.start_payment(copy_dossier, actor=people.citizen)


@pytest.fixture
def citizen_client(client, people):
    client.force_login(people.citizen)
    return client
