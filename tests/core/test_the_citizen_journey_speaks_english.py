"""The English catalogue covers the citizen's journey: no empty and no fuzzy entry in the English
.po files of its apps, and every text its templates and code mark for translation has an English
translation (a missing entry shows Vietnamese on an English page just as an empty one does).

The citizen's journey, as this test counts it:
- portal (home, search, procedure, agencies, tracking, verification), catalog's citizen-facing
  texts (fees, processing times) and its fee inputs,
- accounts (sign-up, sign-in, profile, two-factor), submissions (the wizard) and eforms (the
  e-form), citizen (my dossiers), payments (paying online, receipts), feedback (ratings and
  feedback), kiosk, worktime's weekday names (office hours),
- core (base page, error pages) and the project catalogue (src/motcua/locale).
Staff pages (backoffice, administration, reports, sync, signing) are not part of it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
JOURNEY_APPS = ("portal", "accounts", "submissions", "eforms", "citizen", "payments", "feedback", "kiosk",
                "worktime", "core")
CATALOGUES = [SRC / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
              for app in JOURNEY_APPS if (SRC / app / "locale").exists()] + [SRC / "locale/en/LC_MESSAGES/django.po"]
# Where the journey's texts are marked for translation (catalog: only what citizens read).
SOURCES = [SRC / app for app in ("portal", "accounts", "submissions", "eforms", "citizen", "payments", "feedback",
                                 "kiosk", "core")] + [
    SRC / "catalog/presentation.py", SRC / "catalog/fees.py", SRC / "catalog/templates", SRC / "worktime/models.py"]


# --- a small .po reader (polib is not installed; the format is simple) ----------------------------


def po_entries(path: Path) -> list[dict]:
    """Each entry: its msgid, msgid_plural, msgstr / msgstr[n], flags and the line it starts on."""
    entries, current, field = [], None, None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines() + [""], start=1):
        line = raw.strip()
        if not line:
            if current and "msgid" in current:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {"line": number, "flags": set(), "strings": {}}
        if line.startswith("#,"):
            current["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] = current.get(field, "") + ast.literal_eval(line) if field else ""
        else:
            field, _, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
    for entry in entries:
        entry["strings"] = {k: v for k, v in entry.items() if k.startswith("msgstr")}
    return entries


def problems(path: Path) -> list[str]:
    out = []
    for e in po_entries(path):
        if not e["msgid"]:
            continue  # the header
        where = f"{path}:{e['line']} {e['msgid'][:60]!r}"
        if "fuzzy" in e["flags"]:
            out.append(f"fuzzy: {where}")
        if not e["strings"] or any(not s for s in e["strings"].values()):
            out.append(f"empty: {where}")
    return out


def test_the_reader_finds_empty_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
                  '#, fuzzy, python-format\nmsgid "Nộp %(n)s"\nmsgstr "Submit %(n)s"\n\n'
                  'msgid "Tra cứu"\nmsgstr ""\n\n'
                  'msgid ""\n"Hồ sơ "\n"của tôi"\nmsgstr ""\n"My "\n"dossiers"\n\n'
                  'msgid "%(n)s hồ sơ"\nmsgid_plural "%(n)s hồ sơ"\nmsgstr[0] "%(n)s dossier"\nmsgstr[1] ""\n',
                  encoding="utf-8")
    entries = {e["msgid"]: e for e in po_entries(po)}
    assert entries["Hồ sơ của tôi"]["strings"] == {"msgstr": "My dossiers"}
    assert [p.split(":")[0] for p in problems(po)] == ["fuzzy", "empty", "empty"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_english_catalogue_has_no_empty_or_fuzzy_entry(path):
    assert path.exists()
    assert po_entries(path), "no entries read"
    assert problems(path) == []


# --- every marked text of the journey has a translation ------------------------------------------

STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""  # templatize writes u'…'
TEMPLATE_CALL = re.compile(r"\b(gettext|pgettext|ngettext|npgettext)\(\s*(" + STRING + r"(?:\s*,\s*" + STRING + r")*)")
PY_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
                "pgettext_lazy", "npgettext"}


def marked_in_template(text: str, origin: str) -> list[tuple[str | None, str]]:
    """Django's own conversion (the one makemessages uses), read for its gettext calls."""
    out = []
    for match in TEMPLATE_CALL.finditer(templatize(text, origin=origin)):
        args = [ast.literal_eval(s) for s in re.findall(STRING, match.group(2))]
        out.append((args[0], args[1]) if match.group(1).startswith(("p", "np")) else (None, args[0]))
    return out


def marked_in_python(text: str) -> list[tuple[str | None, str]]:
    out = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in PY_FUNCTIONS:
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name.startswith(("p", "np")):
            if len(args) > 1 and args[0] is not None and args[1] is not None:
                out.append((args[0], args[1]))
        elif args[0] is not None:
            out.append((None, args[0]))
    return out


def journey_texts() -> list[tuple[str, str | None, str]]:
    found = []
    for source in SOURCES:
        files = [source] if source.is_file() else sorted(
            f for f in source.rglob("*") if f.suffix in (".html", ".py") and "migrations" not in f.parts)
        for f in files:
            text = f.read_text(encoding="utf-8")
            marked = marked_in_template(text, str(f)) if f.suffix == ".html" else marked_in_python(text)
            found += [(str(f.relative_to(SRC)), ctx, msgid) for ctx, msgid in marked if msgid]
    return found


def test_the_extraction_finds_texts_in_templates_and_code():
    template = ('{% load i18n %}{% translate "Tra cứu hồ sơ" %}{% blocktranslate with c=code %}Mã {{ c }}'
                '{% endblocktranslate %}{% translate "Gửi" context "nút" %}')
    assert marked_in_template(template, "x.html") == [(None, "Tra cứu hồ sơ"), (None, "Mã %(c)s"), ("nút", "Gửi")]
    assert marked_in_python('x = _("Nộp hồ sơ")\ny = pgettext("nút", "Gửi")\nz = gettext(name)') == [
        (None, "Nộp hồ sơ"), ("nút", "Gửi")]


def test_every_text_of_the_journey_has_an_english_translation():
    texts = journey_texts()
    assert len(texts) > 1000, "the journey's texts were not found"
    with translation.override("en"):
        catalogue = trans_real.translation("en")._catalog  # every app's catalogue, merged as Django does
        missing = sorted({f"{where}: {msgid!r}" for where, ctx, msgid in texts
                          if not (catalogue.get(msgid if ctx is None else f"{ctx}\x04{msgid}")
                                  or catalogue.get((msgid if ctx is None else f"{ctx}\x04{msgid}", 0)))})
    assert missing == []
