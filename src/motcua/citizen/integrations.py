"""The citizen pages' links to apps built in parallel: payments, signing, submissions.

Each function is the one place that knows how to ask the other app, imports it lazily and
answers something sensible when it is not installed yet (or exposes a different interface):
the page then shows the counter-based alternative instead of a broken link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from motcua.dossiers.models import Dossier, DossierFile, FileKind

logger = logging.getLogger(__name__)


def _installed(name: str) -> bool:
    return apps.is_installed(name)


def _reverse_first(names: tuple[str, ...], *args) -> str | None:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


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


def _payments():
    """The payments app's services module, or None when it is not installed."""
    if not _installed("motcua.payments"):
        return None
    try:
        from motcua.payments import services
    except ImportError:
        return None
    return services if hasattr(services, "fees_due") else None


def fees(dossier: Dossier) -> Fees:
    """The fees still to pay now: the payments app's `fees_due(dossier, default_when(dossier))`
    (online payments and counter collections counted, fees due at return only once the result is
    near), else the catalogue's fees minus what the counter collected."""
    payments = _payments()
    if payments is not None:
        try:
            due = payments.fees_due(dossier, payments.default_when(dossier))
            lines = [FeeLine(x.name, x.amount_vnd, x.paid_vnd, x.due_vnd, x.collected) for x in due.lines]
            return Fees(lines, due.total_vnd)
        except Exception:  # figures to show: fall back rather than break the page
            logger.exception("payments.fees_due failed for %s", dossier.code)
    left = dossier.fee_collected
    lines = []
    for fee in dossier.procedure_version.fees.all():
        if fee.amount_vnd <= 0:
            continue
        paid = min(left, fee.amount_vnd)
        left -= paid
        lines.append(FeeLine(fee.name, fee.amount_vnd, paid, fee.amount_vnd - paid, fee.collected))
    return Fees(lines, sum(line.due_vnd for line in lines))


def payment_link(dossier: Dossier, user, back: str = "") -> str | None:
    """Where `user` starts paying the dossier's fees online (the payments app's start page, coming
    back to `back`), or None when online payment is not offered (pay at the counter)."""
    payments = _payments()
    if payments is None:
        return None
    try:
        if hasattr(payments, "can_start") and not payments.can_start(user, dossier):
            return None
    except Exception:
        logger.exception("payments.can_start failed for %s", dossier.code)
        return None
    url = _reverse_first(("payments:start",), dossier.code)
    if url and back:
        url += "?" + urlencode({"next": back})
    return url


# --- signing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFile:
    file: DossierFile
    signed: bool  # the digitally signed copy made by the signing app


def result_files(dossier: Dossier) -> list[ResultFile]:
    """The dossier's result files to offer: each signed copy in place of its source, unsigned
    files as they are. Without the signing app, every result file, unsigned."""
    files = list(DossierFile.objects.filter(dossier=dossier, kind=FileKind.RESULT).order_by("uploaded_at", "id"))
    if not files or not _installed("motcua.signing"):
        return [ResultFile(f, False) for f in files]
    try:
        from motcua.signing.models import SignedResult
    except ImportError:
        return [ResultFile(f, False) for f in files]
    pairs = list(SignedResult.objects.filter(dossier=dossier).values_list("source_file_id", "signed_file_id"))
    sources = {source for source, _ in pairs}
    signed = {copy for _, copy in pairs}
    return [ResultFile(f, f.pk in signed) for f in files if f.pk not in sources]


def verify_url() -> str | None:
    """The public page where anyone checks a signed result (/xac-thuc/), when it exists."""
    if not _installed("motcua.signing"):
        return None
    return _reverse_first(("portal:verify", "signing:verify"))


# --- submissions ----------------------------------------------------------------------------------


def drafts_url() -> str | None:
    """The online submission wizard's list of the citizen's unfinished drafts, when it exists
    (the wizard itself starts from a procedure's page)."""
    if not _installed("motcua.submissions"):
        return None
    return _reverse_first(("submissions:drafts",))
