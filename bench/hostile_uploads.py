"""Hostile files at every upload door: the worst CPU time per MB, beside an ordinary file's.

Run: .venv/bin/python bench/hostile_uploads.py [--mb 19]

Each door's own check runs on each known pathological file, the way Django hands a large upload
to it (a temporary file on disk): a PDF whose last line is megabytes long (it once cost 2.3 s of
CPU per MB and 531 s wall for 20 MB), a cross-reference table of a million rows, a page tree a
hundred thousand levels deep, a page tree that lies about its count, an HTML polyglot, PNG and
TIFF headers declaring 10^10 pixels, a zip bomb as a form template. CPU is this process's plus its
children's (the page tree and signatures are read in a forked, CPU-limited child:
motcua.core.bounded). The doors:

  files     dossier files: counter scans, supplements, API uploads, results (dossiers.files)
  wizard    the citizen's upload in the submission wizard (submissions.files)
  verify    the public signature check /xac-thuc/ (signing.verify)
  template  an agency's .docx form template (dossiers.files.zip_problem)

Targets (issue #14): at most 0.2 s of CPU per MB (a file under 1 MB counts as 1 MB), and never
more than 5 s for any file. Imports are warmed up first. Ends with:
  BENCH hostile_uploads worst_s_per_mb=.. worst_file_s=.. worst=<door:file> ordinary_s_per_mb=.. target_per_mb=0.2
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import struct
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
# The /xac-thuc/ door asks the database whether the file is one the portal issued: a fresh one here.
_WORK = Path(tempfile.mkdtemp(prefix="motcua-hostile-"))
os.environ.setdefault("MOTCUA_DATA_DIR", str(_WORK))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_WORK / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from motcua.dossiers import files  # noqa: E402
from motcua.dossiers.errors import FileRefused  # noqa: E402
from motcua.signing import verify  # noqa: E402

MB = 1024 * 1024


def pdf(pages: int = 1, tail: bytes = b"") -> bytes:
    kids = " ".join(f"{i + 3} 0 R" for i in range(pages))
    parts = [b"%PDF-1.4\n", b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n",
             f"2 0 obj<</Type/Pages/Kids[{kids}]/Count {pages}>>endobj\n".encode()]
    parts += [f"{i + 3} 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n".encode()
              for i in range(pages)]
    return b"".join(parts) + b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n" + tail


def long_last_line(size: int) -> bytes:
    return pdf(2) + b"%" + b"A" * size


def huge_xref(size: int) -> bytes:
    entries = size // 20
    out = bytearray(pdf(1)[: pdf(1).index(b"trailer")])
    xref = len(out)
    out += b"xref\n0 %d\n" % entries + b"0000000000 65535 f \n" + b"0000000009 00000 n \n" * (entries - 1)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (entries, xref)
    return bytes(out)


def deep_tree(size: int) -> bytes:
    depth = size // 4
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/X " + b"[[" * (depth // 2) + b"]]" * (depth // 2)
            + b">>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n")


def lying_tree(size: int) -> bytes:
    pages = max(1, size // 80)
    return pdf(pages).replace(f"/Count {pages}".encode(), b"/Count 1")


def polyglot(size: int) -> bytes:
    return pdf(1) + b"\n" * size + b"<html><script>alert(1)</script>"


def ordinary(size: int) -> bytes:
    """A plain scan-like PDF: one page with an incompressible image stream."""
    stream = os.urandom(size)
    head = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n")
    return (head + b"4 0 obj<</Length " + str(size).encode() + b">>stream\n" + stream
            + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n")


def png_bomb(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * min(size, 4 * MB))) + chunk(b"IEND", b""))


def tiff_bomb(size: int) -> bytes:
    entries = [(256, 4, 1, 100_000), (257, 4, 1, 100_000), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, 1), (279, 4, 1, size)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\0\0\0\0"
    return b"II*\x00" + struct.pack("<I", 8 + size) + b"\0" * size + ifd


def zip_bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(max(1, size // 1000)):  # ~1000:1: size/1000 MB of zeros inflate from `size`
                member.write(b"\x00" * MB)
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


PDFS = {"long_last_line": long_last_line, "huge_xref": huge_xref, "deep_tree": deep_tree,
        "lying_tree": lying_tree, "polyglot": polyglot}
IMAGES = {"png_bomb": png_bomb, "tiff_bomb": tiff_bomb}


def door_files(data: bytes, name: str, handle) -> None:
    extension = "pdf" if data.startswith(b"%PDF") else ("png" if data.startswith(b"\x89PNG") else "tif")
    with contextlib.suppress(FileRefused):
        files.check_content(handle, name, extension)


def door_wizard(data: bytes, name: str, handle) -> None:
    from motcua.submissions import files as draft_files

    with contextlib.suppress(FileRefused):
        stored = draft_files.store(handle, name, accepted_types=None)
        draft_files.delete_stored([stored.storage_key])


def door_verify(data: bytes, name: str, handle) -> None:
    verify.verify_pdf(data)


def door_template(data: bytes, name: str, handle) -> None:
    files.zip_problem(handle, name)


def cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def measure(door, data: bytes, name: str) -> float:
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        handle.seek(0)
        before = cpu()
        door(data, name, handle)
        return cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=19, help="file size (under the 20 MB upload limit)")
    args = parser.parse_args()
    size = int(args.mb * MB)
    cases = [("files", door_files, PDFS | IMAGES), ("wizard", door_wizard, PDFS | IMAGES),
             ("verify", door_verify, PDFS), ("template", door_template, {"zip_bomb": zip_bomb})]
    worst = (0.0, 0.0, "")
    for _door_name, door, makers in cases:  # warm up: imports (Pillow, pyHanko) are not the file's cost
        for make in makers.values():
            measure(door, make(1024), "warm.bin")
    for door_name, door, makers in cases:
        for file_name, make in makers.items():
            data = make(size)
            seconds = measure(door, data, f"{file_name}.bin")
            per_mb = seconds / max(len(data) / MB, 1)  # a file under 1 MB counts as 1 MB
            print(f"{door_name:9} {file_name:15} {len(data) / MB:7.1f} MB {seconds:7.2f} s CPU {per_mb:6.3f} s/MB")
            if per_mb > worst[0]:
                worst = (per_mb, worst[1], f"{door_name}:{file_name}")
            worst = (worst[0], max(worst[1], seconds), worst[2])
    data = ordinary(size)
    ordinary_per_mb = measure(door_files, data, "scan.pdf") / (len(data) / MB)
    print(f"BENCH hostile_uploads worst_s_per_mb={worst[0]:.3f} worst_file_s={worst[1]:.2f} worst={worst[2]} "
          f"ordinary_s_per_mb={ordinary_per_mb:.3f} mb={args.mb:g} target_per_mb=0.2 target_file_s=5")


if __name__ == "__main__":
    main()
