"""The documents stand alone: they cite only files inside the repository, and every
"docs/<page>.md §N" citation (in the documents or in the code's comments) names a section that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
# The project's design notes used to live outside the repository; what a reader needs is in docs/.
OUTSIDE = re.compile(r"\b(DESIGN|REGULATIONS|GLOSSARY)(\.md)?\s*§|\b(DESIGN|REGULATIONS|GLOSSARY)\.md\b|shared/")
PATH = re.compile(r"`((?:docs|src|tests|scripts|bench)/[^`\s]*)`")
SECTION = re.compile(r"docs/([a-z-]+\.md)`?\s*§\s*(\d+(?:\.\d+)?)")


def test_documents_cite_nothing_outside_the_repository():
    found = [
        f"{doc.relative_to(ROOT)}:{n}: {line.strip()}"
        for doc in DOCUMENTS
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_paths_documents_name_exist():
    missing = []
    for doc in DOCUMENTS:
        for match in PATH.finditer(doc.read_text(encoding="utf-8")):
            path = match.group(1)
            if any(mark in path for mark in "<…*"):  # a pattern, not a file
                continue
            path = re.sub(r":\d+$", "", path.split("#")[0]).rstrip("/")
            if not (ROOT / path).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {match.group(1)}")
    assert not missing, "\n".join(missing)


def _sections(page: str) -> set[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,4} (\d+(?:\.\d+)?)\.? ", text, flags=re.MULTILINE))


def test_section_citations_name_sections_that_exist():
    sources = [*DOCUMENTS, *sorted((ROOT / "src").rglob("*.py")), *sorted((ROOT / "tests").rglob("*.py"))]
    wrong = []
    for source in sources:
        for match in SECTION.finditer(source.read_text(encoding="utf-8")):
            page, number = match.groups()
            if not (ROOT / "docs" / page).is_file() or number not in _sections(page):
                wrong.append(f"{source.relative_to(ROOT)}: docs/{page} §{number}")
    assert not wrong, "\n".join(wrong)
