"""Patterns an agency admin writes for an e-form field, matched in linear time.

Python's `re` backtracks: a pattern such as `(a+)+$` takes seconds on 27 characters and
minutes on 40, and a match cannot be interrupted. So patterns run on RE2 (google-re2, the
engine Go and Chrome use), whose time grows with the input's length only; an answer longer
than MAX_INPUT is not even looked at.

RE2 reads `\\w`, `\\d`, `\\s` and `\\b` as ASCII only; admins write them meaning Vietnamese
letters too (as Python does), so they are rewritten to Unicode classes first. `\\b`/`\\B` and
the negated classes inside brackets (`[\\W...]`) have no RE2 equivalent and are refused with a
message, as are look-arounds and back-references (which RE2 does not have).
"""

from __future__ import annotations

from functools import lru_cache

import re2
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

MAX_INPUT = 10_000  # characters; an e-form answer is far shorter
MAX_PATTERN = 500

_OUTSIDE = {"w": r"[\pL\pN_]", "W": r"[^\pL\pN_]", "d": r"\p{Nd}", "D": r"\P{Nd}", "s": r"[\s\p{Z}]",
            "S": r"[^\s\p{Z}]"}
_INSIDE = {"w": r"\pL\pN_", "d": r"\p{Nd}", "s": r"\s\p{Z}"}


class PatternError(DomainError, ValueError):
    """The pattern cannot be used; the message says why, in the admin's words."""


def translate(pattern: str) -> str:
    """The pattern with Python's Unicode meanings of \\w, \\d, \\s spelled out for RE2."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt in "bB":
                if in_class and nxt == "b":
                    out.append("\\x08")  # inside brackets \b is the backspace character, as in Python
                    i += 2
                    continue
                raise PatternError(_("«\\%(c)s» (ranh giới từ) không dùng được; hãy bỏ đi.") % {"c": nxt})
            if in_class and nxt in "WDS":
                raise PatternError(_("«\\%(c)s» trong ngoặc vuông không dùng được; hãy viết dạng [^...].")
                                   % {"c": nxt})
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(nxt, char + nxt))
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            i += 1
            # A "]" (or "^]") right after the opening bracket is a literal, not the end.
            if pattern[i:i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i:i + 1] == "]":
                out.append("\\]")
                i += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to the admin, not to the server's log
    return options


@lru_cache(maxsize=256)
def compiled(pattern: str):
    """The RE2 program of an admin's pattern; PatternError says what is wrong with it."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(_("Biểu thức dài quá %(n)s ký tự.") % {"n": MAX_PATTERN})
    try:
        return re2.compile(translate(pattern), _options())
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if "(?" in pattern or "\\" in pattern and any(f"\\{d}" in pattern for d in "123456789"):
            detail = _("không hỗ trợ nhìn trước/nhìn sau hay tham chiếu ngược") + f" ({detail})"
        raise PatternError(detail) from None


def problem(pattern: str) -> str | None:
    """Why this pattern cannot be saved, or None."""
    try:
        compiled(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def full_match(pattern: str, value: str) -> bool:
    """Does the whole answer match? An answer over MAX_INPUT characters never does."""
    if len(value) > MAX_INPUT:
        return False
    return compiled(pattern).fullmatch(value) is not None
