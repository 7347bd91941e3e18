"""Figures of the satisfaction group (QĐ 766 group 5) that come from this app, for `reports`.

5.4 Satisfaction with TTHC handling = 100% − (overdue rate + share of dossiers with a PAKN or a
"Không hài lòng" rating). `satisfaction_counts` gives the counts behind the second term for any
set of dossiers (the reports app chooses the period and agency); `feedback_counts` the PAKN by
category (5.1) and how many were answered and published.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from motcua.dossiers.models import Dossier

from .models import Feedback, Rating


@dataclass(frozen=True)
class SatisfactionCounts:
    dossiers: int
    rated: int
    unsatisfied: int  # rated "Không hài lòng" on criterion 8 or 9
    with_feedback: int  # a PAKN names the dossier
    unsatisfied_or_feedback: int  # the numerator of the 5.4 deduction (each dossier once)

    @property
    def deduction_percent(self) -> float:
        return round(100 * self.unsatisfied_or_feedback / self.dossiers, 2) if self.dossiers else 0.0


def satisfaction_counts(dossiers: QuerySet[Dossier]) -> SatisfactionCounts:
    """One aggregate query over the given dossiers."""
    rated = Rating.objects.filter(dossier=OuterRef("pk"))
    unhappy = rated.filter(unsatisfied=True)
    complained = Feedback.objects.filter(dossier=OuterRef("pk"))
    row = dossiers.annotate(
        _rated=Exists(rated), _unhappy=Exists(unhappy), _pakn=Exists(complained)
    ).aggregate(
        n=Count("pk"),
        rated=Count("pk", filter=Q(_rated=True)),
        unhappy=Count("pk", filter=Q(_unhappy=True)),
        pakn=Count("pk", filter=Q(_pakn=True)),
        either=Count("pk", filter=Q(_unhappy=True) | Q(_pakn=True)),
    )
    return SatisfactionCounts(row["n"], row["rated"], row["unhappy"], row["pakn"], row["either"])


def feedback_counts(feedback: QuerySet[Feedback] | None = None) -> dict[str, dict[str, int]]:
    """{category: {"received": n, "answered": n, "published": n}} (5.1)."""
    qs = Feedback.objects.all() if feedback is None else feedback
    rows = qs.values("category").annotate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        published=Count("pk", filter=Q(published_at__isnull=False)),
    )
    return {r["category"]: {"received": r["received"], "answered": r["answered"], "published": r["published"]}
            for r in rows}
