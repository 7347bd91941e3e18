"""Hostile PDFs cost bounded work: the trailer is looked for in a small window at the end, and the
page tree is read in a child process stopped at MOTCUA_PDF_CHECK_CPU_SECONDS (a refusal that says
what to do)."""

from __future__ import annotations

import contextlib
import io
import tempfile

import pytest

from motcua.dossiers import files
from motcua.dossiers.errors import FileRefused
from tests.audit.hostile import pdf_with_pages


def with_xref(entries: int, claimed: int = 1) -> bytes:
    """A correct one-page PDF with a cross-reference table of `entries` rows (a parser walks them
    all); its page tree claims `claimed` pages."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count %d>>" % claimed,
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % entries
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"0000000000 00000 f \n" * (entries - 1 - len(offsets))
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (entries, xref)
    return bytes(out)


@contextlib.contextmanager
def as_temporary_file(data: bytes):
    """As Django keeps a large upload: a file on disk, where the old reader was slowest."""
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        handle.seek(0)
        yield handle


def test_a_long_last_line_is_never_searched_line_by_line():
    """3 MB took up to 10.8 s (20 MB: 531 s) in the page-tree reader; without a trailer where the
    format puts it, only the linear raw count runs."""
    data = pdf_with_pages(2) + b"%" + b"A" * (3 * 1024 * 1024)
    with as_temporary_file(data) as upload:
        assert files.pdf_trailer(upload) == "missing"
        assert files.pdf_page_count(upload) == 2
        assert upload.tell() == 0


def test_an_ordinary_pdf_is_read_through_its_page_tree():
    data = with_xref(10)
    assert files.pdf_trailer(io.BytesIO(data)) == "ok"
    assert files.pdf_page_count(io.BytesIO(data)) == 1
    # A tree that claims more pages than there are objects: its count, read in the child, stands.
    assert files.pdf_page_count(io.BytesIO(with_xref(10, claimed=400))) == 400


def test_a_pdf_too_costly_to_read_is_refused_with_what_to_do(settings):
    settings.MOTCUA_PDF_CHECK_CPU_SECONDS = 1
    settings.MOTCUA_PDF_MAX_OBJECTS = 10_000_000  # let the parser meet it: the CPU limit stops it
    data = with_xref(1_000_000)  # 20 MB of cross-reference rows: seconds of parsing
    with as_temporary_file(data) as upload, pytest.raises(FileRefused) as refused:
        files.check_content(upload, "to-khai.pdf", "pdf")
    assert refused.value.code == "file_too_complex"
    assert "«to-khai.pdf» quá phức tạp" in refused.value.message and "xuất lại" in refused.value.message


def test_a_trailer_declaring_too_many_objects_is_refused_before_any_parser(settings):
    settings.MOTCUA_PDF_MAX_OBJECTS = 1000
    assert files.pdf_trailer(io.BytesIO(with_xref(2000))) == "too_many_objects"
    with pytest.raises(FileRefused) as refused:
        files.check_content(io.BytesIO(with_xref(2000)), "to-khai.pdf", "pdf")
    assert refused.value.code == "file_too_complex"
    assert files.pdf_page_count(io.BytesIO(with_xref(500))) == 1
