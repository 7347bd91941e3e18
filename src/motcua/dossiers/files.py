"""Uploaded files: type from the bytes (not the name), size limit, SHA-256, storage.

Accepted types (docs/architecture.md §4): PDF, JPEG, PNG, TIFF, recognised by their magic numbers. The file is
written through Django's default storage under a generated name (never the user's file name as
a path), and only then may a row refer to it; a stored file is never overwritten.

Hostile files: beyond the type and size, the content is checked (`content_problem`):
a PDF's page count (MOTCUA_MAX_PDF_PAGES), an image's dimensions (MOTCUA_MAX_IMAGE_PIXELS; a
decompression bomb is refused before it is decoded), and HTML or script hidden in a PDF or image
(a polyglot that a browser could run if it ever rendered the file: refused outright, and files
are in any case served as attachments with nosniff and a sandboxing CSP). Archives (.zip, .docx)
are not accepted dossier files; `zip_problem` checks form templates for zip bombs. With
MOTCUA_CLAMD set, every stored file is scanned by clamd first (`scan`, INSTREAM protocol).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import bounded

from .errors import FileRefused

MAX_NAME_CHARS = 255
CHUNK = 64 * 1024

# (magic prefix, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"II*\x00", "image/tiff", "tif"),
    (b"MM\x00*", "image/tiff", "tif"),
)
# `Component.accepted_types` uses extensions; these are the same types under other names.
EXTENSION_ALIASES = {"jpeg": "jpg", "tiff": "tif"}


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    original_name: str
    content_type: str
    extension: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(settings.MOTCUA_MAX_UPLOAD_BYTES)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None when not an accepted type."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def clean_name(name: str | None) -> str:
    """A display name: the last path part, NFC, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name[:MAX_NAME_CHARS]
    return name or "tep-khong-ten"


def accepted_extensions(accepted_types: str) -> set[str]:
    items = {t.strip().lower().lstrip(".") for t in (accepted_types or "").split(",") if t.strip()}
    return {EXTENSION_ALIASES.get(t, t) for t in items}


def check_and_store(upload: IO[bytes], name: str, *, accepted_types: str | None = None) -> StoredFile:
    """Check the upload and write it to storage; raise FileRefused (naming the file) otherwise."""
    display = clean_name(name)
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(display, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(16)
    if not head:
        raise FileRefused(_("Tệp «%(name)s» rỗng.") % {"name": display}, field="file", code="file_empty")
    detected = sniff(head)
    if detected is None:
        raise FileRefused(
            _("Tệp «%(name)s» không phải PDF, JPEG, PNG hay TIFF "
              "(loại tệp được xác định theo nội dung, không theo tên).")
            % {"name": display},
            field="file",
            code="file_type_refused",
        )
    content_type, extension = detected
    if accepted_types is not None:
        allowed = accepted_extensions(accepted_types)
        if allowed and extension not in allowed:
            raise FileRefused(
                _("Tệp «%(name)s» là %(type)s, nhưng giấy tờ này chỉ nhận: %(allowed)s.")
                % {"name": display, "type": extension.upper(), "allowed": ", ".join(sorted(allowed)).upper()},
                field="file",
                code="file_type_refused",
            )
    # Hash and measure in one pass; the size check here also covers uploads without `.size`.
    digest = hashlib.sha256(head)
    total = len(head)
    while chunk := upload.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise _too_big(display, limit)
        digest.update(chunk)
    upload.seek(0)
    check_content(upload, display, extension)
    scan(upload, display)
    now = timezone.now()
    key = f"dossiers/{now:%Y/%m}/{secrets.token_hex(16)}.{extension}"
    # Storage picks another name rather than overwrite; we keep whatever name it returns.
    stored_key = default_storage.save(key, File(upload, name=key))
    return StoredFile(stored_key, display, content_type, extension, total, digest.hexdigest())


def _too_big(display: str, limit: int) -> FileRefused:
    return FileRefused(
        _("Tệp «%(name)s» lớn hơn giới hạn %(mb)s MB.") % {"name": display, "mb": f"{limit / 1024 / 1024:g}"},
        field="file",
        code="file_too_large",
    )


def _mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}"


def upload_problem(upload: IO[bytes], name: str, accepted_types: str | None) -> str | None:
    """None when the file may be stored, else a Vietnamese message naming the file and the rule.

    The pages check every file of a form before storing any (so that one bad file does not
    leave others stored); `check_and_store` checks again when it stores."""
    display = clean_name(name)
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        return _("Tệp «%(name)s» lớn hơn giới hạn %(mb)s MB (tệp này %(size)s MB).") % {
            "name": display, "mb": _mb(limit), "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
        }
    if size == 0:
        return _("Tệp «%(name)s» rỗng (0 byte).") % {"name": display}
    try:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
    except (OSError, ValueError):
        return _("Không đọc được tệp «%(name)s»; hãy chọn lại.") % {"name": display}
    if not head:
        return _("Tệp «%(name)s» rỗng (0 byte).") % {"name": display}
    detected = sniff(head)
    if detected is None:
        return _("Tệp «%(name)s» không phải PDF, JPEG, PNG hay TIFF (loại tệp được xác định theo nội dung, "
                 "không theo tên). Chỉ nhận tệp PDF, JPEG, PNG, TIFF.") % {"name": display}
    allowed = accepted_extensions(accepted_types or "")
    if allowed and detected[1] not in allowed:
        return _("Tệp «%(name)s» là %(type)s, nhưng giấy tờ này chỉ nhận: %(allowed)s.") % {
            "name": display, "type": detected[1].upper(), "allowed": ", ".join(sorted(allowed)).upper(),
        }
    try:
        check_content(upload, display, detected[1])
        scan(upload, display)  # scanned again when stored: a page may check before the dossier exists
    except FileRefused as exc:
        return exc.message
    return None


# --- content checks (hostile files) ------------------------------------------------------------------

# Markers of HTML or script: a file that holds them is a polyglot a browser could run. Long enough
# that compressed streams never match by chance (the chance is below 1e-12 per megabyte).
ACTIVE_MARKERS = (b"<script", b"<html", b"<!doctype html", b"<iframe", b"javascript:")
_OVERLAP = max(len(m) for m in ACTIVE_MARKERS)
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")


def _refused(message: str, code: str) -> FileRefused:
    return FileRefused(message, field="file", code=code)


def _chunks(upload: IO[bytes]):
    upload.seek(0)
    tail = b""
    while chunk := upload.read(CHUNK):
        yield tail + chunk
        tail = chunk[-_OVERLAP:]
    upload.seek(0)


def active_content(upload: IO[bytes]) -> bytes | None:
    """The first HTML/script marker found anywhere in the file (case-insensitive), or None."""
    for chunk in _chunks(upload):
        lowered = chunk.lower()
        for marker in ACTIVE_MARKERS:
            if marker in lowered:
                return marker
    return None


# The file's end, where a PDF's trailer must be: the format puts "startxref" in the last 1,024
# bytes, and a reader that searches further back line by line is where hostile files spin.
TRAILER_WINDOW = 4096


class TooComplex(Exception):
    """Reading the file would cost more than MOTCUA_PDF_CHECK_CPU_SECONDS of CPU."""


def pdf_page_count(upload: IO[bytes]) -> int:
    """Pages of a PDF: the page tree's /Count (pyHanko's reader) or the page objects in the raw
    bytes, whichever is larger (a broken or lying page tree cannot hide pages).

    The raw count is one linear pass. The page tree is read only when the trailer is where the
    format puts it, and in a child process stopped at MOTCUA_PDF_CHECK_CPU_SECONDS of CPU
    (TooComplex then)."""
    raw_count = sum(len(_PAGE_OBJECT.findall(chunk)) for chunk in _chunks_no_overlap(upload))
    tree_count = 0
    trailer = pdf_trailer(upload)
    if trailer == "too_many_objects":
        raise TooComplex("the trailer declares more objects than MOTCUA_PDF_MAX_OBJECTS")
    if trailer == "ok":
        try:
            tree_count = bounded.run(_tree_count, upload, cpu_seconds=settings.MOTCUA_PDF_CHECK_CPU_SECONDS)
        except bounded.TooExpensive as exc:
            raise TooComplex(str(exc)) from None
        except bounded.ChildFailed:  # any parser failure: the raw count stands
            tree_count = 0
        finally:
            upload.seek(0)
    return max(raw_count, tree_count)


_SIZE = re.compile(rb"/Size\s+(\d{1,12})")


def pdf_trailer(upload: IO[bytes]) -> str:
    """What the last TRAILER_WINDOW bytes say before any parser runs: "missing" (no startxref
    there), "too_many_objects" (a /Size over MOTCUA_PDF_MAX_OBJECTS: a cross-reference table a
    parser would spend seconds on; a scan or a signed result has a few hundred) or "ok"."""
    upload.seek(0, os.SEEK_END)
    upload.seek(max(0, upload.tell() - TRAILER_WINDOW))
    tail = upload.read(TRAILER_WINDOW)
    upload.seek(0)
    if b"startxref" not in tail:
        return "missing"
    sizes = [int(m) for m in _SIZE.findall(tail)]
    if sizes and max(sizes) > settings.MOTCUA_PDF_MAX_OBJECTS:
        return "too_many_objects"
    return "ok"


def _tree_count(upload: IO[bytes]) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    upload.seek(0)
    return int(PdfFileReader(upload, strict=False).root["/Pages"]["/Count"])


def _chunks_no_overlap(upload: IO[bytes]):
    """Chunks that overlap only on line boundaries, so a page object is counted once."""
    upload.seek(0)
    carry = b""
    while chunk := upload.read(CHUNK):
        data = carry + chunk
        cut = data.rfind(b"\n")
        if cut < 0 or len(data) - cut > 4096:
            cut = len(data) - 32
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry
    upload.seek(0)


def image_pixels(upload: IO[bytes]) -> tuple[int, int]:
    """(width, height) from the image header only: nothing is decoded, so a bomb costs nothing."""
    from PIL import Image

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            return image.size
    finally:
        upload.seek(0)


def check_content(upload: IO[bytes], display: str, extension: str) -> None:
    """Raise FileRefused (with a Vietnamese message naming the file) for hostile content."""
    marker = active_content(upload)
    if marker is not None:
        raise _refused(
            _("Tệp «%(name)s» chứa mã HTML hoặc mã lệnh (%(marker)s) nên không được nhận. Hãy in hoặc quét lại "
              "giấy tờ thành tệp PDF, JPEG, PNG hay TIFF thông thường.")
            % {"name": display, "marker": marker.decode("ascii")},
            "file_active_content",
        )
    if extension == "pdf":
        limit = int(settings.MOTCUA_MAX_PDF_PAGES)
        try:
            pages = pdf_page_count(upload)
        except TooComplex:
            raise _refused(
                _("Tệp PDF «%(name)s» quá phức tạp để kiểm tra. Hãy quét lại hoặc xuất lại thành tệp PDF "
                  "thông thường (chức năng «In ra PDF» hay «Lưu thành PDF»).") % {"name": display},
                "file_too_complex",
            ) from None
        if pages > limit:
            raise _refused(
                _("Tệp «%(name)s» có %(pages)s trang, nhiều hơn giới hạn %(limit)s trang mỗi tệp. "
                  "Hãy tách thành nhiều tệp.") % {"name": display, "pages": pages, "limit": limit},
                "file_too_many_pages",
            )
        return
    from PIL import Image, UnidentifiedImageError

    limit = int(settings.MOTCUA_MAX_IMAGE_PIXELS)
    too_large = _refused(
        _("Ảnh «%(name)s» quá lớn (tối đa %(mp)s triệu điểm ảnh). Hãy chụp hoặc quét ở độ phân giải thấp hơn "
          "(300 dpi là đủ).") % {"name": display, "mp": f"{limit / 1_000_000:g}"},
        "file_image_too_large",
    )
    try:
        width, height = image_pixels(upload)
    except Image.DecompressionBombError:  # beyond twice Pillow's own limit
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error):
        # Pillow cannot read the header (an unusual or damaged encoding): the magic bytes matched
        # and the file is only ever served as an attachment, so it is kept for a person to judge.
        return
    if width * height > limit:
        raise too_large


def zip_problem(upload: IO[bytes], display: str, *, max_total: int = 100 * 1024 * 1024, max_ratio: int = 100,
                max_members: int = 2000) -> str | None:
    """For archives that are accepted (a .docx form template): None, or why it looks like a zip bomb.
    Reads only the central directory (declared sizes); a member that lies is caught by the ratio."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return _("Tệp «%(name)s» không phải tệp nén hợp lệ.") % {"name": display}
    finally:
        upload.seek(0)
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if len(members) > max_members or total > max_total or total / packed > max_ratio:
        return _("Tệp «%(name)s» giải nén ra quá lớn (%(mb)s MB từ %(packed)s MB): có thể là tệp độc hại, "
                 "không được nhận.") % {"name": display, "mb": f"{total / 1024 / 1024:.0f}",
                                         "packed": f"{packed / 1024 / 1024:.1f}"}
    return None


# --- antivirus (clamd) -------------------------------------------------------------------------------


class ScanUnavailable(Exception):
    pass


def _clamd_socket(address: str, timeout: float) -> socket.socket:
    if address.startswith("/") or address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address.removeprefix("unix:"))
        return sock
    host, _sep, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout)


def clamd_scan(upload: IO[bytes], address: str, timeout: float = 30) -> str | None:
    """INSTREAM the file to clamd; None when clean, else the signature name. ScanUnavailable
    when clamd cannot be reached or answers something else."""
    try:
        with _clamd_socket(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            upload.seek(0)
            while chunk := upload.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except (OSError, ValueError) as exc:
        raise ScanUnavailable(str(exc)) from exc
    finally:
        upload.seek(0)
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("OK"):
        return None
    if text.endswith("FOUND"):
        return text.removeprefix("stream:").removesuffix("FOUND").strip() or "?"
    raise ScanUnavailable(text or "no answer")


def scan(upload: IO[bytes], display: str) -> None:
    """With MOTCUA_CLAMD set: refuse infected files, and refuse (for now) when the scanner is down."""
    address = str(settings.MOTCUA_CLAMD).strip()
    if not address:
        return
    try:
        found = clamd_scan(upload, address, float(settings.MOTCUA_CLAMD_TIMEOUT))
    except ScanUnavailable as exc:
        import logging

        logging.getLogger("motcua.files").error("clamd at %s unavailable: %s", address, exc)
        raise _refused(_("Chưa kiểm tra được virus cho tệp «%(name)s» (máy quét tạm thời không trả lời). "
                         "Vui lòng thử lại sau ít phút.") % {"name": display}, "file_scan_unavailable") from None
    if found is not None:
        raise _refused(_("Tệp «%(name)s» bị phát hiện có mã độc (%(sig)s) nên không được nhận.")
                       % {"name": display, "sig": found}, "file_infected")


def download_response(dossier_file, *, inline: bool = False):
    """Serve a stored file as an attachment under its original name, type from the stored check."""
    from django.http import FileResponse

    handle = default_storage.open(dossier_file.storage_key, "rb")
    response = FileResponse(
        handle, as_attachment=not inline, filename=dossier_file.original_name, content_type=dossier_file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
