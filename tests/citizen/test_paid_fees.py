"""The citizen sees what they paid (online: amount, time, gateway reference, the PDF; at the
counter: receipt number) and their refunds (#17)."""

from __future__ import annotations

from django.utils import timezone

from motcua.dossiers import actions
from motcua.payments.models import Payment
from motcua.payments.receipts import issue_for


def test_the_citizen_sees_an_online_payment_with_its_pdf_and_a_refund(people, client):
    from tests.dossiers.conftest import CRIMINAL_RECORD, fresh, online_dossier

    d = online_dossier(people, CRIMINAL_RECORD)
    now = timezone.now()
    payment = Payment.objects.create(
        dossier=d, merchant_ref="2603090000000009", provider="sandbox", amount_vnd=200_000, state="paid",
        paid_at=now, deadline=now, provider_txn_ref="14999009",
        fees=[{"fee_id": d.procedure_version.fees.get().pk, "name": "Phí", "amount_vnd": 200_000}])
    actions.record_payment(d, amount_vnd=200_000, reference=payment.merchant_ref, provider="sandbox",
                           paid_at=now, fees=payment.fees)
    issue_for(payment, now=now)
    client.force_login(people.citizen)
    html = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Phí, lệ phí đã nộp" in html and "14999009" in html and "200.000" in html
    assert f"/thanh-toan/giao-dich/{payment.merchant_ref}/bien-lai.pdf" in html
    assert "Tải xác nhận thanh toán (PDF)" in html
    actions.refuse(fresh(d), actor=people.centre_receptionist, reason="Sai thẩm quyền")
    html = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Chờ hoàn phí" in html
