"""Procedure search for the portal, the kiosk, the API and the counter: one implementation.

`search(query, filters)` answers the MATCHES (procedures whose name or colloquial names contain
the query, after normalising both: see `normalize` and `search_index`), best first, and apart from
them the SUGGESTIONS: the closest procedures when nothing matches, to show under "Không tìm thấy
thủ tục «…»". The matching runs in Python over an in-memory index of the published catalogue, so
SQLite and PostgreSQL give the same answers; the index is rebuilt when the catalogue's version
(`catalog_version.current_catalog_version`) changes.

An empty query lists every published procedure (filtered) by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from . import normalize, search_index
from .catalog_version import current_catalog_version
from .models import ColloquialName, ProcedureVersion, Synonym


@dataclass
class Filters:
    agency: str = ""  # unit code of the implementing or receiving agency
    sector: str = ""  # sector code
    level: int | None = None
    subject: str = ""  # "citizen" or "business"
    receiving_agency_ids: frozenset[int] | None = None  # the counter: procedures received here
    extra: dict = field(default_factory=dict)


def published_versions() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)


def rules() -> normalize.Rules:
    return normalize.Rules.from_pairs(Synonym.objects.values_list("phrase", "meaning"))


def _build() -> search_index.Index:
    rows = list(published_versions().values(
        "id", "name", "agency_id", "receiving_agency_id", "sector_id", "level", "for_citizens", "for_businesses",
        code=F("procedure__code"), sector_code=F("sector__code"),
    ))
    colloquial: dict[str, list[str]] = {}
    for code, name in ColloquialName.objects.values_list("procedure_code", "name"):
        colloquial.setdefault(code, []).append(name)
    return search_index.Index(rows, colloquial, rules())


def index() -> search_index.Index:
    """This process's index of the published catalogue, rebuilt when the catalogue changes."""
    return search_index.get_index(current_catalog_version(), _build)


def _allowed(idx: search_index.Index, filters: Filters) -> set[int] | None:
    if not (filters.agency or filters.sector or filters.level or filters.subject
            or filters.receiving_agency_ids is not None):
        return None
    agency_ids: set[int] | None = None
    if filters.agency:
        from motcua.agencies.models import Agency

        agency_ids = set(Agency.objects.filter(unit_code=filters.agency[:13]).values_list("id", flat=True))
    out = set()
    for d in idx.docs.values():
        if agency_ids is not None and d.agency_id not in agency_ids and d.receiving_agency_id not in agency_ids:
            continue
        if filters.sector and d.sector_code != filters.sector:
            continue
        if filters.level and d.level != filters.level:
            continue
        if filters.subject == "citizen" and not d.for_citizens:
            continue
        if filters.subject == "business" and not d.for_businesses:
            continue
        if filters.receiving_agency_ids is not None and d.receiving_agency_id not in filters.receiving_agency_ids:
            continue
        out.add(d.id)
    return out


def search(query: str | None, filters: Filters | None = None) -> SearchResults:
    """The published versions that match `query`, best first (all of them, by name, if the query
    is empty), with `suggestions` apart when nothing matches."""
    filters = filters or Filters()
    idx = index()
    allowed = _allowed(idx, filters)
    parsed = idx.parse(normalize.query_text(query))
    if parsed.vacuous:
        return SearchResults([], [], parsed)
    if parsed.empty:
        ids = [d.id for d in sorted(idx.docs.values(), key=lambda d: (d.sort_name, d.id))
               if allowed is None or d.id in allowed]
        return SearchResults(ids, [], parsed)
    matches, near = idx.match(parsed, allowed)
    if not matches and not parsed.corrections:
        matches = _typo_for_a_real_word(query or "", idx, allowed)
    return SearchResults(matches, [] if matches else near, parsed)


MAX_RETYPED = 8


def _typo_for_a_real_word(query: str, idx: search_index.Index, allowed) -> list[int]:
    """When nothing matches, one word of 5+ letters may be a typo that made another real word
    ("thong" for "thuong"): try its neighbours one at a time, and keep the first that matches."""
    text = normalize.query_text(query)
    tried = 0
    for word in dict.fromkeys(normalize.syllables(text)):
        for other in idx.neighbours(word):
            if tried >= MAX_RETYPED:
                return []
            tried += 1

            def correct(w: str, word=word, other=other) -> str:
                return other if w == word else idx.correct(w)

            matches, _near = idx.match(idx.parse(text, correct), allowed, suggest=False)
            if matches:
                return matches
    return []


class RankedResults:
    """A ranked list of procedure versions (ids) that works with Django's Paginator: a page loads
    its rows by primary key."""

    def __init__(self, ids: list[int]):
        self._ids = list(ids)
        self._related: tuple[str, ...] = ()
        self._prefetch: tuple[str, ...] = ()

    def select_related(self, *fields: str):
        self._related += fields
        return self

    def prefetch_related(self, *lookups: str):
        self._prefetch += lookups
        return self

    @property
    def ids(self) -> list[int]:
        return self._ids

    def count(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def _load(self, ids: list[int]) -> list[ProcedureVersion]:
        if not ids:
            return []
        qs = ProcedureVersion.objects.filter(id__in=ids, state=ProcedureVersion.State.PUBLISHED)
        if self._related:
            qs = qs.select_related(*self._related)
        if self._prefetch:
            qs = qs.prefetch_related(*self._prefetch)
        by_id = {v.id: v for v in qs}
        return [by_id[i] for i in ids if i in by_id]

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self._load(self._ids[key])
        return self._load([self._ids[key]])[0]

    def __iter__(self):
        return iter(self._load(self._ids))

    def first(self) -> ProcedureVersion | None:
        found = self._load(self._ids[:1])
        return found[0] if found else None


class SearchResults(RankedResults):
    """The matches (this list), and `suggestions`: the closest procedures when nothing matched."""

    def __init__(self, ids: list[int], suggestion_ids: list[int], query: normalize.Query):
        super().__init__(ids)
        self.suggestion_ids = list(suggestion_ids)
        self.query = query

    @property
    def matched(self) -> bool:
        return bool(self._ids)

    def suggestions(self) -> list[ProcedureVersion]:
        """The suggested versions, loaded with what this list was told to load."""
        return self._load(self.suggestion_ids)
