"""A citizen can never open or act on another citizen's payment; staff of the dossier's agency can
take payment at the counter; nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.payments import services
from motcua.payments.models import Payment
from motcua.payments.states import State

from .conftest import CRIMINAL_RECORD, MARRIAGE, fresh, gateway_params, online_dossier


def test_it_hides_a_dossier_from_another_citizen(client, people, copy_dossier, payment):
    client.force_login(people.citizen2)
    start = reverse("payments:start", args=[copy_dossier.code])
    assert client.get(start).status_code == 404
    assert client.post(start, {"idempotency_key": "x"}).status_code == 404
    assert client.get(reverse("payments:detail", args=[payment.merchant_ref])).status_code == 404
    assert client.post(reverse("payments:cancel", args=[payment.merchant_ref])).status_code == 404
    assert fresh(payment).state == State.PENDING
    with pytest.raises(services.PaymentNotFound):
        services.start_payment(copy_dossier, actor=people.citizen2)
    with pytest.raises(services.PaymentNotFound):
        services.payment_for(people.citizen2, payment.merchant_ref)
    with pytest.raises(services.PaymentNotFound):
        services.cancel_payment(payment, actor=people.citizen2)
    assert not services.payments_of(people.citizen2, copy_dossier).exists()
    assert not services.can_start(people.citizen2, copy_dossier)
    assert Payment.objects.count() == 1


def test_it_shows_nothing_of_a_return_to_another_citizen(client, people, payment):
    client.force_login(people.citizen2)
    response = client.get(reverse("payments:return", args=["sandbox"]), gateway_params(payment))
    text = response.content.decode()
    assert response.status_code == 200 and "đăng nhập bằng tài khoản đã nộp hồ sơ" in text
    assert payment.merchant_ref not in text.split("next=")[0] and payment.dossier.code not in text
    assert "8.000" not in text
    client.logout()
    forged = {**gateway_params(payment), "vnp_SecureHash": "f" * 128}
    response = client.get(reverse("payments:return", args=["sandbox"]), forged)
    assert response.status_code == 400 and payment.dossier.code not in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, copy_dossier, payment):
    for url in (reverse("payments:start", args=[copy_dossier.code]),
                reverse("payments:detail", args=[payment.merchant_ref])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(reverse("payments:cancel", args=[payment.merchant_ref])).status_code == 302
    assert fresh(payment).state == State.PENDING


def test_it_lets_the_counter_of_the_agency_take_payment(client, people):
    # A level-3 procedure: the citizen cannot pay online, the counter can take the payment.
    from motcua.catalog.models import Fee

    dossier = online_dossier(people, MARRIAGE)
    Fee.objects.filter(version_id=dossier.procedure_version_id).update(amount_vnd=30000)
    with pytest.raises(services.PaymentConflict) as refused:
        services.start_payment(dossier, actor=people.citizen)
    assert refused.value.code == "online_payment_not_offered"
    client.force_login(people.citizen)
    page = client.get(reverse("payments:start", args=[dossier.code])).content.decode()
    assert "chưa hỗ trợ thanh toán trực tuyến" in page

    client.force_login(people.receptionist)
    response = client.post(reverse("payments:start", args=[dossier.code]), {"idempotency_key": "quay-1"})
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier)
    assert payment.created_by == people.receptionist and payment.amount_vnd == 30000

    # Staff of another commune does not see the dossier at all.
    client.force_login(people.other_receptionist)
    assert client.get(reverse("payments:start", args=[dossier.code])).status_code == 404
    assert client.get(reverse("payments:detail", args=[payment.merchant_ref])).status_code == 404
    # Staff who only see the dossier (an agency it passed through) may not take payment.
    centre_dossier = online_dossier(people, CRIMINAL_RECORD)
    with pytest.raises(services.PaymentNotFound):
        services.start_payment(centre_dossier, actor=people.justice_officer)


def test_it_forbids_staff_who_only_saw_the_dossier_pass(client, people):
    from motcua.dossiers import actions

    dossier = online_dossier(people, CRIMINAL_RECORD)  # received at the centre, handled by Sở Tư pháp
    actions.receive(dossier, actor=people.centre_receptionist)
    actions.handover(dossier, actor=people.centre_receptionist)
    client.force_login(people.justice_officer)
    assert client.get(reverse("payments:start", args=[dossier.code])).status_code == 200  # handling agency
    actions.return_to_previous(dossier, actor=people.justice_officer, reason="Thiếu chữ ký người nộp")
    # Back at the centre: Sở Tư pháp still sees the dossier (it passed there) but takes no payment.
    assert client.get(reverse("payments:start", args=[dossier.code])).status_code == 403
    assert client.post(reverse("payments:start", args=[dossier.code]), {"idempotency_key": "x"}).status_code == 403
    with pytest.raises(services.PaymentForbidden):
        services.start_payment(fresh(dossier), actor=people.justice_officer)
    assert not Payment.objects.filter(dossier=dossier).exists()
