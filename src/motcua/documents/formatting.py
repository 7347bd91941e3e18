"""Vietnamese date and time wording of the official forms, and NFC normalisation."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date, datetime, timedelta, timezone

# Viet Nam has had UTC+7 without daylight saving since 1975.
VN_TZ = timezone(timedelta(hours=7), "ICT")
BLANK = "…………"


def nfc(value):
    """NFC-normalise every string inside ``value`` (str, list, tuple, dict or dataclass)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return type(value)(nfc(v) for v in value)
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: nfc(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def local(value: datetime) -> datetime:
    """An aware time in Viet Nam time; a naive one is taken as already local."""
    return value.astimezone(VN_TZ) if value.tzinfo else value


def time_and_date(value: datetime | None) -> str:
    """``09 giờ 15 phút, ngày 27/11/2026`` (blank leaders when there is no value)."""
    if value is None:
        return "…… giờ …… phút, ngày ……/……/………"
    value = local(value)
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"


def short_date(value: date | datetime | None) -> str:
    """``27/11/2026``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return f"{value:%d/%m/%Y}"


def short_time(value: date | datetime | None) -> str:
    """``09:15`` for a time, nothing for a bare date."""
    if not isinstance(value, datetime):
        return ""
    return f"{local(value):%H:%M}"


def long_date(value: date | datetime | None) -> str:
    """``ngày 05 tháng 3 năm 2026`` as NĐ 30/2020 writes it: days below 10 and months 1–2 get a 0."""
    if value is None:
        return "ngày …… tháng …… năm ………"
    if isinstance(value, datetime):
        value = local(value)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_and_date(place: str, value: date | datetime | None) -> str:
    """``Thanh Hóa, ngày 27 tháng 11 năm 2026``."""
    return f"{place or '……………'}, {long_date(value)}"


def two_digits(n: int | None) -> str:
    """``01`` for one set, as the forms write counts."""
    if n is None:
        return ""
    return f"{n:02d}"


# The administrative level that opens the second line of an agency's name in a form's header
# (NĐ 30/2020: "ỦY BAN NHÂN DÂN / TỈNH CÀ MAU"); two-word levels first.
_LEVELS = (("thành", "phố"), ("đặc", "khu"), ("thị", "trấn"), ("thị", "xã"), ("tỉnh",), ("phường",), ("xã",),
           ("huyện",), ("quận",))
HEADER_LINE = 26  # characters that fit on a line of the header's left column (A4, 12.5 pt bold)


def header_lines(name: str, width: int = HEADER_LINE) -> list[str]:
    """An agency's name split into the header's lines, between words: before its administrative
    level ("Ủy ban nhân dân" / "tỉnh Cà Mau"), then each part into balanced lines of about `width`
    characters ("Trung tâm Phục vụ" / "hành chính công")."""
    words = name.split()
    lowered = [w.lower() for w in words]
    cut = next((i for i in range(2, len(words)) for level in _LEVELS  # a level followed by its name
                if tuple(lowered[i:i + len(level)]) == level and i + len(level) < len(words)), None)
    parts = [words[:cut], words[cut:]] if cut else [words]
    return [line for part in parts for line in _balanced(part, width)]


def _balanced(words: list[str], width: int) -> list[str]:
    """The fewest lines of at most `width` characters (a longer word has a line of its own), as
    even as they can be: the narrowest measure that still needs no more lines."""
    def fill(measure: int) -> list[str]:
        lines: list[str] = []
        for word in words:
            if lines and len(lines[-1]) + 1 + len(word) <= measure:
                lines[-1] += " " + word
            else:
                lines.append(word)
        return lines or [""]

    fewest = len(fill(width))
    low, high = max((len(w) for w in words), default=0), max(width, 1)
    while low < high:  # the narrowest measure with `fewest` lines
        middle = (low + high) // 2
        if len(fill(middle)) <= fewest:
            high = middle
        else:
            low = middle + 1
    return fill(max(low, 1)) if low <= width else fill(width)
