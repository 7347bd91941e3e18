"""What the citizen pages need from payments, signing and submissions, each asked in one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from motcua.dossiers.models import Dossier, DossierFile, FileKind
from motcua.payments import awaiting
from motcua.payments import services as payments
from motcua.signing.models import SignedResult

# --- payments -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeLine:
    name: str
    amount_vnd: int
    paid_vnd: int
    due_vnd: int
    collected: str  # "at_reception" | "at_return"


@dataclass(frozen=True)
class Fees:
    lines: list[FeeLine]
    due_vnd: int


def fees(dossier: Dossier) -> Fees:
    """The fees still to pay now: the payments app's `fees_due(dossier, default_when(dossier))`
    (online payments and counter collections counted, fees due at return only once the result is
    near)."""
    due = payments.fees_due(dossier, payments.default_when(dossier))
    lines = [FeeLine(x.name, x.amount_vnd, x.paid_vnd, x.due_vnd, x.collected) for x in due.lines]
    return Fees(lines, due.total_vnd)


def fee_state(dossier: Dossier):
    """The "chờ nộp phí" / "quá hạn nộp phí" / "đã nộp phí" sub-state of a level-4 online dossier at
    status 1 (with its deadline), or None (payments.awaiting)."""
    return awaiting.shown(dossier)


def fee_states(dossiers) -> dict:
    """`fee_state` of each dossier of a list page (by id, only those with one), in two queries."""
    return awaiting.shown_many(dossiers)


def paid_and_refunds(dossier: Dossier) -> dict:
    """What the dossier paid (online: amount, time, gateway reference, the receipt or confirmation
    PDF; at the counter: amount, method, receipt number) and its refunds (#17)."""
    from motcua.payments.ledger import fees_of

    if not dossier.fee_collected and not dossier.payments.filter(state="paid").exists():
        return {"paid": [], "refunds": []}
    view = fees_of(dossier)
    return {"paid": view["paid"], "refunds": view["refunds"]}


def payment_link(dossier: Dossier, user, back: str = "") -> str | None:
    """Where `user` starts paying the dossier's fees online (the payments app's start page, coming
    back to `back`), or None when online payment is not offered (pay at the counter)."""
    if not payments.can_start(user, dossier):
        return None
    url = reverse("payments:start", args=(dossier.code,))
    if back:
        url += "?" + urlencode({"next": back})
    return url


# --- signing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFile:
    file: DossierFile
    signed: bool  # the digitally signed copy made by the signing app


def result_files(dossier: Dossier) -> list[ResultFile]:
    """The dossier's result files to offer: each signed copy in place of its source, unsigned
    files as they are."""
    files = list(DossierFile.objects.filter(dossier=dossier, kind=FileKind.RESULT).order_by("uploaded_at", "id"))
    if not files:
        return []
    pairs = list(SignedResult.objects.filter(dossier=dossier).values_list("source_file_id", "signed_file_id"))
    sources = {source for source, _ in pairs}
    signed = {copy for _, copy in pairs}
    return [ResultFile(f, f.pk in signed) for f in files if f.pk not in sources]


def verify_url() -> str:
    """The public page where anyone checks a signed result (/xac-thuc/)."""
    return reverse("portal:verify")


# --- submissions ----------------------------------------------------------------------------------


def drafts_url() -> str:
    """The online submission wizard's list of the citizen's unfinished drafts (the wizard itself
    starts from a procedure's page)."""
    return reverse("submissions:drafts")
