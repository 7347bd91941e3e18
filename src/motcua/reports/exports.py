"""One table → CSV, XLSX (openpyxl) or PDF (WeasyPrint, with the documents app's fonts).

A `Table` is a title, optional lines under it (period, scope, definitions), the column headers
and the rows (plain values: str, int, Decimal, date, datetime, None). Every export of the
reports (dashboard tables, indicators, bottlenecks, drill-down lists, the ledger) goes through
`response(fmt, tables, filename)`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Cells a spreadsheet would run as a formula (CSV/formula injection): prefixed with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit on a sheet name
# Characters Excel refuses in a sheet name, and what a reader would write instead:
# "QĐ 766/QĐ-TTg" -> "QĐ 766-QĐ-TTg", "Kỳ: tháng 3" -> "Kỳ - tháng 3", "[Nháp]" -> "(Nháp)".
SHEET_REPLACEMENTS = {"/": "-", "\\": "-", ":": " - ", "[": "(", "]": ")", "*": " ", "?": " "}
DEFAULT_SHEET_TITLE = "Bảng"


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: list[Sequence[object]]
    notes: list[str] = field(default_factory=list)
    # Hook for official report forms (issue #20: merged headers, signature blocks): a function
    # that fills the whole sheet itself. None: the plain layout of `write_plain_sheet`.
    xlsx_layout: Callable[[object, Table], None] | None = None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(value) else \
            value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return unicodedata.normalize("NFC", str(value))


def _safe(text: str) -> str:
    """Neutralise text cells that a spreadsheet would evaluate (numbers stay numbers)."""
    if text and text.startswith(FORMULA_START):
        try:
            float(text)
            return text
        except ValueError:
            return "'" + text
    return text


def to_csv(tables: Sequence[Table]) -> bytes:
    """UTF-8 with a BOM (Excel opens Vietnamese text right), tables one after another."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([_safe(_text(table.title))])
        for note in table.notes:
            writer.writerow([_safe(_text(note))])
        writer.writerow([_safe(_text(h)) for h in table.headers])
        for row in table.rows:
            writer.writerow([_safe(_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return _safe(_text(value))


_LOOSE_END = re.compile(r"[\s'\-–—,.;:(]+$")
_LOOSE_START = re.compile(r"^[\s']+")
_TIGHT_END = re.compile(r"[\s']+$")
# Where a Vietnamese title may be cut. A syllable is not a word ("giải quyết", "bổ sung"), so a
# cut at any space may split a word; the phrase boundaries come first, latest first.
_PHRASE_BREAKS = (", ", "; ", " - ", " – ", " (")
# Words that cannot end a name ("Tiếp nhận trong kỳ, thủ tục có" reads as cut off).
_DANGLING = frozenset({"và", "hoặc", "của", "theo", "cho", "với", "trong", "từ", "đến", "tại", "để", "khi", "là",
                       "các", "những", "mà", "có", "được", "bị"})


def _open_bracket(text: str) -> int:
    """Where the first bracket still open at the end of `text` starts; -1 when all are closed."""
    stack = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            stack.pop()
    return stack[0] if stack else -1


def _drop_parentheticals(text: str, limit: int) -> str:
    """Without the bracketed parts that run past `limit`, last first: "Đang tạm dừng tính giờ (chờ
    bổ sung, nghĩa vụ tài chính)" -> "Đang tạm dừng tính giờ". A part that is all the title stays."""
    while len(text) > limit:
        spans, stack = [], []
        for i, ch in enumerate(text):
            if ch == "(":
                stack.append(i)
            elif ch == ")" and stack:
                start = stack.pop()
                if not stack:
                    spans.append((start, i + 1))
        if stack:  # never closed: it runs to the end
            spans.append((stack[0], len(text)))
        over = [(a, b) for a, b in spans if b > limit]
        if not over:
            break
        a, b = over[-1]
        if not any(ch.isalnum() for ch in text[:a]):
            break
        text = (text[:a].rstrip() + " " + text[b:].lstrip()).strip()
    return text


def _tidy(text: str) -> str:
    """Without an open bracket, dangling punctuation or a word that cannot end a phrase."""
    text = _LOOSE_END.sub("", text)
    while True:
        opened = _open_bracket(text)
        if opened > 0:
            text = _LOOSE_END.sub("", text[:opened])
            continue
        head, _sep, last = text.rpartition(" ")
        if head and last.casefold() in _DANGLING:
            text = _LOOSE_END.sub("", head)
            continue
        return text


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut where a reader would: first without a bracketed part
    that does not fit, then at a phrase boundary (", ", " (", " - "), else at a space, never
    inside an open bracket and without dangling punctuation. A cut that would leave less than
    a fraction of the limit ("a'b" of "a'b xxxx…") is not taken."""
    if len(text) <= limit:
        return text
    text = _drop_parentheticals(text, limit)
    if len(text) <= limit:
        return _tidy(text) or text[:limit]
    head = text[: limit + 1]
    phrase_min, word_min = limit // 4, limit // 2
    cuts = [head.rfind(b) for b in _PHRASE_BREAKS]
    for cut in sorted(cuts, reverse=True):
        short = _tidy(head[:cut]) if cut > 0 else ""
        if len(short) >= phrase_min:
            return short
    cut = head.rfind(" ")
    short = _tidy(head[:cut]) if cut > 0 else ""
    if len(short) >= word_min:
        return short
    # One long word, or a cut that would leave too little: cut hard (Excel would refuse the whole name).
    return _LOOSE_END.sub("", text[:limit]) or text[:limit].replace("'", "_")


def sheet_name(title: str, used: set[str]) -> str:
    """A valid Excel sheet name for `title`, unique among `used` (which it joins).

    Forbidden characters are replaced as a reader would write them, the name is shortened to 31
    characters where a reader would cut (`_shorten`), and a repeat gets " (2)", " (3)"... Excel
    compares sheet names without case, so `used` holds casefolded names.
    """
    text = unicodedata.normalize("NFC", str(title))
    for bad, good in SHEET_REPLACEMENTS.items():
        text = text.replace(bad, good)
    # Control characters and anything outside the BMP (counted twice by Excel) are dropped.
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" and ord(ch) <= 0xFFFF)
    # Excel refuses a name that begins or ends with an apostrophe.
    text = _LOOSE_START.sub("", _TIGHT_END.sub("", re.sub(r"\s+", " ", text))) or DEFAULT_SHEET_TITLE
    if text.casefold() == "history":  # reserved by Excel
        text = f"{text} 1"
    base = _shorten(text, MAX_SHEET_TITLE)
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = _shorten(text, MAX_SHEET_TITLE - len(suffix)) + suffix
        n += 1
    used.add(name.casefold())
    return name


def write_plain_sheet(sheet, table: Table) -> None:
    """Title, notes, a bold header row (frozen), then the rows straight under it."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append([_safe(_text(table.title))])
    sheet["A1"].font = Font(bold=True, size=13)
    for note in table.notes:
        sheet.append([_safe(_text(note))])
    sheet.append([_safe(_text(h)) for h in table.headers])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    widths = [len(_text(h)) for h in table.headers]
    for row in table.rows:
        values = [_cell(v) for v in row]
        sheet.append(values)
        for i, v in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], min(len(_text(v)), 60))
        for i, v in enumerate(values, start=1):
            if isinstance(v, dt.datetime):
                sheet.cell(row=sheet.max_row, column=i).number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(v, dt.date):
                sheet.cell(row=sheet.max_row, column=i).number_format = "dd/mm/yyyy"
    # A coordinate, not sheet.cell(): creating the cell under the header would push the first
    # row down and leave a blank row under the header.
    sheet.freeze_panes = f"A{header_row + 1}"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(8, width + 2)


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table, named by `sheet_name`, laid out by the table's form or plainly."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.title, used))
        (table.xlsx_layout or write_plain_sheet)(sheet, table)
    if not tables:
        book.create_sheet(DEFAULT_SHEET_TITLE)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(tables: Sequence[Table], *, title: str = "", landscape: bool = True) -> bytes:
    """A4 PDF with the documents app's embedded Vietnamese fonts (WeasyPrint fetches nothing else)."""
    from motcua.documents import render

    html = render_to_string("reports/export_pdf.html", {
        "tables": [{"title": _text(t.title), "notes": [_text(n) for n in t.notes],
                    "headers": [_text(h) for h in t.headers],
                    "rows": [[_text(v) for v in row] for row in t.rows]} for t in tables],
        "title": title or (_text(tables[0].title) if tables else ""),
        "font_css": render._font_css(),
        "landscape": landscape,
        "printed_at": timezone.localtime(),
    })
    return render._document(unicodedata.normalize("NFC", html)).write_pdf()


def response(fmt: str, tables: Sequence[Table], filename: str) -> HttpResponse:
    if fmt == "csv":
        content = to_csv(tables)
    elif fmt == "xlsx":
        content = to_xlsx(tables)
    elif fmt == "pdf":
        content = to_pdf(tables)
    else:  # pragma: no cover - views check the format first
        raise ValueError(fmt)
    reply = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    reply["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    reply["X-Content-Type-Options"] = "nosniff"
    return reply
