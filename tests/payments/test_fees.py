"""Fees due at reception or at return follow the procedure version's fee rows, less what was paid."""

from __future__ import annotations

import pytest
from django.db.models import F

from motcua.catalog.models import Fee
from motcua.dossiers.models import Dossier
from motcua.payments import services
from motcua.payments.states import State

from .conftest import COPY, MARRIAGE, fresh, gateway_params, online_dossier


@pytest.fixture
def two_fees(copy_dossier):
    """8.000 đồng at reception (the sample), 20.000 at return, and a free line."""
    version = copy_dossier.procedure_version_id
    Fee.objects.create(version_id=version, order=5, name="Lệ phí trả kết quả qua bưu chính", amount_vnd=20000,
                       collected=Fee.When.AT_RETURN)
    Fee.objects.create(version_id=version, order=6, name="Lệ phí miễn", amount_vnd=0)
    return copy_dossier


def amounts(due):
    return [(line.name, line.amount_vnd, line.paid_vnd, line.due_vnd) for line in due.lines]


def test_it_splits_fees_by_when_they_are_collected(two_fees):
    at_reception = services.fees_due(two_fees, "at_reception")
    assert amounts(at_reception) == [("Phí cấp bản sao trích lục hộ tịch", 8000, 0, 8000)]
    assert at_reception.total_vnd == 8000
    at_return = services.fees_due(two_fees, "at_return")
    assert amounts(at_return) == [
        ("Phí cấp bản sao trích lục hộ tịch", 8000, 0, 8000),
        ("Lệ phí trả kết quả qua bưu chính", 20000, 0, 20000),
    ]
    assert at_return.total_vnd == 28000
    with pytest.raises(ValueError):
        services.fees_due(two_fees, "later")


def test_it_subtracts_what_was_paid_online_and_at_the_counter(client, people, two_fees):
    payment = services.start_payment(two_fees, actor=people.citizen)
    assert payment.amount_vnd == 8000 and payment.when == "at_reception"
    client.get("/thanh-toan/ipn/sandbox/", gateway_params(payment))
    assert fresh(payment).state == State.PAID
    assert services.fees_due(two_fees, "at_reception").total_vnd == 0
    assert amounts(services.fees_due(two_fees, "at_return"))[0] == ("Phí cấp bản sao trích lục hộ tịch", 8000, 8000, 0)
    assert services.fees_due(two_fees, "at_return").total_vnd == 20000
    # 5.000 collected at the counter (added to Dossier.fee_collected, which already holds the
    # online payment) counts against the remaining fee.
    assert fresh(two_fees).fee_collected == 8000
    Dossier.objects.filter(pk=two_fees.pk).update(fee_collected=F("fee_collected") + 5000)
    due = services.fees_due(fresh(two_fees), "at_return")
    assert amounts(due)[1] == ("Lệ phí trả kết quả qua bưu chính", 20000, 5000, 15000) and due.total_vnd == 15000
    second = services.start_payment(fresh(two_fees), actor=people.citizen, when="at_return")
    assert second.amount_vnd == 15000 and [line["amount_vnd"] for line in second.fees] == [15000]


def test_it_defaults_to_everything_unpaid_when_awaiting_payment(people, awaiting_payment):
    assert services.default_when(awaiting_payment) == "at_return"
    assert services.default_when(online_dossier(people, COPY)) == "at_reception"


def test_it_refuses_when_nothing_is_due_or_the_dossier_is_closed(people):
    from motcua.dossiers import actions

    free = online_dossier(people, MARRIAGE)  # level 3 and free: the counter has nothing to collect
    with pytest.raises(services.PaymentConflict) as refused:
        services.start_payment(free, actor=people.receptionist)
    assert refused.value.code == "nothing_due"
    withdrawn = online_dossier(people, COPY)
    actions.withdraw(withdrawn, actor=people.citizen, reason="Nộp nhầm")
    with pytest.raises(services.PaymentConflict) as refused:
        services.start_payment(fresh(withdrawn), actor=people.citizen)
    assert refused.value.code == "dossier_not_payable"
    assert not services.can_start(people.citizen, fresh(withdrawn))


def test_it_refuses_a_second_payment_of_another_amount_while_one_is_open(people, two_fees):
    services.start_payment(two_fees, actor=people.citizen, when="at_reception")
    with pytest.raises(services.PaymentConflict) as refused:
        services.start_payment(two_fees, actor=people.citizen, when="at_return")
    assert refused.value.code == "payment_in_progress"


def test_it_flags_fees_paid_twice(client, people, copy_dossier):
    first = services.start_payment(copy_dossier, actor=people.citizen)
    client.get("/thanh-toan/ipn/sandbox/", gateway_params(first, code="51", status="02"))  # reported failed
    second = services.start_payment(copy_dossier, actor=people.citizen)
    client.get("/thanh-toan/ipn/sandbox/", gateway_params(second, txn="14999002"))
    assert fresh(second).state == State.PAID and not fresh(second).needs_reconciliation
    # The first one was paid after all: it is paid (the money was taken) and flagged.
    client.get("/thanh-toan/ipn/sandbox/", gateway_params(first, txn="14999001"))
    twice = fresh(first)
    assert twice.state == State.PAID and twice.needs_reconciliation and "thu trùng" in twice.reconciliation_note


def test_it_tells_the_national_portal_how_the_dossier_was_paid(client, people, copy_dossier):
    assert services.online_payment_code(copy_dossier) == 0
    payment = services.start_payment(copy_dossier, actor=people.citizen)
    client.get("/thanh-toan/ipn/sandbox/", gateway_params(payment))
    assert services.online_payment_code(copy_dossier) == 2  # DuocThanhToanTrucTuyen: the province's gateway


def test_it_refuses_a_reused_idempotency_key_for_another_dossier(people, copy_dossier):
    services.start_payment(copy_dossier, actor=people.citizen, idempotency_key="k")
    with pytest.raises(services.PaymentConflict) as refused:
        services.start_payment(online_dossier(people, COPY), actor=people.citizen, idempotency_key="k")
    assert refused.value.code == "idempotency_key_reused"
    assert services.start_payment(copy_dossier, actor=people.citizen, idempotency_key="k").amount_vnd == 8000


def test_each_fee_follows_its_rule_for_the_dossier(people):
    """2.001610: the registration fee is exempt online (issue #17), the publication fee is not."""
    from tests.dossiers.conftest import counter_dossier

    online = online_dossier(people, "2.001610")
    assert amounts(services.fees_due(online, "at_return")) == [
        ("Phí công bố nội dung đăng ký doanh nghiệp", 100000, 0, 100000)]
    at_counter = counter_dossier(people, "2.001610")
    assert services.fees_due(at_counter, "at_return").total_vnd == 150000
    # The papers and the national portal's record say the same.
    from motcua.dossiers.paperwork import _fees_text
    from motcua.sync.payload import dossier_data

    assert _fees_text(online) == "Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng"
    assert [f["Gia"] for f in dossier_data(online, online.events.last())["DanhSachLePhi"]] == [0, 100000]
