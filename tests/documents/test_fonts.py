"""The PDF fonts ship inside the package under their licence, so no system font package is needed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from motcua.documents import fonts

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", ["serif", "sans"])
def test_the_package_fonts_come_before_the_systems(kind, monkeypatch):
    monkeypatch.delenv("MOTCUA_PDF_FONT_DIRS", raising=False)
    fonts.font_family.cache_clear()
    try:
        family = fonts.font_family(kind)
    finally:
        fonts.font_family.cache_clear()
    assert family.label.startswith("Liberation")
    assert {path.parent for path in family.files().values()} == {fonts.BUNDLED_DIR}


def test_every_shipped_font_is_under_the_ofl_and_its_licence_ships_beside_it():
    from fontTools.ttLib import TTFont

    files = sorted(fonts.BUNDLED_DIR.glob("*.ttf"))
    assert len(files) == 8  # serif and sans, four styles each
    for path in files:
        assert "SIL Open Font License, Version 1.1" in TTFont(path)["name"].getDebugName(13), path.name
    licence = (fonts.BUNDLED_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence
    assert "Copyright (c) 2012 Red Hat, Inc. with Reserved Font Name Liberation." in licence


def test_the_fonts_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "documents/fonts/*" in config["tool"]["setuptools"]["package-data"]["motcua"]
