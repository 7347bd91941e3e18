"""Procedure search: with or without diacritics, any letter case, words in any order, ranked.

The same code runs on SQLite and PostgreSQL: we store folded, space-padded copies of the
name and the body text (`search_name`, `search_body`) and match word starts with LIKE
(`" word"`). Ranking is a sum of CASE expressions computed by the database, so ordering
and pagination happen there:

  exact phrase in the name (with the user's own diacritics)   +1000
  exact phrase in the name (folded)                           +500
  the name starts with the phrase                             +200
  every word in the name                                      +100
  each word in the name                                       +20
  phrase in the body text                                     +10
  each word as a whole word of the name                       +2
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from motcua.core.text import MAX_QUERY_CHARS, lower_words, query_words

from .models import ProcedureVersion


@dataclass
class Filters:
    agency: str = ""  # unit code of the implementing or receiving agency
    sector: str = ""  # sector code
    level: int | None = None
    subject: str = ""  # "citizen" or "business"
    extra: dict = field(default_factory=dict)


def published_versions() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)


def apply_filters(qs: QuerySet[ProcedureVersion], filters: Filters) -> QuerySet[ProcedureVersion]:
    if filters.agency:
        qs = qs.filter(
            Q(agency__unit_code=filters.agency) | Q(receiving_agency__unit_code=filters.agency)
        )
    if filters.sector:
        qs = qs.filter(sector__code=filters.sector)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.subject == "citizen":
        qs = qs.filter(for_citizens=True)
    elif filters.subject == "business":
        qs = qs.filter(for_businesses=True)
    return qs


def search(query: str | None, filters: Filters | None = None) -> RankedResults:
    """Published versions matching `query` (all words), best first; all of them if empty."""
    return RankedResults(ranked_queryset(query, filters))


class RankedResults:
    """A ranked result list that works with Django's Paginator.

    The matching and ranking query runs once and returns only ids; a page then loads its
    rows by primary key. A plain queryset would run the costly LIKE filter twice (COUNT, then
    the ranked page), which doubled the time of a search.
    """

    def __init__(self, queryset: QuerySet[ProcedureVersion]):
        self.queryset = queryset
        self._ids: list[int] | None = None
        self._related: tuple[str, ...] = ()
        self._prefetch: tuple[str, ...] = ()

    def select_related(self, *fields: str) -> RankedResults:
        self._related += fields
        return self

    def prefetch_related(self, *lookups: str) -> RankedResults:
        self._prefetch += lookups
        return self

    @property
    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = list(self.queryset.values_list("id", flat=True))
        return self._ids

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def _load(self, ids: list[int]) -> list[ProcedureVersion]:
        if not ids:
            return []
        qs = ProcedureVersion.objects.filter(id__in=ids)
        if self._related:
            qs = qs.select_related(*self._related)
        if self._prefetch:
            qs = qs.prefetch_related(*self._prefetch)
        by_id = {v.id: v for v in qs}
        return [by_id[i] for i in ids if i in by_id]

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self._load(self.ids[key])
        return self._load([self.ids[key]])[0]

    def __iter__(self):
        return iter(self._load(self.ids))

    def first(self) -> ProcedureVersion | None:
        return self[0] if self.ids else None


def ranked_queryset(query: str | None, filters: Filters | None = None) -> QuerySet[ProcedureVersion]:
    """The ranking as one queryset (for callers that need SQL, e.g. a subquery)."""
    qs = apply_filters(published_versions(), filters or Filters())
    words = query_words(query)
    if not words:
        return qs.order_by("search_name", "id")

    for word in words:
        # Every word must start a word of the body (which includes the name).
        qs = qs.filter(search_body__contains=f" {word}")

    phrase = " ".join(words)
    accented = lower_words((query or "")[:MAX_QUERY_CHARS])
    int_field = IntegerField()

    def bonus(condition: Q, points: int) -> Case:
        return Case(When(condition, then=Value(points)), default=Value(0), output_field=int_field)

    score = bonus(Q(search_name__contains=f" {phrase} "), 500)
    score += bonus(Q(search_name__startswith=f" {phrase}"), 200)
    score += bonus(
        Q(*[Q(search_name__contains=f" {w}") for w in words]), 100
    )
    score += bonus(Q(search_body__contains=f" {phrase}"), 10)
    if accented and accented != phrase:
        score += bonus(Q(search_name_accented__contains=f" {accented} "), 1000)
    for word in words:
        score += bonus(Q(search_name__contains=f" {word}"), 20)
        score += bonus(Q(search_name__contains=f" {word} "), 2)
    # Among equals, a shorter name is the more specific procedure.
    return qs.annotate(rank=score, name_length=Length("search_name")).order_by(
        "-rank", "name_length", "id"
    )
