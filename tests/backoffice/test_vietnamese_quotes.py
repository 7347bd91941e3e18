"""Vietnamese text of the back office quotes with « » (as the rest of the project's msgids do);
the English translations keep “ ”."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

APP = Path(__file__).resolve().parents[2] / "src" / "motcua" / "backoffice"
PO = APP / "locale" / "en" / "LC_MESSAGES" / "django.po"
CURLY = re.compile("[“”]")


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of each entry of the app's English catalogue (plural forms joined)."""
    entries, current, section = [], {"msgid": "", "msgstr": ""}, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
        if m:
            section = "msgid" if m.group(1).startswith("msgid") else "msgstr" if m.group(1).startswith("msgstr") \
                else None
            if m.group(1) == "msgid" and current["msgid"]:
                entries.append((current["msgid"], current["msgstr"]))
                current = {"msgid": "", "msgstr": ""}
            value = m.group(2)
        elif line.startswith('"') and section:
            value = line
        else:
            section = None if not line.startswith('"') else section
            continue
        if section:
            current[section] += value[1:-1]
    if current["msgid"]:
        entries.append((current["msgid"], current["msgstr"]))
    return entries


def test_vietnamese_msgids_of_the_back_office_quote_with_guillemets():
    entries = _entries()
    assert len(entries) > 500, "the catalogue was not read"
    assert [msgid for msgid, _ in entries if CURLY.search(msgid)] == []
    sources = [*APP.glob("*.py"), *APP.rglob("templates/**/*.html")]
    assert [str(p.relative_to(APP)) for p in sources if CURLY.search(p.read_text(encoding="utf-8"))] == []


def test_english_keeps_its_own_quotes():
    msgid = "Mở từng tệp, đối chiếu với yêu cầu, đánh dấu «Đạt» cho thành phần đạt yêu cầu."
    assert dict(_entries())[msgid].count("“") == 1
    with translation.override("en"):
        assert "“Accepted”" in translation.gettext(msgid)
