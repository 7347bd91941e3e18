"""Page images of result files, for the approval page (issue #17).

A PDF cannot be embedded in our pages (the security headers forbid frames and objects), so the
leader sees what they sign as PNG images made on the server with poppler's ``pdftoppm``.

Nothing is rendered while the dossier page renders: the page only needs the page COUNT
(``page_count``: ``pdfinfo``, a few seconds at most, or the frame count of a scan), cached per file
content (SHA-256). Each page image is made when the browser asks for it (``page_image``: one page,
``pdftoppm -f n -l n``), at most ``MAX_PAGES`` pages, at most ``MAX_PIXELS`` wide or high, with a
lock per content and page (a file lock in the cache folder) so that concurrent requests render it
once, and with limits on the child process: ``TIMEOUT`` seconds of wall clock, ``CPU_SECONDS`` of
CPU and ``MEMORY_BYTES`` of address space (``resource.setrlimit`` in the child). A scan (JPEG,
PNG, TIFF) is turned into a PDF once, in a bounded child (``core.bounded``), and that PDF cached.

Cache: ``<data dir>/previews/<sha[:2]>/<sha>/`` holds ``pages`` (the count), ``source.pdf`` (a
scan's PDF), ``page-<n>.png`` and ``page-<n>.failed`` (a page that could not be made is not tried
again). The back office serves the images through a view that checks the file is visible to the
user (``dossiers.queries.visible_files``) and logs the access.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from motcua.core import bounded

from . import pades
from .errors import NotSignable

logger = logging.getLogger(__name__)

MAX_PAGES = 10
MAX_PIXELS = 1000  # the longer side of a page image
DPI = 100
TIMEOUT = 30  # wall-clock seconds for one page image
CPU_SECONDS = 20  # CPU seconds for one page image
INFO_TIMEOUT = 5  # seconds for pdfinfo (the page count)
MEMORY_BYTES = 1024 * 1024 * 1024  # address space of pdftoppm / pdfinfo
PDF = "application/pdf"
IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff"}
_PAGES_RE = re.compile(rb"^Pages:\s+(\d+)\s*$", re.MULTILINE)


def cache_dir(sha256: str) -> Path:
    return Path(settings.DATA_DIR) / "previews" / sha256[:2] / sha256


def forget(sha256: str) -> None:
    """Remove the cached count and page images of one content (a draft's application preview
    goes with its draft: it shows personal data)."""
    if len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256):
        shutil.rmtree(cache_dir(sha256), ignore_errors=True)


def _limits(cpu_seconds: int):
    def apply() -> None:  # pragma: no cover - runs in the child, between fork and exec
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))

    return apply


def _run(command: list[str], *, timeout: float, cpu_seconds: int) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed program, our own arguments)
        command, check=True, timeout=timeout, capture_output=True, preexec_fn=_limits(cpu_seconds),  # noqa: PLW1509
    )


@contextlib.contextmanager
def _lock(folder: Path, name: str) -> Iterator[None]:
    """An exclusive lock on ``folder/name.lock`` (other workers wait; released on close)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _showable(file) -> bool:
    return file.content_type == PDF or file.content_type in IMAGE_TYPES


def _read(file) -> bytes | None:
    try:
        with default_storage.open(file.storage_key, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    return raw if hashlib.sha256(raw).hexdigest() == file.sha256 else None


def _atomic_write(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as out:
        out.write(data)
    os.replace(out.name, path)


def page_count(file) -> int:
    """How many pages the file has (0: it cannot be shown); cached per content."""
    if not _showable(file):
        return 0
    folder = cache_dir(file.sha256)
    known = folder / "pages"
    with contextlib.suppress(OSError, ValueError):
        return int(known.read_text())
    with _lock(folder, "pages"):
        with contextlib.suppress(OSError, ValueError):
            return int(known.read_text())
        count = _count(file, folder)
        _atomic_write(known, str(count).encode())
    return count


def _count(file, folder: Path) -> int:
    if file.content_type in IMAGE_TYPES:
        raw = _read(file)
        if raw is None:
            return 0
        try:
            return bounded.run(_frames, raw, cpu_seconds=5)
        except (bounded.TooExpensive, bounded.ChildFailed) as exc:
            logger.warning("signing: no page count for a scanned result file: %s", exc)
            return 0
    path = _stored_path(file)
    if path is None:
        return 0
    try:
        out = _run(["pdfinfo", str(path)], timeout=INFO_TIMEOUT, cpu_seconds=INFO_TIMEOUT).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        logger.warning("signing: no page count for a result file: %s", exc)
        return 0
    match = _PAGES_RE.search(out)
    return int(match.group(1)) if match else 0


def _frames(raw: bytes) -> int:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(raw)) as image:
        return int(getattr(image, "n_frames", 1))


def _stored_path(file) -> Path | None:
    """A local path of the stored PDF, its SHA-256 checked (a copy in the cache folder when the
    storage has no local path)."""
    try:
        path = Path(default_storage.path(file.storage_key))
    except NotImplementedError:
        path = None
    if path is not None:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None
        return path if digest == file.sha256 else None
    raw = _read(file)
    if raw is None:
        return None
    copy = cache_dir(file.sha256) / "source.pdf"
    _atomic_write(copy, raw)
    return copy


def _source_pdf(file) -> Path | None:
    """The PDF to render: the stored file, or a scan's PDF (made once, cached)."""
    if file.content_type == PDF:
        return _stored_path(file)
    folder = cache_dir(file.sha256)
    converted = folder / "source.pdf"
    if converted.is_file():
        return converted
    raw = _read(file)
    if raw is None:
        return None
    try:
        data = bounded.run(pades.image_to_pdf, raw, cpu_seconds=CPU_SECONDS)
    except (bounded.TooExpensive, bounded.ChildFailed, NotSignable) as exc:
        logger.warning("signing: a scanned result file could not be turned into PDF: %s", exc)
        return None
    _atomic_write(converted, data)
    return converted


def page_image(file, number: int) -> Path | None:
    """The image of page `number` (1-based) of a stored result file, made on first request under
    a lock (concurrent requests render it once), then served from the cache; None when there is
    no such page or it cannot be made."""
    if not 1 <= number <= min(MAX_PAGES, page_count(file)):
        return None
    folder = cache_dir(file.sha256)
    image, failed = folder / f"page-{number}.png", folder / f"page-{number}.failed"
    if image.is_file():
        return image
    try:
        with _lock(folder, f"page-{number}"):
            if image.is_file():
                return image
            if failed.is_file():
                return None
            made = _render_page(file, number, image)
            if not made:
                failed.write_text("failed")
                return None
    except FileNotFoundError:  # forgotten meanwhile (a draft's newer preview replaced this one)
        return None
    return image


def _render_page(file, number: int, image: Path) -> bool:
    source = _source_pdf(file)
    if source is None:
        return False
    with tempfile.TemporaryDirectory(prefix="motcua-preview-", dir=image.parent) as work:
        out = Path(work) / "page"
        command = ["pdftoppm", "-png", "-r", str(DPI), "-scale-to", str(MAX_PIXELS), "-f", str(number),
                   "-l", str(number), "-singlefile", str(source), str(out)]
        try:
            _run(command, timeout=TIMEOUT, cpu_seconds=CPU_SECONDS)
        except (subprocess.SubprocessError, OSError) as exc:
            logger.warning("signing: no image of page %s of a result file: %s", number, exc)
            return False
        made = out.with_suffix(".png")
        if not made.is_file():
            return False
        os.replace(made, image)
    return True
