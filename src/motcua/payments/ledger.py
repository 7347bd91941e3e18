"""What a dossier owes, paid and is owed back (issue #17): one view for the API's `fees`, the
back office, the citizen's dossier page and the ledger.

* due: each fee of the procedure version by its rule (`catalog.fees.dossier_fee_amount`), with
  when it is collected and what is still to pay (`services.fees_due`);
* paid: the fees recorded at the counter (`fee_recorded` events, `dossiers.actions.record_fee`)
  and the paid online payments (with their gateway reference and the receipt or confirmation);
* refunds: the refunds opened when a paid dossier was refused, withdrawn or stopped.
Reads only.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from motcua.core.dates import iso

from .models import Payment, Refund, When
from .receipts import document_url
from .states import State


def _counter_method_label(method: str) -> str:
    from motcua.dossiers.counter_fees import method_label

    return method_label(method)


def counter_records(dossier) -> list[dict[str, Any]]:
    from motcua.dossiers.models import EventKind

    events = getattr(dossier, "fee_events", None)
    if events is None:
        events = dossier.events.filter(kind=EventKind.FEE_RECORDED).order_by("version")
    out = []
    for e in events:
        if e.kind != EventKind.FEE_RECORDED:
            continue
        data = e.data or {}
        out.append({
            "amount_vnd": int(data.get("amount_vnd") or 0), "method": str(data.get("method", "")),
            "method_label": _counter_method_label(str(data.get("method", ""))),
            "receipt_number": str(data.get("receipt_number", "")), "at": e.at, "source": "counter",
            "when": str(data.get("when", "")), "reference": None, "document_url": None,
        })
    return out


def online_records(dossier) -> list[dict[str, Any]]:
    out = []
    paid = Payment.objects.filter(dossier_id=dossier.pk, state=State.PAID).select_related("receipt")
    for p in paid.order_by("paid_at", "id"):
        out.append({
            "amount_vnd": p.amount_vnd, "method": "online", "method_label": "Thanh toán trực tuyến",
            "receipt_number": receipt_number(p), "at": p.paid_at, "source": "online", "when": p.when,
            "reference": p.provider_txn_ref or p.merchant_ref, "merchant_ref": p.merchant_ref,
            "provider": p.provider, "document_url": document_url(p),
        })
    return out


def receipt_number(payment: Payment) -> str:
    doc = getattr(payment, "receipt", None)  # none yet: the reverse one-to-one raises AttributeError
    if doc is None or not doc.number:
        return ""
    return f"{doc.series} {doc.number_text}"


def refunds_of(dossier) -> list[Refund]:
    return list(Refund.objects.filter(dossier_id=dossier.pk).select_related("completed_by").order_by("created_at"))


def fees_of(dossier) -> dict[str, Any]:
    """{due, paid, refunds} with Python values (times aware, amounts in đồng)."""
    from motcua.catalog.fees import dossier_fee_amount
    from motcua.catalog.models import Fee

    from .services import fees_due

    still = {line.fee_id: line.due_vnd for line in fees_due(dossier, When.AT_RETURN).lines}
    due = []
    for fee in Fee.objects.filter(version_id=dossier.procedure_version_id).order_by("order", "id"):
        amount = dossier_fee_amount(fee, dossier)
        if amount <= 0:
            continue
        due.append({"fee_id": fee.pk, "name": fee.name, "amount_vnd": amount, "when": fee.collected,
                    "when_label": str(When(fee.collected).label) if fee.collected in When.values else "",
                    "due_vnd": still.get(fee.pk, 0)})
    paid = sorted(counter_records(dossier) + online_records(dossier),
                  key=lambda r: r["at"] or timezone.now())
    return {"due": due, "paid": paid, "refunds": refunds_of(dossier)}


def fees_json(dossier) -> dict[str, Any]:
    """`fees_of` as the API answers it."""
    view = fees_of(dossier)
    return {
        "due": [{"name": d["name"], "amount_vnd": d["amount_vnd"], "when": d["when"], "due_vnd": d["due_vnd"]}
                for d in view["due"]],
        "paid": [{"amount_vnd": p["amount_vnd"], "method": p["method"], "receipt_number": p["receipt_number"],
                  "at": iso(p["at"]), "source": p["source"], "reference": p["reference"],
                  "document_url": p["document_url"]} for p in view["paid"]],
        "refunds": [{"amount_vnd": r.amount_vnd, "state": r.state, "reason": r.reason, "method": r.method or None,
                     "reference": r.reference or None,
                     "refunded_on": r.refunded_on.isoformat() if r.refunded_on else None,
                     "created_at": iso(r.created_at)} for r in view["refunds"]],
    }
