"""The in-memory search index of the published catalogue (one per process), and the matching rule.

A few thousand procedures fit in memory; matching them in Python gives the same answers on SQLite
and PostgreSQL, and typo tolerance needs no database extension. The index is rebuilt when
`current_catalog_version()` changes (one cheap query per search).

Matching (issue #18, "precision"): folded syllables collide ("tu" is in "tư pháp", "khai tử" and
"tư nhân"), so words alone cannot decide. A procedure MATCHES a query when, for one reading of the
query (`normalize.parse_query`), every segment occurs in the procedure's name or one of its
colloquial names: every adjacent syllable pair of the segment is an adjacent pair there (a
one-syllable segment: the syllable is a word there). A word of the query that is not in the
index vocabulary may be read as a vocabulary word of 5+ letters at edit distance 1 (a typo).
Procedures that share words with the query but do not match are only suggestions.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from . import normalize
from .normalize import Query, Rules

SUGGESTIONS = 5
# A typo: the word typed or the vocabulary word it is read as has 5+ letters, neither fewer than 4.
MIN_TYPO_WORD = 4
MIN_TYPO_LONG = 5
LONG_SEGMENT = 7
MIN_PART = 3
_PARENTHESES = re.compile(r"\([^)]*\)")


@dataclass
class Doc:
    id: int
    code: str
    name_words: list[str]  # the name, normalised, without a leading "thu tuc"
    sort_name: str
    agency_id: int
    receiving_agency_id: int
    sector_id: int
    sector_code: str
    level: int
    for_citizens: bool
    for_businesses: bool
    words: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    name_pairs: set[tuple[str, str]] = field(default_factory=set)
    whole: set[str] = field(default_factory=set)  # the name and colloquial names, whole, normalised
    colloquial: set[str] = field(default_factory=set)
    markers: set[str] = field(default_factory=set)
    ages: tuple[int, int] | None = None  # "dưới 14 tuổi": (0, 13)


def _strip(words: list[str]) -> list[str]:
    while words[:2] == ["thu", "tuc"]:
        words = words[2:]
    while words and words[0] in normalize.LEADING_FILLERS:
        words = words[1:]
    return words


def strip_name(words: list[str]) -> list[str]:
    """A name's words as the index keeps them (without a leading "thủ tục" or filler verb)."""
    return _strip(words)


def _markers(words: list[str]) -> set[str]:
    text = f" {' '.join(words)} "
    return {m for m in normalize.VARIANT_MARKERS if f" {m} " in text}


class Index:
    def __init__(self, rows: list[dict], colloquial: dict[str, list[str]], rules: Rules):
        self.rules = rules
        self.docs: dict[int, Doc] = {}
        self.by_word: dict[str, set[int]] = defaultdict(set)
        self.by_pair: dict[tuple[str, str], set[int]] = defaultdict(set)
        for row in rows:
            name_words = _strip(normalize.syllables(row["name"]))
            # The length that ranks: without the remarks in parentheses ("(thực hiện tại cấp tỉnh)").
            plain_name = _strip(normalize.syllables(_PARENTHESES.sub(" ", row["name"])))
            doc = Doc(
                id=row["id"], code=row["code"], name_words=plain_name or name_words, sort_name=" ".join(name_words),
                agency_id=row["agency_id"], receiving_agency_id=row["receiving_agency_id"],
                sector_id=row["sector_id"], sector_code=row["sector_code"], level=row["level"],
                for_citizens=row["for_citizens"],
                for_businesses=row["for_businesses"], markers=_markers(normalize.drop_optional(name_words)),
                ages=normalize.age_range(row["name"]),
            )
            doc.whole.add(" ".join(plain_name))
            for reading in normalize.index_readings(row["name"], rules):
                self._add(doc, _strip(reading), name=True)
            for text in colloquial.get(row["code"], []):
                for reading in normalize.index_readings(text, rules, official=False):
                    stripped = _strip(reading)
                    self._add(doc, stripped, name=False)
                    doc.colloquial.add(" ".join(stripped))
            self.docs[doc.id] = doc
        # Typo targets: the catalogue's words, and the words of synonyms and stop phrases.
        self.frequency = {w: len(ids) for w, ids in self.by_word.items()}
        vocabulary = set(self.by_word) | rules.vocabulary | {w for p in normalize.STOP_PHRASES for w in p.split()}
        self.vocabulary = vocabulary
        self.deleted: dict[str, set[str]] = defaultdict(set)  # one-letter deletions -> vocabulary words
        for word in vocabulary:
            if len(word) >= MIN_TYPO_WORD and word.isalpha():
                self.deleted[word].add(word)
                for d in normalize.deletions(word):
                    self.deleted[d].add(word)

    def _add(self, doc: Doc, words: list[str], *, name: bool) -> None:
        p = normalize.pairs(words)
        doc.words.update(words)
        doc.pairs |= p
        if name:
            doc.name_pairs |= p
        for w in words:
            self.by_word[w].add(doc.id)
        for pair in p:
            self.by_pair[pair].add(doc.id)

    # --- reading the query ---------------------------------------------------------------------

    def word_count(self, word: str) -> int:
        """In how many procedures the word is (name or colloquial names)."""
        return len(self.by_word.get(word, ()))

    def pair_count(self, a: str, b: str) -> int:
        return len(self.by_pair.get((a, b), ()))

    def parse(self, text: str, correct=None) -> Query:
        """The query as this index reads it (`normalize.parse_query` with its synonyms and words)."""
        return normalize.parse_query(text, self.rules, correct or self.correct, self)

    def correct(self, word: str) -> str:
        """The word, or the vocabulary word it is one typo away from when one of them has 5+
        letters (the most frequent in the catalogue when there are several)."""
        if word in self.vocabulary or len(word) < MIN_TYPO_WORD or not word.isalpha():
            return word
        found: set[str] = set()
        for probe in {word} | normalize.deletions(word):
            for candidate in self.deleted.get(probe, ()):
                long_enough = max(len(word), len(candidate)) >= MIN_TYPO_LONG
                if long_enough and normalize.osa_distance_at_most_one(word, candidate):
                    found.add(candidate)
        if not found:
            return word
        return min(found, key=lambda c: (-self.frequency.get(c, 0), c))

    def neighbours(self, word: str, limit: int = 3) -> list[str]:
        """Other vocabulary words one typo away from a word that is itself in the vocabulary
        ("thong" typed for "thuong"), the most frequent first."""
        if len(word) < MIN_TYPO_LONG or not word.isalpha():
            return []
        found = {c for probe in {word} | normalize.deletions(word) for c in self.deleted.get(probe, ())
                 if c != word and c in self.by_word and normalize.osa_distance_at_most_one(word, c)}
        return sorted(found, key=lambda c: (-self.frequency.get(c, 0), c))[:limit]

    def _strict(self, segment: tuple[str, ...]) -> set[int]:
        """The documents where the segment occurs: its word, or each of its adjacent pairs."""
        if len(segment) == 1:
            return set(self.by_word.get(segment[0], ()))
        found: set[int] | None = None
        for pair in normalize.pairs(segment):
            docs = self.by_pair.get(pair, set())
            found = set(docs) if found is None else found & docs
            if not found:
                return set()
        return found or set()

    def segment_docs(self, segment: tuple[str, ...]) -> set[int]:
        """`_strict`, and for a long segment (7+ syllables) also the documents where it occurs as
        two phrases of 3+ syllables each (one break: "tạm ngừng kinh doanh | hộ kinh doanh")."""
        found = self._strict(segment)
        if len(segment) >= LONG_SEGMENT:
            for cut in range(MIN_PART, len(segment) - MIN_PART + 1):
                left = self._strict(segment[:cut])
                if left:
                    found |= left & self._strict(segment[cut:])
        return found

    def match(self, query: Query, allowed: set[int] | None, *, suggest: bool = True) -> tuple[list[int], list[int]]:
        """(matches best first, suggestions best first) among the allowed documents."""
        scores: dict[int, float] = {}
        near: dict[int, float] = defaultdict(float)
        query_words = set(query.words)
        # Relaxed readings (without the opening verb, the tail, a lone last word) count only when
        # the stricter ones match nothing.
        asked = " | ".join(" ".join(seg) for reading in query.readings for seg in reading)

        def tier_of(number: int) -> int:
            return query.penalty(number) // normalize.RELAXED_PENALTY

        for tier in sorted({tier_of(n) for n in range(len(query.readings))}):
            if scores:
                break
            for number, reading in enumerate(query.readings):
                if tier_of(number) != tier:
                    continue
                matched: set[int] | None = None
                for seg in reading:
                    docs = self.segment_docs(seg)
                    matched = set(docs) if matched is None else matched & docs
                    if not matched:
                        break
                for d in matched or ():
                    if allowed is not None and d not in allowed:
                        continue
                    penalty = query.penalty(number)
                    score = self._score(self.docs[d], reading, exact=not penalty, asked=asked, age=query.age)
                    score -= 3 * query.corrections + penalty
                    scores[d] = max(scores.get(d, score), score)
        if suggest and not scores:  # suggestions: how much of the query a procedure shares (strict readings)
            for number, reading in enumerate(query.readings):
                if tier_of(number):
                    continue
                for seg in reading:
                    for d in self.segment_docs(seg):
                        near[d] += 2 * len(seg)
                    for pair in normalize.pairs(seg):
                        for d in self.by_pair.get(pair, ()):
                            near[d] += 1
                    for w in seg:
                        for d in self.by_word.get(w, ()):
                            near[d] += 0.5
        # Among equals, the name with fewer words the query does not have is the closer one.
        def extra_words(d: int) -> int:
            return sum(1 for w in self.docs[d].name_words if w not in query_words)

        order = sorted(scores, key=lambda d: (-scores[d], extra_words(d), self.docs[d].code, d))
        rest = [d for d in near if d not in scores and (allowed is None or d in allowed)]
        rest.sort(key=lambda d: (-near[d], len(self.docs[d].name_words), self.docs[d].code, d))
        return order, rest[:SUGGESTIONS]

    def _score(self, doc: Doc, reading, exact: bool, asked: str = "", age: int | None = None) -> float:
        """Higher is closer. `exact`: the reading is the whole query (not a relaxed reading), so
        being a whole colloquial name or the whole official name counts."""
        whole = " ".join(" ".join(seg) for seg in reading)
        score = 0.0
        # The whole official name ranks above a whole colloquial name (a colloquial name never takes
        # another procedure's own name).
        if exact and whole in doc.colloquial:
            score += 60
        if exact and whole in doc.whole:
            score += 100
        # A special variant ("cấp lại", "lưu động") the query does not ask for ranks lower (asked
        # for anywhere in the query, also in a part a relaxed reading leaves out).
        qtext = f" {whole} | {asked} "
        score -= 10 * sum(1 for m in doc.markers if f" {m} " not in qtext)
        # The name starts with what was typed ("chứng thực giao dịch …").
        if exact and reading and doc.sort_name.startswith(" ".join(reading[0])):
            score += 5
        # An age in the query ("cho con 10 tuổi") ranks the procedure for that age first.
        if age is not None and doc.ages is not None:
            score += 50 if doc.ages[0] <= age <= doc.ages[1] else -50  # above a whole colloquial name
        # Segments found in the official name weigh more than in a colloquial name only.
        for seg in reading:
            if len(seg) > 1 and all(p in doc.name_pairs for p in normalize.pairs(seg)):
                score += 4
        return score


# --- the per-process cache ------------------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[object, Index] | None = None


def get_index(version_key: object, build) -> Index:
    """The index for this catalogue version, built once per process (None: never cached)."""
    global _cached
    cached = _cached
    if version_key is not None and cached is not None and cached[0] == version_key:
        return cached[1]
    with _lock:
        cached = _cached
        if version_key is not None and cached is not None and cached[0] == version_key:
            return cached[1]
        index = build()
        if version_key is not None:
            _cached = (version_key, index)
        return index
