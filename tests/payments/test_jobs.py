"""The re-query job: payments left pending are asked about, and expired past their deadline."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

from django.utils import timezone

from motcua.jobs import runner
from motcua.jobs.models import Job
from motcua.payments import services
from motcua.payments.contrib.sandbox import gateway
from motcua.payments.models import CallbackLog
from motcua.payments.providers import ProviderUnavailable
from motcua.payments.states import State

from .conftest import ago, fresh, gateway_params


def open_at_gateway(payment, *, at: dt.datetime):
    """The payer's browser opens the gateway page (the sandbox keeps the transaction)."""
    return gateway.open_payment(dict(parse_qsl(urlsplit(payment.redirect_url).query)), now=at)


def test_it_is_registered_as_a_periodic_job():
    assert runner.PERIODIC["payments.requery"].every == dt.timedelta(minutes=5)
    assert {"payments.requery", "payments.query", "payments.sandbox_ipn"} <= set(runner.HANDLERS)


def test_it_finds_a_payment_whose_ipn_was_lost(db, people, copy_dossier):
    payment = services.start_payment(copy_dossier, actor=people.citizen, now=ago(minutes=10))
    txn = open_at_gateway(payment, at=ago(minutes=9))
    txn, _ = gateway.complete(txn.token, "pay", now=ago(minutes=8), send_ipn=False)  # the IPN never arrives
    assert fresh(payment).state == State.PENDING

    with runner.transaction.atomic():
        runner.enqueue("payments.requery")
    runner.run_pending()
    assert Job.objects.get(kind="payments.requery").state == Job.State.DONE
    paid = fresh(payment)
    assert paid.state == State.PAID and paid.query_count == 1 and paid.provider_txn_ref == txn.transaction_no
    entry = CallbackLog.objects.get(payment=payment, kind="query")
    assert (entry.outcome, entry.signature_valid) == ("applied", True)
    assert entry.params["vnp_Command"] == "querydr" and entry.response["vnp_TransactionStatus"] == "00"


def test_it_leaves_young_payments_alone_and_keeps_asking_before_the_deadline(db, people, copy_dossier):
    from .conftest import COPY, online_dossier

    older = services.start_payment(copy_dossier, actor=people.citizen, now=ago(minutes=6))
    open_at_gateway(older, at=ago(minutes=5))  # on the gateway's page, not paid yet
    young = services.start_payment(online_dossier(people, COPY), actor=people.citizen, now=ago(minutes=2))
    assert services.requery_pending() == {"pending": 1}
    assert fresh(older).state == State.PENDING and fresh(older).query_count == 1
    assert CallbackLog.objects.get(payment=older, kind="query").outcome == "pending"
    assert fresh(young).query_count == 0


def test_it_expires_an_abandoned_payment_and_flags_a_late_payment(client, people, copy_dossier):
    payment = services.start_payment(copy_dossier, actor=people.citizen, now=ago(minutes=40))
    # Deadline 15 min + grace 15 min have passed; the gateway never saw the payer (code 91).
    assert services.requery_pending() == {"expired": 1}
    expired = fresh(payment)
    assert expired.state == State.EXPIRED and expired.finished_at is not None
    query, expiry = CallbackLog.objects.filter(payment=payment).exclude(kind="system", params__action="start")
    assert query.kind == "query" and query.response["vnp_ResponseCode"] == "91" and query.outcome == "pending"
    assert (expiry.kind, expiry.params["reason"], expiry.state_after) == ("system", "not_paid_after_deadline",
                                                                          "expired")
    assert services.requery_pending() == {}  # nothing open any more

    # The money arrives after all: recorded for reconciliation, the state stays.
    answer = client.get("/thanh-toan/ipn/sandbox/", gateway_params(payment)).json()
    assert answer["RspCode"] == "02"
    late = fresh(payment)
    assert late.state == State.EXPIRED and late.needs_reconciliation and late.late_paid_at is not None


def test_it_waits_for_an_unreachable_gateway_then_gives_up(db, people, copy_dossier, settings, monkeypatch):
    from motcua.payments.providers import vnpay

    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"

    def down(url, body, timeout):
        raise ProviderUnavailable("connection refused")

    monkeypatch.setattr(vnpay, "post_json", down)
    payment = services.start_payment(copy_dossier, actor=people.citizen, now=ago(minutes=40))
    assert services.requery_pending() == {"pending": 1}
    assert CallbackLog.objects.get(payment=payment, kind="query").outcome == "error"
    later = timezone.now() + dt.timedelta(hours=24)
    assert services.requery_pending(now=later) == {"expired": 1}
    entry = CallbackLog.objects.filter(payment=payment, kind="system").last()
    assert entry.params["reason"] == "gateway_unreachable_after_deadline"


def test_it_skips_a_broken_payment_and_goes_on(db, people, copy_dossier, monkeypatch):
    from .conftest import COPY, online_dossier

    first = services.start_payment(copy_dossier, actor=people.citizen, now=ago(minutes=40))
    second = services.start_payment(online_dossier(people, COPY), actor=people.citizen, now=ago(minutes=39))
    real = services.refresh_payment

    def flaky(payment, **kwargs):
        if payment.pk == first.pk:
            raise RuntimeError("boom")
        return real(payment, **kwargs)

    monkeypatch.setattr(services, "refresh_payment", flaky)
    assert services.requery_pending() == {"error": 1, "expired": 1}
    assert fresh(first).state == State.PENDING and fresh(second).state == State.EXPIRED


def test_the_query_job_after_a_return_settles_the_payment(db, people, copy_dossier):
    payment = services.start_payment(copy_dossier, actor=people.citizen)
    txn = open_at_gateway(payment, at=timezone.now())
    gateway.complete(txn.token, "pay", send_ipn=False)
    services.enqueue_query(payment)
    services.enqueue_query(payment)  # one per payment and minute
    runner.run_pending()
    assert Job.objects.filter(kind="payments.query").count() == 1
    assert fresh(payment).state == State.PAID


def test_a_payment_whose_provider_is_no_longer_installed_expires_after_the_give_up_time(db, people, copy_dossier):
    """The demo gateway's app is uninstalled when a site goes live: its open payments end."""
    from motcua.payments.models import Payment

    payment = services.start_payment(copy_dossier, actor=people.citizen, now=ago(minutes=40))
    Payment.objects.filter(pk=payment.pk).update(provider="gone")
    assert services.requery_pending() == {"pending": 1}
    assert CallbackLog.objects.get(payment=payment, kind="query").outcome == "error"
    assert services.requery_pending(now=timezone.now() + dt.timedelta(hours=24)) == {"expired": 1}
