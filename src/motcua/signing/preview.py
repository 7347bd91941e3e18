"""Page images of result files, for the approval page (issue #17).

A PDF cannot be embedded in our pages (the security headers forbid frames and objects), so the
leader sees what they sign as PNG images made on the server with poppler's ``pdftoppm``:
at most ``MAX_PAGES`` pages, each at most ``MAX_PIXELS`` wide or high (``-scale-to``), within
``TIMEOUT`` seconds. Images are cached by the file's SHA-256 (``<data dir>/previews/<sha>/``), so a
file is rendered once; the back office serves them through a view that checks the file is visible
to the user (``dossiers.queries.visible_files``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from . import pades
from .errors import NotSignable

logger = logging.getLogger(__name__)

MAX_PAGES = 10
MAX_PIXELS = 1000  # the longer side of a page image
DPI = 100
TIMEOUT = 30  # seconds for one file
PDF = "application/pdf"
IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff"}


def cache_dir(sha256: str) -> Path:
    return Path(settings.DATA_DIR) / "previews" / sha256[:2] / sha256


def _pages_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def pages(file) -> list[Path]:
    """The page images of a stored result file (rendered once, then from the cache); [] when the
    file cannot be shown (not a PDF nor an image, damaged, too costly)."""
    if file.content_type != PDF and file.content_type not in IMAGE_TYPES:
        return []
    folder = cache_dir(file.sha256)
    done = folder / "done"
    if done.is_file():
        return _pages_in(folder)
    try:
        with default_storage.open(file.storage_key, "rb") as handle:
            raw = handle.read()
    except OSError:
        return []
    if hashlib.sha256(raw).hexdigest() != file.sha256:
        return []
    try:
        data = raw if file.content_type == PDF else pades.image_to_pdf(raw)
    except NotSignable:
        return []
    return render(data, folder)


def render(data: bytes, folder: Path) -> list[Path]:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="motcua-preview-", dir=folder.parent) as work:
        source = Path(work) / "in.pdf"
        source.write_bytes(data)
        command = ["pdftoppm", "-png", "-r", str(DPI), "-scale-to", str(MAX_PIXELS), "-f", "1", "-l", str(MAX_PAGES),
                   str(source), str(Path(work) / "page")]
        try:
            subprocess.run(command, check=True, timeout=TIMEOUT, capture_output=True)  # noqa: S603 (fixed program)
        except (subprocess.SubprocessError, OSError) as exc:
            logger.warning("signing: no page images for a result file: %s", exc)
            return []
        out = Path(work) / "out"
        out.mkdir()
        for image in Path(work).glob("page-*.png"):
            number = int(image.stem.rsplit("-", 1)[1])
            image.rename(out / f"page-{number}.png")
        (out / "done").write_text("ok")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # another request rendered it meanwhile
            out.rename(folder)
    return _pages_in(folder)


def page_path(file, number: int) -> Path | None:
    for path in pages(file):
        if path.stem == f"page-{number}":
            return path
    return None
