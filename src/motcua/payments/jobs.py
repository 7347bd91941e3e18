"""Background jobs of the payments app (registered when the jobs app autodiscovers `jobs` modules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.jobs.runner import job


@job("payments.requery", every=dt.timedelta(minutes=5))
def requery(payload: dict[str, Any]) -> dict[str, int]:
    """Ask the gateway about payments still pending after a few minutes; expire the abandoned ones
    (webhooks get lost: open-forms #6191)."""
    from .services import requery_pending

    return requery_pending()


@job("payments.query")
def query_one(payload: dict[str, Any]) -> None:
    """Ask the gateway about one payment now (after the payer came back, from the admin)."""
    from .models import Payment
    from .services import refresh_payment

    payment = Payment.objects.filter(pk=payload.get("payment_id")).first()
    if payment is not None and payment.is_open:
        refresh_payment(payment)


@job("payments.fee_deadlines", every=dt.timedelta(minutes=30))
def fee_deadlines(payload: dict[str, Any]) -> dict[str, int]:
    """Level 4, fee due at submission: remind once before the agency's deadline, and at the
    deadline flag the dossier for the counter or refuse it, as the agency chose (awaiting.py)."""
    from .awaiting import run

    return run()
