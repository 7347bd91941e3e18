"""Sign PDF bytes with pyHanko (PAdES baseline B) and turn scanned images into PDF.

The signature is an incremental update: the bytes of the source PDF are kept as they were and
the signed file covers them all. The visible stamp sits in the bottom margin of the first page
(an A4 administrative document keeps 20-25 mm free there, NĐ 30/2020 Phụ lục I) and shows the
organisation, the signing time in ISO 8601 with +07:00 and where to check the file. It is drawn
by WeasyPrint with the same Vietnamese font as the official forms; a page turned by /Rotate, or
too small for the stamp, gets an invisible signature instead.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.html import escape
from django.utils.translation import gettext as _

from .errors import NotSignable

# WeasyPrint logs every layout step at INFO; keep it quiet unless the project configures it.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP_WIDTH = 230  # points
STAMP_HEIGHT = 44
STAMP_MARGIN = 12
MAX_IMAGE_PAGES = 100
IMAGE_DEFAULT_DPI = 200
JPEG_QUALITY = 92


@dataclass(frozen=True)
class StampText:
    organisation: str
    lines: tuple[str, ...] = ()  # extra lines: dossier code, where to check


@dataclass(frozen=True)
class SignatureRequest:
    signed_at: dt.datetime
    reason: str
    location: str | None
    name: str
    stamp: StampText | None
    field_name: str = "KySoKetQua"
    # Issue #17: the leader's approval is a certification signature (DocMDP level 2: form filling
    # and signing allowed afterwards) over a result given fields for the number, the date and the
    # agency's signature; the clerk's completion fills them and signs the agency's field.
    certify: bool = False
    existing_field: bool = False  # sign the pre-placed field named field_name (no new field)


def iso_local(instant: dt.datetime) -> str:
    """"2026-11-27T18:20:05+07:00"."""
    return instant.astimezone(TZ).replace(microsecond=0).isoformat()


def stamp_time(instant: dt.datetime) -> str:
    """"27.11.2026 18:20:05 +07:00": date, time and the Vietnam offset (NĐ 30/2020, Phụ lục I)."""
    local = instant.astimezone(TZ)
    return f"{local:%d.%m.%Y %H:%M:%S} +07:00"


# --- images --------------------------------------------------------------------------------------


def image_to_pdf(data: bytes) -> bytes:
    """A PDF with one page per frame of a JPEG/PNG/TIFF scan, at the scan's resolution."""
    from PIL import Image, ImageSequence

    try:
        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi") or (IMAGE_DEFAULT_DPI, IMAGE_DEFAULT_DPI)
            resolution = float(dpi[0]) if 50 <= float(dpi[0] or 0) <= 1200 else IMAGE_DEFAULT_DPI
            pages = []
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_IMAGE_PAGES:
                    raise NotSignable(_("Tệp ảnh có quá %(n)d trang.") % {"n": MAX_IMAGE_PAGES})
                pages.append(_printable(frame.copy()))
    except NotSignable:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotSignable(_("Không đọc được tệp ảnh: %(error)s") % {"error": exc}) from exc
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=resolution, save_all=True, append_images=pages[1:], quality=JPEG_QUALITY)
    return out.getvalue()


def _printable(frame):
    if frame.mode in ("1", "L", "RGB", "CMYK"):
        return frame
    if frame.mode in ("RGBA", "LA", "P", "PA"):
        from PIL import Image

        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return frame.convert("RGB")


# --- the stamp -----------------------------------------------------------------------------------


def _stamp_pdf(stamp: StampText, signed_at: dt.datetime) -> bytes:
    import weasyprint

    from motcua.documents import fonts

    font = fonts.font_family("sans")
    lines = [
        f"<strong>{escape(_('Ký số bởi'))}: {escape(stamp.organisation)}</strong>",
        f"{escape(_('Thời gian ký'))}: {escape(stamp_time(signed_at))}",
        *(escape(line) for line in stamp.lines),
    ]
    html = (
        "<!doctype html><meta charset='utf-8'><style>"
        f"@font-face {{ font-family: S; src: url('{font.regular.resolve().as_uri()}'); }}"
        f"@font-face {{ font-family: S; font-weight: bold; src: url('{font.bold.resolve().as_uri()}'); }}"
        f"@page {{ size: {STAMP_WIDTH}pt {STAMP_HEIGHT}pt; margin: 0 }}"
        "body { margin: 0; font: 6.6pt/1.3 S; color: #0b3d6e; }"
        f".s {{ box-sizing: border-box; height: {STAMP_HEIGHT}pt; border: .8pt solid #0b3d6e; border-radius: 2pt;"
        " padding: 2.5pt 4pt; overflow: hidden; overflow-wrap: anywhere; }"
        "</style><div class='s'>" + "<br>".join(lines) + "</div>"
    )
    # Only the font files are read: the HTML is ours and holds escaped text, no URL of the user.
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def _inherited(page, key: str):
    node = page
    for _depth in range(32):
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node["/Parent"]
    return None


def _stamp_box(writer) -> tuple[int, int, int, int] | None:
    """Bottom-right of the first page's visible area, or None (invisible) when it does not fit."""
    box = _first_page_box(writer)
    if box is None:  # an odd page tree, or a turned page: sign invisibly rather than not at all
        return None
    left, bottom, right, top = box
    if right - left < STAMP_WIDTH + 2 * STAMP_MARGIN or top - bottom < 4 * STAMP_HEIGHT:
        return None
    x_right = int(right - STAMP_MARGIN)
    y_bottom = int(bottom + 8)
    return (x_right - STAMP_WIDTH, y_bottom, x_right, y_bottom + STAMP_HEIGHT)


def _first_page_box(writer) -> tuple[float, float, float, float] | None:
    """(left, bottom, right, top) of the first page's visible area when it is upright, else None."""
    try:
        page_ref, _resources = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        if int(_inherited(page, "/Rotate") or 0) % 360:
            return None
        box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
        if box is None or len(box) != 4:
            return None
        x1, y1, x2, y2 = (float(Decimal(str(v.get_object() if hasattr(v, "get_object") else v))) for v in box)
    except Exception:  # noqa: BLE001 - an odd page tree is answered with None by the callers
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


# --- signing -------------------------------------------------------------------------------------


def sign_pdf(data: bytes, signer, request: SignatureRequest, *, prepare=None) -> bytes:
    """The PDF ``data`` signed by ``signer`` (a pyHanko signer) as ``request`` says.

    Raises NotSignable for a file that is not a readable, unencrypted PDF."""
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    if not data.startswith(b"%PDF-"):
        raise NotSignable(_("Tệp không phải PDF."))
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        if writer.prev.encrypted:
            raise NotSignable(_("Tệp PDF có mật khẩu bảo vệ; cần tệp không đặt mật khẩu."))
        box = _stamp_box(writer) if request.stamp is not None else None
    except NotSignable:
        raise
    except Exception as exc:  # pyHanko raises many kinds of errors on a damaged file
        raise NotSignable(_("Không đọc được tệp PDF (tệp hỏng hoặc không đúng chuẩn).")) from exc

    class _TimedSigner(signers.PdfSigner):
        # The signing time in the CMS signed attributes is the one printed on the stamp.
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            session.system_time = request.signed_at
            return session

    meta = signers.PdfSignatureMetadata(
        field_name=request.field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason, location=request.location or None, name=request.name,
        certify=request.certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    if request.existing_field:
        box = None  # the field's own rectangle
    if prepare is not None:
        try:
            prepare(writer)
        except NotSignable:
            raise
        except Exception as exc:  # noqa: BLE001 - an odd page tree or form
            raise NotSignable(_("Không chuẩn bị được các ô số, ngày trên tệp PDF này.")) from exc
    with tempfile.TemporaryDirectory(prefix="motcua-stamp-") as folder:
        style = None
        if box is not None:
            stamp_path = Path(folder) / "stamp.pdf"
            stamp_path.write_bytes(_stamp_pdf(request.stamp, request.signed_at))
            style = StaticStampStyle(
                background=ImportedPdfPage(str(stamp_path)), border_width=0, background_opacity=1.0,
                background_layout=_full_box_layout(),
            )
        if style is None and request.existing_field and request.stamp is not None:
            stamp_path = Path(folder) / "stamp.pdf"
            stamp_path.write_bytes(_stamp_pdf(request.stamp, request.signed_at))
            style = StaticStampStyle(
                background=ImportedPdfPage(str(stamp_path)), border_width=0, background_opacity=1.0,
                background_layout=_full_box_layout(),
            )
        spec = None if request.existing_field else fields.SigFieldSpec(request.field_name, on_page=0, box=box)
        pdf_signer = _TimedSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
        try:
            out = pdf_signer.sign_pdf(writer)
        except Exception as exc:
            raise NotSignable(_("Không ký được tệp PDF này: %(error)s") % {"error": str(exc)[:200]}) from exc
    return out.getvalue()


def _full_box_layout():
    from pyhanko.pdf_utils import layout

    return layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins.uniform(0), inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
    )


# --- approval: pre-placed fields (issue #17) -----------------------------------------------------

NUMBER_FIELD = "SoKetQua"
DATE_FIELD = "NgayKetQua"
AGENCY_FIELD = "KySoCoQuan"
TEXT_WIDTH, TEXT_HEIGHT = 230, 16


def _page_area(writer) -> tuple[float, float, float, float] | None:
    """(left, bottom, right, top) of the first page when it is upright and large enough, else None."""
    box = _first_page_box(writer)
    if box is None:
        return None
    left, bottom, right, top = box
    if right - left < 2 * STAMP_WIDTH + 3 * STAMP_MARGIN or top - bottom < 4 * STAMP_HEIGHT:
        return None
    return box


def _text_pdf(text: str, width: int, height: int, *, align: str = "left") -> bytes:
    import weasyprint

    from motcua.documents import fonts

    font = fonts.font_family("serif")
    face = f"@font-face {{ font-family: S; src: url('{font.regular.resolve().as_uri()}'); }}"
    html = (
        "<!doctype html><meta charset='utf-8'><style>" + face +
        f"@page {{ size: {width}pt {height}pt; margin: 0 }}"
        f"body {{ margin: 0; font: 10pt/{height}pt S; color: #000; text-align: {align}; white-space: nowrap;"
        " overflow: hidden; }</style><div>" + escape(text) + "</div>"
    )
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def _appearance(writer, text: str, width: float, height: float, folder: str, *, align: str = "left"):
    """A form XObject showing ``text`` (empty: a blank box), added to the writer."""
    from pyhanko.pdf_utils.content import ImportedPdfPage, RawContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.stamp import StaticStampStyle

    box = BoxConstraints(width=width, height=height)
    if not text:
        return writer.add_object(RawContent(b"", box=box).as_form_xobject())
    path = Path(folder) / f"text-{abs(hash(text))}.pdf"
    path.write_bytes(_text_pdf(text, int(width), int(height), align=align))
    style = StaticStampStyle(background=ImportedPdfPage(str(path)), border_width=0, background_opacity=1.0,
                             background_layout=_full_box_layout())
    stamp = style.create_stamp(writer, box, {})
    return writer.add_object(stamp.as_form_xobject())


def _acroform(writer):
    from pyhanko.pdf_utils import generic

    root = writer.root
    if "/AcroForm" in root:
        form = root["/AcroForm"]
        ref = root.raw_get("/AcroForm")
        if isinstance(ref, generic.IndirectObject):
            writer.mark_update(ref)
        else:
            writer.update_root()
    else:
        form = generic.DictionaryObject({generic.pdf_name("/Fields"): generic.ArrayObject()})
        root[generic.pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    if "/Fields" not in form:
        form[generic.pdf_name("/Fields")] = generic.ArrayObject()
    fields_ref = form.raw_get("/Fields")
    if isinstance(fields_ref, generic.IndirectObject):
        writer.mark_update(fields_ref)
    return form


def field_names(writer_or_reader) -> set[str]:
    root = writer_or_reader.root
    if "/AcroForm" not in root:
        return set()
    return {str(f.get_object().get("/T", "")) for f in root["/AcroForm"].get("/Fields", [])}


def prepare_approval_fields(writer, *, number_label: str, date_label: str) -> None:
    """Add the text fields for the result's number and date and an empty signature field for the
    agency, on the first page, unless the PDF has them already (a template may place its own)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign import fields

    present = field_names(writer)
    area = _page_area(writer)
    page_ref, _resources = writer.find_page_for_modification(0)
    if area is not None:
        left, bottom, right, top = area
        rects = {
            NUMBER_FIELD: (left + STAMP_MARGIN, top - 8 - TEXT_HEIGHT, left + STAMP_MARGIN + TEXT_WIDTH, top - 8),
            DATE_FIELD: (right - STAMP_MARGIN - TEXT_WIDTH, top - 8 - TEXT_HEIGHT, right - STAMP_MARGIN, top - 8),
        }
        agency_box = (int(left + STAMP_MARGIN), int(bottom + 8), int(left + STAMP_MARGIN + STAMP_WIDTH),
                      int(bottom + 8 + STAMP_HEIGHT))
    else:
        rects = {NUMBER_FIELD: (0, 0, 0, 0), DATE_FIELD: (0, 0, 0, 0)}
        agency_box = None
    labels = {NUMBER_FIELD: number_label, DATE_FIELD: date_label}
    with tempfile.TemporaryDirectory(prefix="motcua-fields-") as folder:
        form = None
        for name in (NUMBER_FIELD, DATE_FIELD):
            if name in present:
                continue
            form = form if form is not None else _acroform(writer)
            x1, y1, x2, y2 = rects[name]
            field = generic.DictionaryObject({
                generic.pdf_name("/FT"): generic.pdf_name("/Tx"),
                generic.pdf_name("/T"): generic.pdf_string(name),
                generic.pdf_name("/TU"): generic.pdf_string(labels[name]),
                generic.pdf_name("/V"): generic.pdf_string(""),
                generic.pdf_name("/DA"): generic.pdf_string("/Helv 10 Tf 0 g"),
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Widget"),
                generic.pdf_name("/F"): generic.NumberObject(4),
                generic.pdf_name("/P"): page_ref,
                generic.pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (x1, y1, x2, y2)]),
            })
            if x2 > x1:
                field[generic.pdf_name("/AP")] = generic.DictionaryObject({
                    generic.pdf_name("/N"): _appearance(writer, "", x2 - x1, y2 - y1, folder)})
            ref = writer.add_object(field)
            form["/Fields"].append(ref)
            page = page_ref.get_object()
            annots = page.get("/Annots") if "/Annots" in page else None
            if annots is None:
                page[generic.pdf_name("/Annots")] = generic.ArrayObject([ref])
                writer.mark_update(page_ref)
            else:
                raw = page.raw_get("/Annots")
                annots.append(ref)
                writer.mark_update(raw if isinstance(raw, generic.IndirectObject) else page_ref)
        if AGENCY_FIELD not in present:
            fields.append_signature_field(writer, fields.SigFieldSpec(AGENCY_FIELD, on_page=0, box=agency_box))


def fill_approval_fields(writer, values: dict[str, str], *, shown: dict[str, str] | None = None) -> list[str]:
    """Set the values (and appearances) of the pre-placed text fields; returns the names filled.
    ``shown``: how a field's value is printed ("Số: %(value)s"), the value itself by default."""
    shown = shown or {}
    from pyhanko.pdf_utils import generic

    root = writer.root
    if "/AcroForm" not in root:
        return []
    filled = []
    with tempfile.TemporaryDirectory(prefix="motcua-fields-") as folder:
        for ref in root["/AcroForm"].get("/Fields", []):
            field = ref.get_object()
            name = str(field.get("/T", ""))
            if name not in values or field.get("/FT") != "/Tx":
                continue
            field[generic.pdf_name("/V")] = generic.pdf_string(values[name])
            rect = [float(v) for v in field.get("/Rect", [0, 0, 0, 0])]
            width, height = abs(rect[2] - rect[0]), abs(rect[3] - rect[1])
            if width and height:
                align = "right" if name == DATE_FIELD else "left"
                text = shown.get(name, "%(value)s") % {"value": values[name]}
                field[generic.pdf_name("/AP")] = generic.DictionaryObject({
                    generic.pdf_name("/N"): _appearance(writer, text, width, height, folder, align=align)})
            writer.mark_update(ref)
            filled.append(name)
    return filled
