"""The paper of an online payment (#17): a numbered electronic receipt (biên lai điện tử) when the
agency configured its series, else a payment confirmation that is not a receipt; the `fees` view."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from motcua.agencies.actions import update_receipt_settings
from motcua.jobs.runner import run_pending
from motcua.payments import ledger
from motcua.payments.models import ReceiptDocument
from motcua.payments.states import State

from .conftest import fresh
from .test_flow import pay_through_the_sandbox


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def paid(client, dossier):
    payment, _url = pay_through_the_sandbox(client, dossier)
    run_pending()
    payment = fresh(payment)
    assert payment.state == State.PAID
    return payment


def test_a_configured_agency_issues_numbered_receipts(citizen_client, people, copy_dossier):
    update_receipt_settings(copy_dossier.agency, actor=people.receptionist,
                            values={"e_receipt_form_number": "01BLP0-001", "e_receipt_series": "TT-26E"})
    payment = paid(citizen_client, copy_dossier)
    doc = ReceiptDocument.objects.get(payment=payment)
    assert doc.kind == "receipt" and doc.number == 1 and doc.series == "TT-26E"
    response = citizen_client.get(reverse("payments:receipt_pdf", args=[payment.merchant_ref]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "Mẫu số: 01BLP0-001" in text and "Ký hiệu: TT-26E" in text and "Số: 0000001" in text
    assert "Bằng chữ: Tám nghìn đồng" in text and "8.000 đồng" in text
    assert "Chuyển khoản/thanh toán trực tuyến" in text and payment.provider_txn_ref in text
    assert "Nguyễn Văn An" in text and "Phí cấp bản sao trích lục hộ tịch" in text
    assert "không phải là biên lai" not in text
    page = citizen_client.get(reverse("payments:detail", args=[payment.merchant_ref])).content.decode()
    assert "Tải biên lai điện tử (PDF)" in page and reverse("payments:receipt_pdf", args=[payment.merchant_ref]) in page
    view = ledger.fees_json(fresh(copy_dossier))
    assert view["paid"][0]["source"] == "online" and view["paid"][0]["receipt_number"] == "TT-26E 0000001"
    assert view["paid"][0]["document_url"] == reverse("payments:receipt_pdf", args=[payment.merchant_ref])


def test_numbers_follow_each_other_per_series_and_year_and_are_never_reused(people, copy_dossier):
    import datetime as dt

    from motcua.payments.models import Payment
    from motcua.payments.receipts import issue_for

    update_receipt_settings(copy_dossier.agency, actor=people.receptionist,
                            values={"e_receipt_form_number": "01BLP0-001", "e_receipt_series": "TT-26E"})

    def paid_payment(paid_at):  # the gateway's answers are tested elsewhere: a paid row is enough here
        n = Payment.objects.count() + 1
        return Payment.objects.create(dossier=copy_dossier, merchant_ref=f"TEST{n:04d}", provider="sandbox",
                                      amount_vnd=8_000, state=State.PAID, paid_at=paid_at, return_url="/",
                                      deadline=paid_at)

    first = paid_payment(dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC))
    now = dt.datetime(2026, 12, 7, 3, 5, tzinfo=dt.UTC)
    a = issue_for(first, now=now)
    again = issue_for(first, now=now)
    assert a.pk == again.pk and a.number == 1 and a.issued_at == now  # issued once, dated when issued
    # A late notice of a payment made last year: this year's next number, dated today.
    late = issue_for(paid_payment(dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC)), now=now)
    assert (late.year, late.number, late.series) == (2026, 2, "TT-26E")
    # A new series (ký hiệu) from mid-year starts again at 1; the old one keeps its numbers.
    update_receipt_settings(copy_dossier.agency, actor=people.receptionist,
                            values={"e_receipt_form_number": "01BLP0-002", "e_receipt_series": "TT-26F"})
    fresh_series = issue_for(paid_payment(now), now=now)
    assert (fresh_series.series, fresh_series.number, fresh_series.form_number) == ("TT-26F", 1, "01BLP0-002")
    assert sorted(ReceiptDocument.objects.filter(series="TT-26E").values_list("number", flat=True)) == [1, 2]


def test_without_a_series_the_citizen_gets_a_confirmation_that_is_not_a_receipt(citizen_client, copy_dossier):
    payment = paid(citizen_client, copy_dossier)
    doc = ReceiptDocument.objects.get(payment=payment)
    assert doc.kind == "confirmation" and doc.number is None
    text = pdf_text(citizen_client.get(reverse("payments:receipt_pdf", args=[payment.merchant_ref])).content)
    assert "XÁC NHẬN THANH TOÁN" in text and "Đây không phải là biên lai thu phí, lệ phí" in text
    assert "Bằng chữ: Tám nghìn đồng" in text and "BIÊN LAI THU PHÍ" not in text


def test_others_cannot_download_it(client, people, citizen_client, copy_dossier):
    payment = paid(citizen_client, copy_dossier)
    client.force_login(people.citizen2)
    assert client.get(reverse("payments:receipt_pdf", args=[payment.merchant_ref])).status_code == 404


@pytest.mark.parametrize("bad", ["nope", "x" * 300])
def test_an_unknown_reference_is_404(citizen_client, bad):
    assert citizen_client.get(reverse("payments:receipt_pdf", args=[bad])).status_code == 404


def test_the_payment_email_links_the_receipt(citizen_client, copy_dossier):
    from motcua.notify.models import Message

    payment = paid(citizen_client, copy_dossier)
    message = Message.objects.get(dossier=copy_dossier, template="payment_received")
    assert message.channel == "email"
    assert message.context["receipt_url"].endswith(f"/thanh-toan/giao-dich/{payment.merchant_ref}/bien-lai.pdf")
    assert message.context["amount_text"] == "8.000 đồng" and message.context["reference"] == payment.merchant_ref


def _sent_payment_email(copy_dossier):
    from django.core import mail

    from motcua.notify.models import Message

    run_pending()  # the notify.send jobs
    message = Message.objects.get(dossier=copy_dossier, template="payment_received")
    assert message.state == "sent", message.last_error
    sent = [m for m in mail.outbox if m.subject == message.subject]
    assert len(sent) == 1
    return sent[0]


def test_the_payment_email_carries_the_receipt_pdf_and_its_link(citizen_client, people, copy_dossier):
    update_receipt_settings(copy_dossier.agency, actor=people.receptionist,
                            values={"e_receipt_form_number": "01BLP0-001", "e_receipt_series": "TT-26E"})
    payment = paid(citizen_client, copy_dossier)
    email = _sent_payment_email(copy_dossier)
    assert f"/thanh-toan/giao-dich/{payment.merchant_ref}/bien-lai.pdf" in email.body  # the link stays
    [(name, content, mimetype)] = email.attachments
    assert mimetype == "application/pdf" and name == f"bien-lai-{payment.merchant_ref}.pdf"
    text = pdf_text(content)
    assert "Ký hiệu: TT-26E" in text and "Số: 0000001" in text and "8.000 đồng" in text
    # The same bytes as the link downloads (made from the stored paper, deterministic).
    assert content == citizen_client.get(reverse("payments:receipt_pdf", args=[payment.merchant_ref])).content


def test_the_payment_email_carries_the_confirmation_that_is_not_a_receipt(citizen_client, copy_dossier):
    payment = paid(citizen_client, copy_dossier)
    email = _sent_payment_email(copy_dossier)
    [(name, content, mimetype)] = email.attachments
    assert mimetype == "application/pdf" and name == f"xac-nhan-thanh-toan-{payment.merchant_ref}.pdf"
    assert "Đây không phải là biên lai thu phí, lệ phí" in pdf_text(content)


def test_a_missing_paper_leaves_the_email_with_its_link(citizen_client, copy_dossier):
    from motcua.notify import attachments

    payment = paid(citizen_client, copy_dossier)
    ReceiptDocument.objects.filter(payment=payment).delete()
    email = _sent_payment_email(copy_dossier)
    assert email.attachments == [] and payment.merchant_ref in email.body
    assert attachments.MAX_BYTES < 10 * 1024 * 1024  # bounded
