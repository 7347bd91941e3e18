"""The numbers of the official forms (TT 03/2025/TT-VPCP): each numbered form has its own series
per issuing agency and year, and the ledger (form 07, one book per year) its order.

| form | symbol | issued when | stored on |
|---|---|---|---|
| 01 | TNHS | reception | `Dossier.reception_number` |
| 07 | (ledger order) | reception | `Dossier.ledger_number` |
| 02 | HDHS | supplement request | `FormNumber` of the event |
| 03 | TCHS | refusal | `FormNumber` of the event |
| 04 | (agency's) | extension | `FormNumber` of the event |
| 05 | (agency's) | stop | `FormNumber` of the event |
| BL | (agency's e-receipt series) | online payment recorded | `payments.ReceiptDocument` |

A number is taken once, in the transaction of the action that issues the paper, from a
`FormSeries` row locked with SELECT ... FOR UPDATE (SQLite: the whole IMMEDIATE transaction holds
the write lock), like the dossier codes' sequence; a rolled-back action gives its number back.
The year is that of the action's own time: a back-dated entry takes the next free number of its
year and keeps its date. Printing reads the stored number and never computes one.
"""

from __future__ import annotations

import datetime as dt

from .codes import local_day

RECEIPT = "01"
SUPPLEMENT = "02"
REFUSAL = "03"
EXTENSION = "04"
STOP = "05"
LEDGER = "07"
E_RECEIPT = "BL"  # the electronic fee receipts (biên lai điện tử) of online payments
SERIES = (RECEIPT, SUPPLEMENT, REFUSAL, EXTENSION, STOP, LEDGER, E_RECEIPT)


def lock(agency, form: str, at: dt.datetime):
    """The FormSeries row of `form` for `agency` in the local year of `at`, locked until the end of
    the caller's transaction (issuing of that book is serialised). Call inside transaction.atomic()."""
    from .models import FormSeries

    if form not in SERIES:
        raise ValueError(f"no series for form {form!r}")
    year = local_day(at).year
    # The row may not exist yet: create it without failing when another transaction does first.
    FormSeries.objects.bulk_create([FormSeries(agency=agency, form=form, year=year, last=0)], ignore_conflicts=True)
    return FormSeries.objects.select_for_update().get(agency=agency, form=form, year=year)


def allocate(agency, form: str, at: dt.datetime) -> int:
    """The next number of `form` for `agency` in the local year of `at`. Call inside
    transaction.atomic()."""
    row = lock(agency, form, at)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


# The event kinds that hand out a numbered paper, and which agency issues it: the receiving office
# refuses (03); the agency holding the dossier asks for a supplement (02), apologises and extends
# (04, the agency responsible for the late step) or stops (05).
ISSUED_BY_EVENT = {
    "supplement_requested": (SUPPLEMENT, "handling"),
    "refused": (REFUSAL, "receiving"),
    "extended": (EXTENSION, "handling"),
    "stopped": (STOP, "handling"),
}


def issue_for(event, dossier, at: dt.datetime):
    """Number the paper `event` hands out, if any (inside the action's transaction)."""
    from .models import FormNumber

    issued = ISSUED_BY_EVENT.get(event.kind)
    if issued is None:
        return None
    form, who = issued
    agency = dossier.agency if who == "receiving" else (event.from_agency or dossier.handling_agency)
    number = allocate(agency, form, at)
    return FormNumber.objects.create(event=event, agency=agency, form=form, year=local_day(at).year, number=number)


def issued_number(event) -> int | None:
    """The number stored for the paper of `event` (None for papers issued before numbers were kept)."""
    from .models import FormNumber

    row = FormNumber.objects.filter(event=event).values_list("number", flat=True).first()
    return row
