"""What the counter sees about a dossier's fees (issue #17): the amount due by the rule (not the
base amount), what was already paid online or at the counter, and the refunds. Reads only; the
fee is recorded by `dossiers.actions.record_fee` (through `receive_at_counter`, `receive_with_fee`
or `return_with_fee`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.catalog.fees import dossier_fee_amount
from motcua.dossiers.models import Channel, Dossier
from motcua.payments import ledger
from motcua.payments.services import fees_due


@dataclass
class FeeView:
    when: str
    lines: list[dict[str, Any]] = field(default_factory=list)  # {name, amount_vnd, due_vnd, when_label}
    due_vnd: int = 0  # what to collect now
    online: list[dict[str, Any]] = field(default_factory=list)  # paid online: amount, reference, at
    counter: list[dict[str, Any]] = field(default_factory=list)  # recorded at the counter
    refunds: list = field(default_factory=list)

    @property
    def free(self) -> bool:
        return not self.lines


def counter_fee_view(dossier: Dossier, when: str = "at_reception", fees: list | None = None) -> FeeView:
    """For an existing dossier: the fees due `when` after what was paid (`fees`: the version's
    fees when the page has read them already)."""
    due = fees_due(dossier, when, fees)
    view = FeeView(when=when, due_vnd=due.total_vnd)
    view.lines = [{"name": line.name, "amount_vnd": line.amount_vnd, "due_vnd": line.due_vnd,
                   "collected": line.collected} for line in due.lines]
    if not dossier.fee_collected and not due.lines:
        return view  # nothing to pay, nothing paid (a free procedure): no more queries
    view.online = ledger.online_records(dossier)
    if dossier.fee_collected:  # counter records and refunds exist only once something was paid
        view.counter = ledger.counter_records(dossier)
        view.refunds = ledger.refunds_of(dossier)
    return view


def new_dossier_fee_view(version, channel: int = Channel.COUNTER, inputs: dict | None = None,
                         fees: list | None = None) -> FeeView:
    """For a dossier not created yet (the counter form): the fees due at reception by their rule,
    for the declared fee `inputs` (cleaned by `catalog.fees.clean_inputs`; none: one copy, full
    amount). `fees`: the version's fees when the page has read them already."""
    probe = Dossier(procedure_version=version, channel=channel, form_data={}, fee_inputs=inputs or {})
    view = FeeView(when="at_reception")
    for fee in (version.fees.order_by("order", "id") if fees is None else fees):
        amount = dossier_fee_amount(fee, probe)
        if amount <= 0:
            continue
        due = amount if fee.collected == "at_reception" else 0
        view.lines.append({"name": fee.name, "amount_vnd": amount, "due_vnd": due, "collected": fee.collected})
        view.due_vnd += due
    return view
