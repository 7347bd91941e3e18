"""Vietnamese text folding for search: "Lý lịch Tư pháp" -> "ly lich tu phap".

Citizens type with or without diacritics (Telex/VNI off on a phone), in any case. We fold
both the stored text and the query the same way: NFD, drop combining marks, đ/Đ -> d,
lower case, punctuation to spaces. `slugify` would drop Đ, so we fold first.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_WORD_ACCENTED = re.compile(r"[^\w]+")
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12


def fold(text: str | None) -> str:
    """Lower case, no diacritics, words separated by one space."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.lower()).split())


def lower_words(text: str | None) -> str:
    """Lower case with diacritics kept (NFC), words separated by one space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(_NON_WORD_ACCENTED.sub(" ", text).replace("_", " ").split())


def padded(text: str) -> str:
    """Surround with spaces so that ` word` matches the start of any word, also the first."""
    return f" {text} " if text else ""


def query_words(query: str | None) -> list[str]:
    """The distinct folded words of a query, capped so absurd input stays cheap."""
    words: list[str] = []
    for word in fold((query or "")[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS].split():
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]
