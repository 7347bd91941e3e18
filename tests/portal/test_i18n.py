"""The English catalogue of the portal is complete, not fuzzy, and compiled."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import motcua.portal
from tests.documents.conftest import require

LC = Path(motcua.portal.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"


def entries(po: str) -> list[str]:
    return [block for block in po.split("\n\n") if "\nmsgid " in f"\n{block}" and 'msgid ""\nmsgstr ""' not in block]


def test_it_translates_every_portal_string():
    po = (LC / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    assert "#~" not in po  # no obsolete entries left behind
    untranslated = [
        block for block in entries(po)
        if re.search(r'^msgstr(\[\d\])? ""$', block, re.MULTILINE)
    ]
    assert untranslated == []


def test_it_ships_the_compiled_catalogue_of_the_current_po(tmp_path):
    msgfmt = require("msgfmt")  # skipped without gettext, but fails under CI
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(LC / "django.po")], check=True)
    assert (LC / "django.mo").read_bytes() == fresh.read_bytes(), "run msgfmt (see locale/README.md)"
