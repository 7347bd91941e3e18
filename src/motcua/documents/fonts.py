"""The fonts embedded in the PDFs, found by file path (never by fontconfig name).

Administrative documents are set in Times New Roman (NĐ 30/2020/NĐ-CP, Phụ lục I). Liberation
Serif 2.x (SIL OFL 1.1) has the same metrics and covers every Vietnamese letter; Liberation Sans
serves the narrow receipt. Both ship inside the package (``fonts/``, with ``OFL.txt``), so no
system font package is needed. Debian's ``fonts-liberation2``, Noto (``fonts-noto-core``) and
DejaVu (``fonts-dejavu-core`` + ``fonts-dejavu-extra``) are fallbacks for a tree without them.
The 1.x Liberation fonts (``fonts-liberation``) lack most Vietnamese letters and are never used.

``MOTCUA_PDF_FONT_DIRS`` (paths separated by ``os.pathsep``) lists folders searched first for
the same file names, e.g. to use other files of those names in a deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

STYLES = ("regular", "bold", "italic", "bold_italic")


@dataclass(frozen=True)
class FontFamily:
    label: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path

    def files(self) -> dict[str, Path]:
        return {style: getattr(self, style) for style in STYLES}


# (label, default folder, file names in STYLES order)
_CANDIDATES: dict[str, list[tuple[str, str, tuple[str, str, str, str]]]] = {
    "serif": [
        (
            "Liberation Serif",
            "/usr/share/fonts/truetype/liberation2",
            (
                "LiberationSerif-Regular.ttf",
                "LiberationSerif-Bold.ttf",
                "LiberationSerif-Italic.ttf",
                "LiberationSerif-BoldItalic.ttf",
            ),
        ),
        (
            "Noto Serif",
            "/usr/share/fonts/truetype/noto",
            ("NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf", "NotoSerif-BoldItalic.ttf"),
        ),
        (
            "DejaVu Serif",
            "/usr/share/fonts/truetype/dejavu",
            ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
        ),
    ],
    "sans": [
        (
            "Liberation Sans",
            "/usr/share/fonts/truetype/liberation2",
            (
                "LiberationSans-Regular.ttf",
                "LiberationSans-Bold.ttf",
                "LiberationSans-Italic.ttf",
                "LiberationSans-BoldItalic.ttf",
            ),
        ),
        (
            "Noto Sans",
            "/usr/share/fonts/truetype/noto",
            ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf", "NotoSans-BoldItalic.ttf"),
        ),
        (
            "DejaVu Sans",
            "/usr/share/fonts/truetype/dejavu",
            ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
        ),
    ],
}


# The OFL-licensed files shipped with the package (package data), searched before the system's.
BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"


class FontNotFoundError(RuntimeError):
    pass


def _extra_dirs() -> list[Path]:
    return [Path(p) for p in settings.MOTCUA_PDF_FONT_DIRS]


@cache
def font_family(kind: str) -> FontFamily:
    """The first complete family of ``kind`` ("serif" or "sans") found on this machine."""
    for label, default_dir, names in _CANDIDATES[kind]:
        for folder in [*_extra_dirs(), BUNDLED_DIR, Path(default_dir)]:
            paths = [folder / name for name in names]
            if all(p.is_file() for p in paths):
                return FontFamily(label, *paths)
    raise FontNotFoundError(
        f"No {kind} font with Vietnamese letters found: the package's own fonts ({BUNDLED_DIR}) are "
        "missing; reinstall motcua, install the Debian package fonts-liberation2, or set MOTCUA_PDF_FONT_DIRS."
    )


def font_face_css(kind: str, css_family: str) -> str:
    """``@font-face`` rules that bind ``css_family`` to the files of the ``kind`` family."""
    family = font_family(kind)
    rules = []
    for style, path in family.files().items():
        weight = "bold" if style.startswith("bold") else "normal"
        font_style = "italic" if style.endswith("italic") else "normal"
        rules.append(
            f'@font-face {{ font-family: "{css_family}"; src: url("{path.resolve().as_uri()}"); '
            f"font-weight: {weight}; font-style: {font_style}; }}"
        )
    return "\n".join(rules)
