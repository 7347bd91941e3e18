"""The paper of each paid online payment (issue #17): a legal electronic receipt (biên lai điện
tử, NĐ 123/2020/NĐ-CP, TT 78/2021/TT-BTC) when the collecting agency has configured its receipt
form number and series (`agencies.actions.update_receipt_settings`), else a payment confirmation
that says it is not a receipt.

`issue_for(payment)` runs once, when the payment is recorded (`services.record_on_dossier`, in
its transaction): a receipt is dated when it is issued (a late gateway notice of a payment made
last year still gets this year's number and date; the payment time is printed beside it) and
takes the next number of the agency's series (ký hiệu) in that year — a new series set mid-year
starts again at 1 — while the agency's "BL" FormSeries row is locked (`dossiers.numbers.lock`),
so that two payments never take one number. The number is stored on a `ReceiptDocument` and
never computed again; a rolled-back transaction gives the number back, a number handed out is
never re-used. `pdf_for(payment)` renders the stored paper.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from motcua.agencies.actions import receipt_configured
from motcua.documents import fee_receipt
from motcua.dossiers import numbers
from motcua.dossiers.codes import local_day

from .models import Payment, ReceiptDocument
from .states import State

ONLINE_METHOD = "Chuyển khoản/thanh toán trực tuyến"


def issue_for(payment: Payment, *, now: dt.datetime) -> ReceiptDocument | None:
    """The receipt (or confirmation) of a paid payment, issued once (inside a transaction)."""
    if payment.state != State.PAID:
        return None
    existing = ReceiptDocument.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.select_related("agency").get(pk=payment.dossier_id)
    agency = dossier.agency  # the receiving agency collects the fees of its one-stop office
    issued_at = now
    with transaction.atomic():
        if receipt_configured(agency):
            numbers.lock(agency, numbers.E_RECEIPT, issued_at)  # serialises this agency's receipts
            series, year = agency.e_receipt_series, local_day(issued_at).year
            last = (ReceiptDocument.objects.filter(agency=agency, series=series, year=year)
                    .aggregate(last=Max("number"))["last"] or 0)
            return ReceiptDocument.objects.create(
                payment=payment, agency=agency, kind=ReceiptDocument.Kind.RECEIPT,
                form_number=agency.e_receipt_form_number, series=series, year=year, number=last + 1,
                issued_at=issued_at,
            )
        return ReceiptDocument.objects.create(payment=payment, agency=agency,
                                              kind=ReceiptDocument.Kind.CONFIRMATION, issued_at=issued_at)


def document_url(payment: Payment) -> str | None:
    """Where the payer downloads the paper (None before it is issued)."""
    if payment.state != State.PAID or getattr(payment, "receipt", None) is None:
        return None
    return reverse("payments:receipt_pdf", args=[payment.merchant_ref])


def paper_for(payment: Payment) -> fee_receipt.FeeReceiptPaper:
    from motcua.dossiers.paperwork import tracking_url

    doc = ReceiptDocument.objects.select_related("agency__parent").get(payment=payment)
    d = payment.dossier
    agency = doc.agency
    return fee_receipt.FeeReceiptPaper(
        is_receipt=doc.kind == ReceiptDocument.Kind.RECEIPT,
        agency_name=agency.name, agency_address=agency.address,
        agency_parent=agency.parent.name if agency.parent_id else "",
        payer_name=d.applicant_name, payer_address=d.applicant_address,
        dossier_code=d.code, procedure_name=d.procedure_version.name,
        lines=[fee_receipt.FeeLine(str(line.get("name", "")), int(line.get("amount_vnd") or 0))
               for line in payment.fees or []] or [fee_receipt.FeeLine("Phí, lệ phí", payment.amount_vnd)],
        amount_vnd=payment.amount_vnd, method=ONLINE_METHOD, paid_at=payment.paid_at or doc.issued_at,
        reference=payment.provider_txn_ref, merchant_ref=payment.merchant_ref, provider=payment.provider,
        form_number=doc.form_number, series=doc.series, number=doc.number_text,
        lookup_url=tracking_url(d), issued_at=doc.issued_at,
    )


def pdf_for(payment: Payment) -> bytes:
    return fee_receipt.render_pdf(paper_for(payment))
