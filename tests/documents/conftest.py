"""Helpers to read rendered PDFs back: text (poppler), page images and barcodes (zbar)."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

TOOLS = {
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdffonts": "poppler-utils",
    "zbarimg": "zbar-tools",
    "msgfmt": "gettext",
}


def require(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        message = f"{tool} is not installed (apt-get install {TOOLS.get(tool, tool)})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def squash(text: str) -> str:
    """NFC, and every run of white space as one space (lines wrap anywhere in a PDF)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class PdfReader:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.count = 0

    def _write(self, pdf: bytes) -> Path:
        self.count += 1
        path = self.tmp_path / f"doc{self.count}.pdf"
        path.write_bytes(pdf)
        return path

    def text(self, pdf: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
        cmd = [require("pdftotext"), "-enc", "UTF-8"]
        if layout:
            cmd.append("-layout")
        if first:
            cmd += ["-f", str(first)]
        if last:
            cmd += ["-l", str(last)]
        out = subprocess.run([*cmd, str(self._write(pdf)), "-"], check=True, capture_output=True)
        return unicodedata.normalize("NFC", out.stdout.decode("utf-8"))

    def info(self, pdf: bytes) -> dict[str, str]:
        out = subprocess.run([require("pdfinfo"), str(self._write(pdf))], check=True, capture_output=True, text=True)
        return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.stdout.splitlines())}

    def fonts(self, pdf: bytes) -> str:
        out = subprocess.run([require("pdffonts"), str(self._write(pdf))], check=True, capture_output=True, text=True)
        return out.stdout

    def png(self, pdf: bytes, *, page: int = 1, dpi: int = 200) -> Path:
        path = self._write(pdf)
        prefix = path.with_suffix("")
        subprocess.run(
            [
                require("pdftoppm"),
                "-r",
                str(dpi),
                "-png",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(path),
                str(prefix),
            ],
            check=True,
        )
        return prefix.with_suffix(".png")

    def symbols(self, pdf: bytes, *, page: int = 1, dpi: int = 200) -> dict[str, list[str]]:
        """What zbarimg reads on one page: {"CODE-128": [...], "QR-Code": [...]}."""
        image = self.png(pdf, page=page, dpi=dpi)
        zbar = require("zbarimg")
        out = subprocess.run([zbar, "-q", str(image)], capture_output=True, text=True)
        assert out.returncode in (0, 4), out.stderr  # 4: nothing found
        found: dict[str, list[str]] = defaultdict(list)
        for line in out.stdout.splitlines():
            kind, _, data = line.partition(":")
            found[kind].append(data)
        return dict(found)


@pytest.fixture
def reader(tmp_path) -> PdfReader:
    return PdfReader(tmp_path)
