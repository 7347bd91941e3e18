"""Files attached to an e-mail, made when it is sent from data already stored (issue #17).

Only the `payment_received` e-mail has one today: the PDF of the payment's paper, the biên lai
điện tử or the "xác nhận thanh toán" (`payments.receipts.pdf_for`), the same bytes the dossier
page's link downloads (rendered from the stored `ReceiptDocument`, deterministic; the e-mail
keeps the link too). Nothing is stored with the message: a re-send renders it again.

An attachment is bounded (`MAX_BYTES`); one that cannot be made (the payment or its paper is
not there, the PDF is too big or its rendering fails) is left out and logged — the e-mail still
goes, with its link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .models import Channel

log = logging.getLogger("motcua.notify")

MAX_BYTES = 2 * 1024 * 1024  # a receipt is a one-page PDF of some tens of kilobytes


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


def for_message(message) -> list[Attachment]:
    """The attachments of a message (none for an SMS or another template)."""
    if message.channel != Channel.EMAIL or message.template != "payment_received":
        return []
    return _payment_paper(message)


def _payment_paper(message) -> list[Attachment]:
    from motcua.payments.models import Payment, ReceiptDocument
    from motcua.payments.receipts import pdf_for
    from motcua.payments.states import State

    reference = str((message.context or {}).get("reference", ""))[:40]
    payment = (Payment.objects.select_related("dossier__procedure_version")
               .filter(merchant_ref=reference, dossier_id=message.dossier_id, state=State.PAID).first()
               if reference and message.dossier_id else None)
    doc = ReceiptDocument.objects.filter(payment=payment).first() if payment is not None else None
    if doc is None:
        log.warning("message %s: no paid payment %r with a receipt to attach", message.pk, reference)
        return []
    try:
        pdf = pdf_for(payment)
    except Exception:  # the link in the text still leads to it; the e-mail must not wait for a fix
        log.exception("message %s: the receipt PDF of payment %s could not be made", message.pk, payment.pk)
        return []
    if len(pdf) > MAX_BYTES:
        log.warning("message %s: the receipt PDF (%d bytes) is over %d bytes, not attached", message.pk, len(pdf),
                    MAX_BYTES)
        return []
    name = "bien-lai" if doc.kind == ReceiptDocument.Kind.RECEIPT else "xac-nhan-thanh-toan"
    return [Attachment(f"{name}-{payment.merchant_ref}.pdf", pdf)]
