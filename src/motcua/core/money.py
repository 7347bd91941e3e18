"""Amounts of money in Vietnamese đồng, as people read them: 1200000 -> "1.200.000 đồng".

Vietnamese groups thousands with dots and writes the unit out ("đồng", not "đ", "VNĐ" or
"VND"). Every page, receipt, message and note formats amounts here (templates through the
`dong` filter of core's `vietnamese` library); `unit=""` gives the bare number where the
sentence around it already says "đồng".
"""

from __future__ import annotations

from decimal import Decimal

UNIT = "đồng"


def vnd(amount: int | Decimal | str, unit: str = UNIT) -> str:
    """75000 -> "75.000 đồng"; `unit=""` gives the bare number "75.000"."""
    text = f"{int(amount):,}".replace(",", ".")
    return f"{text} {unit}" if unit else text


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", " nghìn", " triệu")


def _three(n: int, full: bool) -> str:
    """A group of three digits; `full`: a group after a higher one ("không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens > 0:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return " ".join(words)


def _below_billion(n: int, full: bool) -> str:
    parts, first = [], True
    for power in (2, 1, 0):
        group = n // 1000**power % 1000
        if group:
            parts.append(_three(group, full or not first) + _GROUPS[power])
            first = False
    return " ".join(parts)


def number_words(n: int) -> str:
    """A whole number in Vietnamese words, as receipts write amounts: 1250000 -> "một triệu hai
    trăm năm mươi nghìn", 105 -> "một trăm linh năm", 21 -> "hai mươi mốt", 10**12 -> "một
    nghìn tỷ"."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("a non-negative integer")
    if n == 0:
        return _DIGITS[0]
    billions, rest = divmod(n, 10**9)
    words = []
    if billions:
        words.append(number_words(billions) + " tỷ")
    if rest:
        words.append(_below_billion(rest, full=bool(billions)))
    return " ".join(words)


def vnd_words(amount: int) -> str:
    """The amount as receipts write it after "Bằng chữ:": "Hai trăm nghìn đồng"."""
    text = number_words(int(amount)) + " đồng"
    return text[0].upper() + text[1:]
