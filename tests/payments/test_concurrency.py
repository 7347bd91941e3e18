"""Simultaneous callbacks for one payment, with real threads and transactions: the payment's row
lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) lets exactly one of them apply."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from motcua.dossiers.models import Event, Status
from motcua.payments import services
from motcua.payments.models import CallbackLog
from motcua.payments.providers import get_provider
from motcua.payments.states import State

from .conftest import fresh, gateway_params

THREADS = 10
pytestmark = pytest.mark.django_db(transaction=True)


def _race(params_list: list[dict]) -> list[str]:
    barrier = threading.Barrier(len(params_list))

    def run(params):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            return services.receive_callback(get_provider("sandbox"), params, remote_addr="127.0.0.1").body["RspCode"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(params_list)) as pool:
        return list(pool.map(run, params_list))


def test_simultaneous_identical_callbacks_apply_once(people, awaiting_payment):
    payment = services.start_payment(awaiting_payment, actor=people.citizen)
    codes = _race([gateway_params(payment)] * THREADS)
    assert sorted(codes) == ["00"] + ["02"] * (THREADS - 1)
    assert fresh(payment).state == State.PAID
    assert CallbackLog.objects.filter(payment=payment, kind="callback", outcome="applied").count() == 1
    assert Event.objects.filter(dossier=awaiting_payment, kind="payment_received").count() == 1
    assert fresh(awaiting_payment).status == Status.PROCESSING


def test_paid_wins_over_a_simultaneous_failure(people, copy_dossier):
    payment = services.start_payment(copy_dossier, actor=people.citizen)
    failed = gateway_params(payment, code="51", status="02")
    codes = _race([failed, gateway_params(payment)] * 3)
    assert fresh(payment).state == State.PAID
    assert codes.count("00") in (1, 2)  # "paid" first, or "failed" then "paid"
