"""How search reads text: the same normalisation for the query and for the catalogue (issue #18).

Pure functions, no database. Steps, in order:

1. `core.text.fold`: lower case, no diacritics, đ -> d, punctuation to spaces.
2. i/y variants: a syllable ending in consonant + "y" is written with "i" (lý/lí, ký/kí, kỹ/kĩ,
   mỹ/mĩ, quy/qui), so "dang ki" and "đăng ký" are the same syllables. "y" alone (ý), "uy"
   (thủy, tùy) and "ay" keep their "y".
3. Numbers 1..10 as words ("tnhh 1 thanh vien" = "một thành viên").
4. (query only) chat spelling: j = gì, ko/k = không, z = vậy, bn = bao nhiêu, dc = được…
5. (query only) stop PHRASES: words that say what the person wants to know about the procedure
   ("cần giấy tờ gì", "mất bao lâu", "online được không", "thủ tục", "cho con") but not which
   procedure. Removing them splits the query into segments: "đăng ký khai sinh cho con mất bao
   lâu" -> ["dang ki khai sinh"]. Single syllables are never stop words, except a few filler
   verbs at the very start ("làm", "xin") before 2+ syllables ("lâm sản" keeps its "lam"),
   because a single syllable would break "giấy khai sinh bị mất" or "nhận con nuôi".
   Before that, the question TAIL is read off the end ("… cần những giấy gì vậy", "… dc bn
   tiền", "… mất phí không ạ": `strip_question_tail`), and with the index at hand a CONNECTOR
   between two parts ("mất hộ chiếu phải trình báo") ends a segment unless it forms a phrase of
   the catalogue with a neighbour ("căn cước", folded "can cuoc", keeps its "can").
6. Synonyms and abbreviations (data edited by admins, `catalog.models.Synonym`): a phrase people
   type is replaced by what the catalogue calls it, as a segment of its own ("làm sổ đỏ" ->
   ["giay chung nhan quyen su dung dat"]). The catalogue side gets the same replacement as an
   extra reading, so a name that writes "TNHH" is also read "trach nhiem huu han".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from motcua.core.text import MAX_QUERY_CHARS, fold

MAX_SYNONYM_WORDS = 8
MAX_QUERY_SYLLABLES = 24

_ONSETS = ("b", "c", "ch", "d", "g", "gh", "h", "k", "kh", "l", "m", "n", "nh", "ng", "ngh", "p", "ph",
           "qu", "r", "s", "t", "th", "tr", "v", "x")
_IY = re.compile("^(?:{})y$".format("|".join(sorted(_ONSETS, key=len, reverse=True))))
_NUMBERS = {"1": "mot", "2": "hai", "3": "ba", "4": "bon", "5": "nam", "6": "sau", "7": "bay", "8": "tam",
            "9": "chin", "10": "muoi"}
_NUMBERS.update({f"0{n}": word for n, word in _NUMBERS.items() if len(n) == 1})

# Chat spelling (query side). An empty value drops the particle (z = vậy ends a question; "vay"
# itself must stay, it is the "vay" of "vay vốn").
CHAT_SPELLING: dict[str, str] = {
    "j": "gi", "ji": "gi", "gj": "gi",
    "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "khg": "khong", "kg": "khong",
    "z": "", "zay": "", "v": "",
    "bn": "bao nhieu", "bnh": "bao nhieu",
    "dc": "duoc", "dk": "dang ki", "đk": "dang ki",
    "ntn": "nhu the nao", "sdt": "so dien thoai", "mk": "minh", "ng": "nguoi", "nc": "nuoc",
    "r": "roi", "lm": "lam", "ms": "moi", "vs": "voi", "cx": "cung", "trc": "truoc",
    "tt": "thu tuc", "tthc": "thu tuc hanh chinh", "hk": "khong", "passport": "ho chieu", "oto": "o to",
    "ct07": "xac nhan cu tru", "ak": "a", "ah": "a", "nx": "nua",
}

# Stop phrases (query side), in folded i/y form. Multi-syllable only, so removing one never breaks
# a procedure's own words.
STOP_PHRASES: tuple[str, ...] = (
    "thu tuc", "cac thu tuc", "ho so",
    "can giay to gi", "can nhung giay to gi", "can giay to nhung gi", "can nhung gi", "giay to gi",
    "can gi", "can chuan bi gi", "gom nhung gi", "nhu the nao", "lam the nao", "the nao", "lam sao",
    "mat bao lau", "bao lau", "mat bao nhieu ngay", "bao nhieu ngay", "mat bao nhieu tien", "bao nhieu tien",
    "het bao nhieu", "mat bao nhieu", "het bao nhieu tien", "ton bao nhieu", "ton bao nhieu tien", "bao nhieu",
    "le phi bao nhieu", "phi bao nhieu",
    "online duoc khong", "truc tuyen duoc khong", "tren mang duoc khong", "duoc khong", "co duoc khong",
    "online", "truc tuyen", "qua mang",
    "o dau", "lam o dau", "nop o dau", "nop ho so o dau", "di dau",
    "cho con", "cho be", "cho em be", "cho tre", "cho tre em", "cho me", "cho bo", "cho cha", "cho ba",
    "cho vo", "cho chong", "cho ong", "cho nguoi nha", "cho gia dinh",
    "toi muon", "em muon", "minh muon", "muon hoi", "cho hoi", "xin hoi", "giup voi", "huong dan",
    "quy trinh", "cach lam", "cach nao", "can lam gi", "khong can",
    "bao nhieu lau", "bao lau thi co", "bao lau thi", "bao gio co", "khi nao co",
    "thu tuc hanh chinh", "dich vu cong", "mau to khai", "mau don", "tai nha", "qua buu dien", "tren dien thoai",
    "tren vneid", "lam nhanh", "nhanh nhat", "lam gi", "cua con", "cua be", "cua toi", "cua minh", "cho toi",
    "cho minh", "khi nao", "bao gio", "o dau vay",
    "lam mat bao lau", "lam bao lau", "mat bao lau vay", "bao lau vay", "the nao vay", "lam sao vay", "can gi vay",
    "de duoc", "lam the nao de", "can lam gi de", "phai lam gi", "phai lam sao", "thi phai lam gi",
    "o dau vay", "lam o dau vay", "can xin phep khong",
    "co can xin phep khong",
    "co phai xin phep khong", "can khong", "co can khong", "phai khong", "co can", "nhanh khong",
)
# Places said at the end of a query ("làm di chúc ở xã"); only there, since "ở xã" is also in
# "nhà ở xã hội".
TRAILING_STOPS: tuple[str, ...] = (
    "o xa", "o phuong", "tai xa", "tai phuong", "o huyen", "o tinh", "o uy ban", "tai dau", "o thi tran",
)
# Filler verbs dropped only when they open the query or a part of it ("làm giấy khai sinh", "đẻ
# con xong | làm giấy khai sinh"), before 2+ syllables.
LEADING_FILLERS: tuple[str, ...] = ("lam", "xin", "muon")

# Question tails (query side), a small grammar read from the END of the query:
#   … [connector] [object] QUESTION [particle…]   ("… cần những giấy gì vậy", "… mất phí không ạ",
#   "… được bao nhiêu tiền", "… làm ở đâu nhé").
# A word is taken off only while the pair it forms with the word before it is not a phrase of the
# catalogue ("bản sao" keeps its "sao", "giấy khai sinh bị mất không" keeps its "mất": a connector
# goes only with an object or an amount question after it).
TAIL_PARTICLES: tuple[str, ...] = ("a", "nhe", "nha", "ha", "vay", "nhi", "day", "oi", "the", "chu", "nua")
TAIL_QUESTIONS: tuple[str, ...] = (
    "gi", "nhung gi", "khong", "chua", "sao", "ra sao", "lam sao", "nao", "the nao", "nhu nao", "nhu the nao",
    "lam the nao", "o dau", "dau", "khi nao", "bao gio", "bao lau", "bao nhieu", "bao nhieu tien", "bao nhieu ngay",
    "bao nhieu lau", "duoc khong", "co duoc khong", "mat phi khong", "co mat phi khong", "co mat tien khong",
    "phai khong", "co phai khong", "co khong", "khong vay",
)
# How, not which: said at the end ("… miễn phí", "… cho nhanh", "… số 2" for a form number).
TAIL_QUALIFIERS: tuple[str, ...] = ("mien phi", "cho nhanh", "nhanh", "gap", "nhanh nhat", "som")
AMOUNT_QUESTIONS = frozenset({("bao", "lau"), ("bao", "nhieu"), ("bao", "nhieu", "tien"), ("bao", "nhieu", "ngay"),
                              ("bao", "nhieu", "lau")})
TAIL_OBJECTS: tuple[str, ...] = ("giay to", "giay", "tien", "phi", "le phi", "ngay", "thoi gian", "ho so", "nhung",
                                 "cac", "nhung giay", "nhung giay to")
TAIL_CONNECTORS: tuple[str, ...] = ("can", "can phai", "mat", "het", "ton", "phai", "co", "duoc", "la", "thi",
                                    "lam", "nop", "di", "nhu", "co mat", "thi duoc")
# … of which these also go straight before a question ("cần gì", "làm ở đâu"); "mất" does not
# ("giấy khai sinh bị mất không").
QUESTION_CONNECTORS: tuple[str, ...] = ("can", "can phai", "phai", "lam", "nop", "di", "thi")

# Words that join two parts of a sentence ("mất hộ chiếu PHẢI trình báo", "tạm trú THÌ cần…"): in
# the middle of a query they end a segment and are dropped, unless they form a phrase of the
# catalogue with a neighbour ("căn cước" is folded "can cuoc", "thi bằng lái" is a phrase).
CONNECTORS: tuple[str, ...] = ("phai", "thi", "duoc", "can", "muon", "co the", "vao", "o", "cua", "ma", "roi", "xong",
                               "nen", "se", "da", "dang", "bi", "va", "hay", "hoac", "voi", "co")

# Words a relaxed reading may leave out (persons, places, verbs that do not name a procedure):
# any other word left out must be common in the catalogue, never a distinctive one.
GENERIC_WORDS = frozenset({
    "lam", "xin", "cap", "muon", "can", "nop", "di", "den", "ra", "vao", "dang", "ki",
    "toi", "em", "minh", "anh", "chi", "con", "be", "me", "bo", "cha", "vo", "chong", "ong", "ba", "nguoi", "nha",
    "gia", "dinh", "tre", "xa", "phuong", "huyen", "quan", "tinh", "thanh", "pho", "thi", "tran", "uy",
    "moi", "cu", "nay", "kia", "do", "day", "nhanh", "gap", "lien", "ngay", "hom", "mai", "nam", "thang",
    "online", "mang", "tai", "sang", "sau", "truoc", "khi", "neu", "vi",
})
# … and phrases that name a person or a place ("cho người thân", "vào nhà người thân", "cho người
# chết"): whatever the catalogue has of their words.
GENERIC_PHRASES: tuple[str, ...] = (
    "nguoi than", "nha nguoi than", "ho hang", "nguoi chet", "nguoi mat", "nguoi qua doi", "nguoi gia",
    "nguoi benh", "nguoi thue", "nguoi thue nha", "nguoi thue tro", "nha tro", "phong tro", "sinh vien",
    "hoc sinh", "cong nhan", "ban than", "chu nha", "nha rieng", "que", "que nha", "thanh pho", "nong thon",
)
MIN_COMMON = 2  # a word or pair in fewer procedures than this is distinctive: never left out


class Evidence(Protocol):
    """What the catalogue knows of words (the search index)."""

    def word_count(self, word: str) -> int: ...

    def pair_count(self, a: str, b: str) -> int: ...


def strip_question_tail(words: list[str], known: Callable[[str, str], bool]) -> list[str]:
    """The words without the question tail at their end (see TAIL_QUESTIONS)."""
    words = list(words)
    last = ""  # what was taken off last: "particle", "question", "amount", "object" or "connector"

    def takes(phrases: list[tuple[str, ...]]) -> tuple[str, ...] | None:
        for p in phrases:
            n = len(p)
            if len(words) > n and tuple(words[-n:]) == p and not known(words[-n - 1], p[0]):
                return p
        return None

    def _form_number() -> tuple[str, ...] | None:  # "mẫu số 2", "số 1": a form, not the procedure
        if len(words) > 2 and words[-2] == "so" and words[-1] in _NUMBER_WORDS and not known("so", words[-1]):
            return ("so", words[-1]) if words[-3] != "mau" else ("mau", "so", words[-1])
        return None

    while len(words) > 1:
        if last in ("", "particle") and (p := takes(_TAIL_PARTICLES)):
            last = "particle"
        elif last in ("", "particle", "question", "amount") and (p := takes(_TAIL_QUALIFIERS) or _form_number()):
            last = "qualifier"
        elif last in ("", "particle", "object") and (p := takes(_TAIL_QUESTIONS)):
            last = "amount" if p in AMOUNT_QUESTIONS else "question"
        elif last in ("question", "amount") and (p := takes(_TAIL_OBJECTS)):
            last = "object"
        elif (last in ("object", "amount") and (p := takes(_TAIL_CONNECTORS))
              or last in ("question", "connector") and (p := takes(_QUESTION_CONNECTORS))):
            last = "connector"
        else:
            break
        del words[-len(p):]
    return words

# Verbs that open a query but may not be the catalogue's verb ("đăng ký hộ chiếu" is "Cấp hộ
# chiếu"): a reading without them is tried too, ranked below the reading with them.
GENERIC_VERBS: tuple[str, ...] = ("dang ki", "cap", "lam", "de nghi", "yeu cau", "xin cap", "giai quyet")
RELAXED_PENALTY = 5  # a reading this much or more relaxed counts only when stricter ones match nothing
LONE_WORD_PENALTY = RELAXED_PENALTY  # a reading without a lone word is a relaxed one
MAX_SEGMENTS_DROPPED = 4

# Words of official names that people leave out (catalogue side only, as an extra reading).
OPTIONAL_NAME_WORDS: tuple[str, ...] = ("viec", "cac", "doi voi", "thanh lap", "thu tuc", "ve viec",
                                         "noi dung", "tu ban chinh", "la", "ve")
# … and the verb "đăng ký" before another verb ("Xóa đăng ký tạm trú" read as "xóa tạm trú"), in a
# reading of its own.

# Words that say nothing of the procedure alone: a segment made only of them is left out ("xin
# việc" is not "Đăng ký việc nuôi con nuôi").
FUNCTION_WORDS = frozenset({
    "viec", "cac", "cua", "cho", "va", "o", "voi", "ve", "la", "co", "khong", "duoc", "trong",
    "nhung", "de", "thi", "nay", "hoac", "gi", "roi", "nao", "ai", "nhu",
})

# Where a query goes on to say what for, for whom or where ("… để kết hôn", "… cho người thuê
# trọ", "… đi làm xa"): a reading without that tail is tried too (3+ syllables before it), ranked
# below the whole query.
TAIL_STARTS = frozenset({"de", "cho", "khi", "vi", "ve", "o", "tai", "sau", "truoc", "neu", "nhung", "sang", "do",
                         "boi"})
MIN_HEAD = 3

# What makes a procedure a special variant of another ("cấp lại", "lưu động", "có yếu tố nước
# ngoài"): when the query does not ask for it, the plain procedure ranks first.
VARIANT_MARKERS: tuple[str, ...] = (
    "lai", "doi", "gia han", "thu hoi", "xoa", "cham dut", "dieu chinh", "dinh chinh", "luu dong",
    "yeu to nuoc ngoai", "bien gioi", "tam thoi", "quoc te", "ket hop", "lien thong", "trung uong",
    "duoi", "sua chua", "cai tao", "di doi", "giam sat", "thay doi", "bo sung", "tich hop",
    "khong xac dinh", "theo yeu cau", "da co ho so", "huyen", "trinh bao", "mat", "khoi phuc",
)


def iy(syllable: str) -> str:
    """The i-spelling of a syllable ending in consonant + y: "ly" -> "li", "quy" -> "qui"."""
    return syllable[:-1] + "i" if _IY.match(syllable) else syllable


def syllables(text: str | None, *, limit: int = MAX_QUERY_CHARS * 20) -> list[str]:
    """Folded syllables with the i/y and number spellings made one (both sides)."""
    out = []
    for token in fold((text or "")[:limit]).split():
        token = _NUMBERS.get(token, token)
        out.append(iy(token))
    return out


def key(text: str | None) -> str:
    """The normalised form of a phrase, as stored for synonyms and colloquial names."""
    return " ".join(syllables(text))


def _phrases(items: Iterable[str]) -> list[tuple[str, ...]]:
    return sorted({tuple(key(p).split()) for p in items if key(p)}, key=len, reverse=True)


_STOPS = _phrases(STOP_PHRASES)
_TRAILING = _phrases(TRAILING_STOPS)
_OPTIONAL = _phrases(OPTIONAL_NAME_WORDS)
_OPTIONAL_WITH_VERB = _phrases((*OPTIONAL_NAME_WORDS, "dang ki"))
_GENERIC = _phrases(GENERIC_VERBS)
_TAIL_PARTICLES = _phrases(TAIL_PARTICLES)
_TAIL_QUESTIONS = _phrases(TAIL_QUESTIONS)
_TAIL_OBJECTS = _phrases(TAIL_OBJECTS)
_TAIL_CONNECTORS = _phrases(TAIL_CONNECTORS)
_TAIL_QUALIFIERS = _phrases(TAIL_QUALIFIERS)
_CONNECTORS = _phrases(CONNECTORS)
_GENERIC_PHRASES = _phrases(GENERIC_PHRASES)
_NUMBER_WORDS = frozenset(_NUMBERS.values())
_QUESTION_CONNECTORS = _phrases(QUESTION_CONNECTORS)


Segments = tuple[tuple[str, ...], ...]

# Ages: "cho con 10 tuổi" in a query; "dưới 14 tuổi", "từ đủ 14 tuổi trở lên" in a name.
_AGE = re.compile(r"\b(\d{1,3})(?: ?tuoi|t)\b")
_UNDER = re.compile(r"\bduoi (\d{1,3}) tuoi\b")
_FROM = re.compile(r"\btu (?:du )?(\d{1,3}) tuoi\b")


def age_in_query(text: str) -> tuple[int | None, str]:
    """The age a query names ("10 tuổi"), and the query without it."""
    folded = fold(text)
    found = _AGE.search(folded)
    # "dưới 14 tuổi", "từ đủ 14 tuổi" is a range, typed as the name has it: words to match.
    if not found or folded[:found.start()].split()[-1:] in (["duoi"], ["du"], ["tu"], ["tren"], ["qua"]):
        return None, text
    return int(found.group(1)), f"{folded[:found.start()]} {folded[found.end():]}"


def age_range(name: str) -> tuple[int, int] | None:
    """The ages a procedure's name is for: "dưới 14 tuổi" (0, 13), "từ đủ 14 tuổi trở lên" (14, ∞)."""
    folded = fold(name)
    under, above = _UNDER.search(folded), _FROM.search(folded)
    if under and not above:
        return 0, int(under.group(1)) - 1
    if above and not under:
        return int(above.group(1)), 999
    return None


@dataclass(frozen=True)
class Rules:
    """The province's synonym table, normalised: phrase (tuple of syllables) -> meaning, a tuple
    of segments (a comma in the meaning separates segments: "cải chính, thông tin hộ tịch")."""

    synonyms: Mapping[tuple[str, ...], Segments] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Rules:
        table: dict[tuple[str, ...], Segments] = {}
        for phrase, meaning in pairs:
            p = tuple(key(phrase).split())[:MAX_SYNONYM_WORDS]
            m = tuple(tuple(key(part).split())[: MAX_SYNONYM_WORDS * 2] for part in (meaning or "").split(","))
            m = tuple(seg for seg in m if seg)
            if p and m != (p,):
                table[p] = m
        return cls(table)

    @property
    def vocabulary(self) -> set[str]:
        return {w for p in self.synonyms for w in p} | {w for m in self.synonyms.values() for s in m for w in s}


def _chat(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        if w in CHAT_SPELLING:
            out += CHAT_SPELLING[w].split()
        else:
            out.append(w)
    return out


def _match_at(words: Sequence[str], i: int, phrases: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
    for p in phrases:
        if tuple(words[i:i + len(p)]) == p:
            return p
    return None


def segments(words: Sequence[str], rules: Rules | None = None, *, function_words: bool = False,
             known: Callable[[str, str], bool] | None = None) -> list[list[str]]:
    """One left-to-right pass over the words: a stop phrase ends a segment and is dropped; a
    synonym phrase (with `rules`) is replaced by its meaning as segments of their own; where both
    start, the longer wins (a synonym on a tie). Filler verbs that open the query are dropped
    unless a synonym starts with them ("xin phép xây nhà"). With `known` (is this pair a phrase of
    the catalogue?), a connector before a word ends a segment and is dropped when it forms no
    known phrase with either neighbour."""
    words = list(words)
    trailing = _match_at(words, len(words) - 2, _TRAILING) if len(words) > 2 else None
    if trailing:
        words = words[:-2]
    table = rules.synonyms if rules is not None else {}
    by_length = sorted(table, key=len, reverse=True)
    out: list[list[str]] = [[]]
    i = 0
    while i < len(words):
        synonym = _match_at(words, i, by_length) if table else None
        stop = _match_at(words, i, _STOPS)
        if stop and known is not None and out[-1] and _inside_a_name(out[-1][-1], stop, known):
            stop = None  # typed as part of a name ("… lần đầu trực tuyến toàn trình"): words to match
        if synonym and (stop is None or len(synonym) >= len(stop)):
            out += [list(seg) for seg in table[synonym]] + [[]]
            i += len(synonym)
        elif stop:
            out.append([])
            i += len(stop)
        elif words[i] in LEADING_FILLERS and not out[-1] and len(words) - i > 2:
            i += 1
        elif known is not None and (c := _connector_at(words, i, out[-1], known)):
            out.append([])
            i += len(c)
        else:
            out[-1].append(words[i])
            i += 1
    return [s for s in out
            if s and (function_words or not all(w in FUNCTION_WORDS or w in LEADING_FILLERS for w in s))]


def _connector_at(words: Sequence[str], i: int, current: list[str],
                  known: Callable[[str, str], bool]) -> tuple[str, ...] | None:
    c = _match_at(words, i, _CONNECTORS)
    if c is None or i + len(c) >= len(words):
        return None
    if (current and known(current[-1], c[0])) or known(c[-1], words[i + len(c)]):
        return None
    return c


def _inside_a_name(before: str, stop: tuple[str, ...], known: Callable[[str, str], bool]) -> bool:
    """Is the stop phrase, after `before`, a run of the catalogue's own pairs?"""
    return known(before, stop[0]) and all(known(a, b) for a, b in zip(stop, stop[1:], strict=False))


def _all_generic(words: Sequence[str]) -> bool:
    return all(w in GENERIC_WORDS or w in FUNCTION_WORDS for w in words)


def droppable(words: Sequence[str], evidence: Evidence | None) -> bool:
    """May a relaxed reading leave these words out? Only generic words (persons, places, filler
    verbs), or words and adjacent pairs that are each in MIN_COMMON procedures or more: a
    distinctive word ("an toàn thực phẩm" in a catalogue without it) always counts."""
    def generic(w: str) -> bool:
        return w in GENERIC_WORDS or w in FUNCTION_WORDS or w == ""

    words = list(words)
    i = 0
    while i < len(words):  # persons and places said as phrases count as generic words
        p = _match_at(words, i, _GENERIC_PHRASES)
        if p:
            words[i:i + len(p)] = [""] * len(p)
            i += len(p)
        else:
            i += 1
    if evidence is None or all(generic(w) for w in words):
        return True
    return (all(generic(w) or evidence.word_count(w) >= MIN_COMMON for w in words)
            and all(generic(a) or generic(b) or evidence.pair_count(a, b) >= MIN_COMMON
                    for a, b in zip(words, words[1:], strict=False)))


def _split_stops(words: Sequence[str]) -> list[list[str]]:
    return segments(words)


_SYLLABLE = re.compile("^(?:{})?(?:[aeiouy]{{1,3}})(?:c|ch|m|n|ng|nh|p|t|i|o|u|y)?$".format(
    "|".join(sorted(_ONSETS, key=len, reverse=True))))


def is_syllable(text: str) -> bool:
    """Does the normalised text read as ONE Vietnamese syllable ("mat", "khai", "nghieng"), not an
    abbreviation ("cccd") or a loanword ("cavet", "passport")?"""
    return " " not in text and bool(_SYLLABLE.match(text))


def is_abbreviation(phrase: tuple[str, ...]) -> bool:
    """One word without a vowel (y aside): "tnhh", "bhxh", "cty" — never a Vietnamese syllable."""
    return len(phrase) == 1 and not any(ch in "aeiou" for ch in phrase[0])


def expand_abbreviations(words: Sequence[str], rules: Rules) -> list[str]:
    """Abbreviations written out in place ("dong mst" -> "dong ma so thue"), so that a longer
    synonym or the catalogue's adjacent words can follow."""
    out: list[str] = []
    for w in words:
        meaning = rules.synonyms.get((w,)) if is_abbreviation((w,)) else None
        if meaning and len(meaning) == 1:
            out += meaning[0]
        else:
            out.append(w)
    return out


def apply_synonyms(words: Sequence[str], rules: Rules, *, abbreviations_only: bool = False) -> list[list[str]]:
    """Replace every synonym phrase (longest first, left to right) by its meaning, as segments of
    their own; the words between stay together."""
    if not rules.synonyms:
        return [list(words)] if words else []
    by_length = sorted((p for p in rules.synonyms if not abbreviations_only or is_abbreviation(p)),
                       key=len, reverse=True)
    segments: list[list[str]] = [[]]
    i = 0
    while i < len(words):
        phrase = _match_at(words, i, by_length)
        if phrase is None:
            segments[-1].append(words[i])
            i += 1
            continue
        segments += [list(seg) for seg in rules.synonyms[phrase]] + [[]]
        i += len(phrase)
    return [s for s in segments if s]


@dataclass(frozen=True)
class Query:
    """A query as search reads it: readings, each a list of segments (lists of syllables)."""

    typed: str
    readings: tuple[Segments, ...]
    corrections: int = 0  # words read as another word (typos)
    penalties: tuple[int, ...] = ()  # per reading: a reading without the opening verb ranks lower
    # Only words that say nothing of a procedure were left ("xin việc"): nothing can match. (A
    # query of stop phrases only, "thủ tục", is empty: it lists every procedure.)
    vacuous: bool = False
    age: int | None = None  # "cho con 10 tuổi": the procedure whose ages hold it ranks first

    def penalty(self, i: int) -> int:
        return self.penalties[i] if i < len(self.penalties) else 0

    @property
    def empty(self) -> bool:
        return not any(self.readings)

    @property
    def words(self) -> list[str]:
        seen: list[str] = []
        for reading in self.readings:
            for seg in reading:
                seen += [w for w in seg if w not in seen]
        return seen


def query_text(text: str | None) -> str:
    """The query as typed, composed (NFC) before it is cut to MAX_QUERY_CHARS, so that text typed
    with separate accents (a phone's NFD) keeps as many words as any other."""
    return unicodedata.normalize("NFC", (text or "")[:MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]


def parse_query(text: str | None, rules: Rules = Rules(), correct: Callable[[str], str] | None = None,
                evidence: Evidence | None = None) -> Query:
    """The query's readings: the words as typed (after chat spelling, typo correction by `correct`,
    the question tail and stop phrases), and with the synonym table applied, when that changes
    anything. `evidence` (the index) says which pairs are phrases of the catalogue and which words
    are common; without it connectors never split and relaxed readings may drop any segment."""
    typed = query_text(text)
    age, rest = age_in_query(typed)  # the age ranks (`search_index`), it is not a word to match
    words = _chat(syllables(rest, limit=MAX_QUERY_CHARS * 4))[:MAX_QUERY_SYLLABLES]
    corrections = 0
    if correct is not None:
        fixed = [correct(w) for w in words]
        corrections = sum(1 for a, b in zip(words, fixed, strict=True) if a != b)
        words = fixed
    known = _known_pairs(rules, evidence)
    words = strip_question_tail(words, known)
    split = known if evidence is not None else None
    readings: list[Segments] = []
    penalties: list[int] = []

    def add(reading: Segments, penalty: int) -> None:
        if not reading:
            return
        if reading in readings:  # the same reading found a stricter way keeps the lower penalty
            i = readings.index(reading)
            penalties[i] = min(penalties[i], penalty)
            return
        readings.append(reading)
        penalties.append(penalty)

    # The longest tail that may be left out (a tail with a distinctive word may not).
    tail = next((i for i, w in enumerate(words)
                 if i >= MIN_HEAD and w in TAIL_STARTS and droppable(words[i:], evidence)), None)
    for part, penalty in ((words, 0), (words[:tail] if tail else [], RELAXED_PENALTY)):
        add(tuple(tuple(seg) for seg in segments(part, known=split)), penalty)
        # Synonyms as segments of their own, and abbreviations written out in place first.
        add(tuple(tuple(seg) for seg in segments(part, rules, known=split)), penalty)
        add(tuple(tuple(seg) for seg in segments(expand_abbreviations(part, rules), rules, known=split)), penalty)
    # A lone generic word between stop phrases says nothing of the procedure ("sang tên | xe | cũ"):
    # a relaxed reading without it. A lone content word stays ("bảo hiểm | xe" is not health
    # insurance).
    for i, reading in enumerate(list(readings)):
        generic = tuple(seg for seg in reading if len(seg) > 1 or not _all_generic(seg))
        if generic and generic != reading:
            add(generic, penalties[i] + LONE_WORD_PENALTY)
    # A segment may say what the procedure is about rather than which it is ("sao y | thẻ căn
    # cước"): without one of them, when what is left still has a phrase of 3+ syllables (never a
    # bare "cấp lại").
    for i, reading in enumerate(list(readings)):
        if 1 < len(reading) <= MAX_SEGMENTS_DROPPED:
            for j in range(len(reading)):
                rest = reading[:j] + reading[j + 1:]
                if any(len(seg) >= MIN_HEAD for seg in rest) and droppable(reading[j], evidence):
                    add(rest, penalties[i] + 2 * RELAXED_PENALTY)
    for i, reading in enumerate(list(readings)):
        first = reading[0]
        verb = _match_at(first, 0, _GENERIC)
        if verb and len(first) - len(verb) >= 2:
            add((first[len(verb):], *reading[1:]), penalties[i] + RELAXED_PENALTY)
    vacuous = not readings and bool(segments(words, function_words=True))
    return Query(typed=typed, readings=tuple(readings), corrections=corrections, penalties=tuple(penalties),
                 vacuous=vacuous, age=age)


def _known_pairs(rules: Rules, evidence: Evidence | None) -> Callable[[str, str], bool]:
    """Is (a, b) a phrase: of the catalogue or of the synonym table?"""
    table = {pair for phrase in rules.synonyms for pair in pairs(phrase)}

    def known(a: str, b: str) -> bool:
        if (a, b) in table:
            return True
        return evidence is not None and evidence.pair_count(a, b) > 0

    return known


def index_readings(text: str, rules: Rules = Rules(), *, official: bool = True) -> list[list[str]]:
    """A catalogue text (a name, a colloquial name) as search reads it: the text itself, without
    its optional words ("việc", "đối với", "thành lập": people leave them out), and each of these
    with the synonym table applied when that changes it: only its abbreviations (TNHH, BHXH) for
    an official name, all of it for a colloquial name (written as people speak)."""
    words = syllables(text)
    out = [words] if words else []
    for optional in (_OPTIONAL, _OPTIONAL_WITH_VERB):
        shorter = drop_optional(words, optional)
        if shorter and shorter not in out:
            out.append(shorter)
    for reading in list(out):
        replaced = [w for seg in apply_synonyms(reading, rules, abbreviations_only=official) for w in seg]
        if replaced and replaced not in out:
            out.append(replaced)
    return out


def drop_optional(words: list[str], optional: list[tuple[str, ...]] | None = None) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        phrase = _match_at(words, i, _OPTIONAL if optional is None else optional)
        if phrase:
            i += len(phrase)
            continue
        out.append(words[i])
        i += 1
    return out


def pairs(words: Sequence[str]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in zip(words, words[1:], strict=False)}


def osa_distance_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap of two
    neighbouring letters (optimal string alignment distance <= 1)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    # b is a with one letter inserted
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def deletions(word: str) -> set[str]:
    """The word with one letter left out: the keys of a symmetric-deletion typo index."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}

