"""HTML (Django templates) to PDF (WeasyPrint) for the forms in :mod:`motcua.documents.forms`.

A private template engine reads ``templates/documents/``, so that printing needs neither this
app in INSTALLED_APPS nor any TEMPLATES setting, and all values reach the templates as
ready-made strings (no localisation, no settings). WeasyPrint may only read data: URIs
(barcode, QR) and the font files: user text can never make it fetch anything.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template import Context, Engine

from motcua.documents import codes, fonts
from motcua.documents import forms as f
from motcua.documents.formatting import (
    BLANK,
    header_lines,
    local,
    long_date,
    nfc,
    place_and_date,
    short_date,
    short_time,
    time_and_date,
    two_digits,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
PX_PER_MM = 96 / 25.4

# WeasyPrint logs every layout step at INFO; keep it quiet unless the project configures it.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_engine = Engine(dirs=[str(TEMPLATE_DIR)], debug=False, autoescape=True)

RESULT_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}

# Usual symbols after the number ("Số: 15/TNHS"); 04 and 05 are letters whose symbol is the agency's.
DOC_SYMBOLS = {"01": "TNHS", "02": "HDHS", "03": "TCHS", "04": "……", "05": "TB-……"}

# Code128 module width and bar height (mm): A4 forms; the receipt uses the printable width.
BARCODE_MODULE_MM = 0.33
RECEIPT_80_CONTENT_MM = 72
QR_MM_A4 = 25
QR_MM_80 = 34
DRAFT_HEIGHT_MM = 5000  # the narrow receipt is laid out on this first (PDF pages stop at 5080 mm)


# --- helpers ----------------------------------------------------------------------------------


def doc_number(number: str, form_no: str) -> str:
    symbol = DOC_SYMBOLS.get(form_no, "……")
    if not number:
        return f"……/{symbol}"
    return number if "/" in number else f"{number}/{symbol}"


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return local(value).date()
    return value


def barcode(code: str, *, module_mm: float = BARCODE_MODULE_MM, max_width_mm: float | None = None) -> dict:
    svg, modules = codes.code128_svg(code)
    width = modules * module_mm
    if max_width_mm and width > max_width_mm:
        width = max_width_mm
    return {"uri": codes.svg_data_uri(svg), "width_mm": f"{width:.2f}", "text": code}


def qr(data: str, size_mm: float) -> dict:
    svg, _modules = codes.qr_svg(data)
    return {"uri": codes.svg_data_uri(svg), "size_mm": f"{size_mm:.2f}", "text": data}


def _site(url: str) -> str:
    """``https://dvc.example.gov.vn/tra-cuu`` from a tracking URL, for the printed hint."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}/tra-cuu"


def _components(lines) -> list[dict]:
    return [
        {
            "no": i,
            "name": line.name,
            "paper": line.paper_text,
            "copies": two_digits(line.copies) if line.copies is not None else "",
            "note": line.note,
        }
        for i, line in enumerate(lines, start=1)
    ]


def _common(form_no: str, agency: f.AgencyInfo) -> dict:
    return {
        "form_no": form_no,
        "legal_basis": f.LEGAL_BASIS,
        "form_title": f.FORM_TITLES[form_no],
        "agency": agency,
        "blank": BLANK,
        # The header's lines, broken between words where a clerk would ("ỦY BAN NHÂN DÂN / TỈNH CÀ MAU").
        "parent_lines": header_lines(agency.parent_name) if agency.parent_name else [],
        "unit_lines": header_lines(agency.name),
    }


# --- contexts -------------------------------------------------------------------------------------


def receipt_context(form: f.ReceiptForm, layout: str) -> dict:
    narrow = layout == "80mm"
    ctx = _common("01", form.agency)
    if narrow:
        bar = barcode(form.dossier_code, module_mm=0.25, max_width_mm=RECEIPT_80_CONTENT_MM)
    else:
        bar = barcode(form.dossier_code)
    ctx.update(
        form=form,
        doc_number=doc_number(form.number, "01"),
        place_date=place_and_date(form.place, form.issued_on or _day(form.received_at)),
        components=_components(form.components),
        sets=two_digits(form.sets),
        received=time_and_date(form.received_at),
        due=time_and_date(form.due_at),
        received_short=f"{short_time(form.received_at)} {short_date(form.received_at)}",
        due_short=f"{short_time(form.due_at)} {short_date(form.due_at)}" if form.due_at else "",
        barcode=bar,
        qr=qr(form.tracking_url, QR_MM_80 if narrow else QR_MM_A4) if form.tracking_url else None,
        tracking_site=_site(form.tracking_url),
    )
    return ctx


def supplement_context(form: f.SupplementRequestForm) -> dict:
    ctx = _common("02", form.agency)
    ctx.update(
        form=form,
        doc_number=doc_number(form.number, "02"),
        place_date=place_and_date(form.place, _day(form.issued_on)),
        missing=_components(form.missing),
        guide_name=form.guide_name or form.contact_officer,
        barcode=_small_barcode(form.dossier_code),
    )
    return ctx


def _small_barcode(code: str):
    """The dossier code's barcode in the corner of forms 02–05, when the form has a code."""
    return barcode(code, module_mm=0.25) if code else None


def refusal_context(form: f.RefusalForm) -> dict:
    ctx = _common("03", form.agency)
    ctx.update(
        form=form,
        doc_number=doc_number(form.number, "03"),
        place_date=place_and_date(form.place, _day(form.refused_on)),
        components=_components(form.components),
        barcode=_small_barcode(form.dossier_code),
    )
    return ctx


def apology_context(form: f.ApologyExtensionForm) -> dict:
    ctx = _common("04", form.agency)
    ctx.update(
        form=form,
        doc_number=doc_number(form.number, "04"),
        place_date=place_and_date(form.place, _day(form.issued_on)),
        receiving_agency=form.receiving_agency or form.agency.name,
        received_day="N" + long_date(form.received_at)[1:],  # "Ngày 27 tháng 11 năm 2026"
        received=time_and_date(form.received_at),
        due=time_and_date(form.due_at),
        new_due=time_and_date(form.new_due_at),
        barcode=_small_barcode(form.dossier_code),
    )
    return ctx


def stop_context(form: f.StopNoticeForm) -> dict:
    ctx = _common("05", form.agency)
    ctx.update(
        form=form,
        doc_number=doc_number(form.number, "05"),
        place_date=place_and_date(form.place, _day(form.issued_on)),
        received=time_and_date(form.received_at) if form.received_at else "",
        barcode=_small_barcode(form.dossier_code),
    )
    return ctx


def control_sheet_context(form: f.ControlSheetForm) -> dict:
    ctx = _common("06", form.agency)
    rows = []
    for row in form.rows:
        given = time_and_date(row.given_at)
        received = time_and_date(row.received_at) if row.received_at else ""
        rows.append(
            {
                "from_agency": row.from_agency,
                "to_agency": row.to_agency,
                "given": given,
                "received": received if received and received != given else "",
                "given_by": row.given_by,
                "received_by": row.received_by,
                "result": RESULT_LABELS.get(row.result or "", ""),
                "action": row.action,
                "note": row.note,
            }
        )
    ctx.update(
        form=form,
        rows=rows,
        blank_rows=range(max(0, form.blank_rows)),
        empty_time=time_and_date(None),
        barcode=barcode(form.dossier_code, module_mm=0.25),
    )
    return ctx


def _stamp(value: date | datetime | None) -> dict:
    return {"date": short_date(value), "time": short_time(value)}


def ledger_context(form: f.LedgerForm) -> dict:
    ctx = _common("07", form.agency)
    rows = [
        {
            "number": row.number if row.number is not None else i,
            "code": row.code,
            "procedure": row.procedure_name,
            "sets": two_digits(row.sets),
            "name": row.applicant_name,
            "address": row.applicant_address,
            "phone": row.applicant_phone,
            "lead_agency": row.lead_agency,
            "stamps": [
                _stamp(row.received_at),
                _stamp(row.due_at),
                _stamp(row.sent_to_agency_at),
                _stamp(row.result_received_at),
                _stamp(row.returned_at),
            ],
            "note": row.note,
        }
        for i, row in enumerate(form.rows, start=1)
    ]
    ctx.update(
        form=form,
        rows=rows,
        period_from=short_date(form.period_from) or BLANK,
        period_to=short_date(form.period_to) or BLANK,
        columns=range(1, 14),
    )
    return ctx


# --- HTML and PDF ---------------------------------------------------------------------------------

_TEMPLATES = {
    f.SupplementRequestForm: ("documents/form02_supplement.html", supplement_context),
    f.RefusalForm: ("documents/form03_refusal.html", refusal_context),
    f.ApologyExtensionForm: ("documents/form04_apology.html", apology_context),
    f.StopNoticeForm: ("documents/form05_stop.html", stop_context),
    f.ControlSheetForm: ("documents/form06_control_sheet.html", control_sheet_context),
    f.LedgerForm: ("documents/form07_ledger.html", ledger_context),
}


@cache
def _font_css() -> str:
    return fonts.font_face_css("serif", "MotcuaSerif") + "\n" + fonts.font_face_css("sans", "MotcuaSans")


def _html(template: str, context: dict) -> str:
    context = {**context, "font_css": _font_css()}
    html = _engine.get_template(template).render(Context(context, autoescape=True))
    return unicodedata.normalize("NFC", html)


def html_for(form: object, *, layout: str = "a4", page_height_mm: float | None = None) -> str:
    form = nfc(form)
    if isinstance(form, f.ReceiptForm):
        if layout not in ("a4", "80mm"):
            raise ValueError(f"unknown receipt layout {layout!r}")
        context = receipt_context(form, layout)
        if layout == "80mm":
            context["page_height_mm"] = f"{page_height_mm or DRAFT_HEIGHT_MM:.2f}"
            return _html("documents/form01_receipt_80mm.html", context)
        return _html("documents/form01_receipt.html", context)
    try:
        template, build = _TEMPLATES[type(form)]
    except KeyError:
        raise TypeError(f"not a form: {type(form).__name__}") from None
    return _html(template, build(form))


@cache
def _font_files() -> frozenset[str]:
    files = set()
    for kind in ("serif", "sans"):
        files.update(str(p.resolve()) for p in fonts.font_family(kind).files().values())
    return frozenset(files)


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class RestrictedFetcher(URLFetcher):
        """Only data: URIs and our font files; anything else is refused."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://") and unquote(urlsplit(url).path) in _font_files():
                return super().fetch(url, headers)
            raise ValueError(f"motcua.documents: refusing to fetch {url[:80]!r}")

    return RestrictedFetcher


def _document(html: str):
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher_class()(allowed_protocols=("data", "file"))
    return HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=fetcher).render(font_config=FontConfiguration())


def _pdf(html: str) -> bytes:
    return _document(html).write_pdf()


def pdf_for(form: object, *, layout: str = "a4") -> bytes:
    if isinstance(form, f.ReceiptForm) and layout == "80mm":
        return _receipt_80mm(form)
    return _pdf(html_for(form, layout=layout))


def _receipt_80mm(form: f.ReceiptForm) -> bytes:
    """Lay the receipt out on a very long page, then print it on a page as long as its content."""
    draft = _document(html_for(form, layout="80mm"))
    if "end" not in draft.pages[0].anchors:  # longer than even the draft page: keep its pages
        return draft.write_pdf()
    end_y = draft.pages[0].anchors["end"][1]  # (x1, y1, x2, y2) in CSS px from the page's top
    height_mm = end_y / PX_PER_MM + 4 + 2  # the bottom margin, and 2 mm so that nothing spills over
    return _pdf(html_for(form, layout="80mm", page_height_mm=height_mm))


# --- one entry point per form (called from motcua.documents.forms) --------------------------------


def receipt(form: f.ReceiptForm, *, layout: str = "a4") -> bytes:
    return pdf_for(form, layout=layout)


def supplement_request(form: f.SupplementRequestForm) -> bytes:
    return pdf_for(form)


def refusal(form: f.RefusalForm) -> bytes:
    return pdf_for(form)


def apology_extension(form: f.ApologyExtensionForm) -> bytes:
    return pdf_for(form)


def stop_notice(form: f.StopNoticeForm) -> bytes:
    return pdf_for(form)


def control_sheet(form: f.ControlSheetForm) -> bytes:
    return pdf_for(form)


def ledger(form: f.LedgerForm) -> bytes:
    return pdf_for(form)
