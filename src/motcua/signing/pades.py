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
    try:
        page_ref, _resources = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        if int(_inherited(page, "/Rotate") or 0) % 360:
            return None
        box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
        if box is None or len(box) != 4:
            return None
        x1, y1, x2, y2 = (float(Decimal(str(v.get_object() if hasattr(v, "get_object") else v))) for v in box)
    except Exception:  # an odd page tree: sign invisibly rather than not at all
        return None
    left, right, bottom = min(x1, x2), max(x1, x2), min(y1, y2)
    if right - left < STAMP_WIDTH + 2 * STAMP_MARGIN or abs(y2 - y1) < 4 * STAMP_HEIGHT:
        return None
    x_right = int(right - STAMP_MARGIN)
    y_bottom = int(bottom + 8)
    return (x_right - STAMP_WIDTH, y_bottom, x_right, y_bottom + STAMP_HEIGHT)


# --- signing -------------------------------------------------------------------------------------


def sign_pdf(data: bytes, signer, request: SignatureRequest) -> bytes:
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
    )
    with tempfile.TemporaryDirectory(prefix="motcua-stamp-") as folder:
        style = None
        if box is not None:
            stamp_path = Path(folder) / "stamp.pdf"
            stamp_path.write_bytes(_stamp_pdf(request.stamp, request.signed_at))
            style = StaticStampStyle(
                background=ImportedPdfPage(str(stamp_path)), border_width=0, background_opacity=1.0,
                background_layout=_full_box_layout(),
            )
        spec = fields.SigFieldSpec(request.field_name, on_page=0, box=box)
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
