"""docs/api.md says which fields are display text (reworded freely) and names each of them, so a
client knows to read `amount_vnd`, not `amount_text`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "api.md"
SRC = ROOT / "src" / "motcua"
# A schema field of an API module: `    amount_text: str`.
FIELD = re.compile(r"^\s+(\w+_(?:text|label)): str\b", re.M)


def _display_fields() -> set[str]:
    return {m.group(1) for path in SRC.glob("*/api.py") for m in FIELD.finditer(path.read_text(encoding="utf-8"))}


def test_the_conventions_say_display_text_may_change_and_name_every_such_field():
    fields = _display_fields()
    assert {"amount_text", "rule_text", "time_text"} <= fields, "the API schemas were not read"
    doc = DOC.read_text(encoding="utf-8")
    conventions = doc[doc.index("## Conventions"): doc.index("## Catalogue")]
    assert "`*_text`" in conventions and "reworded" in conventions
    assert sorted(f for f in fields if f"`{f}`" not in conventions) == []
    assert "`amount_vnd`" in conventions and '"25.000 đồng"' in conventions
