"""One file picker everywhere (issue #18): outside the submissions wizard (which has its own, the
model for this one) every file input is the shared core picker, so that no browser-language
«Choose Files» button shows once its script runs. The browser test checks what a person sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms

from motcua.core.widgets import FilePicker

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
PICKER_TEMPLATES = {SRC / "core/templates/core/_file_picker.html", SRC / "core/templates/core/widgets/file_picker.html"}


def _outside_the_wizard(pattern: str):
    for path in sorted(SRC.rglob(pattern)):
        rel = path.relative_to(SRC).parts
        if rel[0] == "submissions" or "migrations" in rel:
            continue
        yield path


def test_no_template_outside_the_wizard_writes_its_own_file_input():
    offenders = [str(p.relative_to(SRC)) for p in _outside_the_wizard("*.html")
                 if p not in PICKER_TEMPLATES and re.search(r'type="file"', p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_form_file_field_outside_the_wizard_uses_the_shared_widget():
    offenders = []
    for path in _outside_the_wizard("*.py"):
        if path == SRC / "core/widgets.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(ClearableFileInput|FileInput)\(", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_the_widget_renders_the_picker_around_a_working_input():
    class Upload(forms.Form):
        file = forms.FileField(label="Tệp", widget=FilePicker(attrs={"accept": ".pdf", "class": "extra"}))

    html = str(Upload()["file"])
    assert "data-file-picker" in html
    tag = re.search(r"<input [^>]*>", html).group(0)
    assert 'type="file"' in tag and 'name="file"' in tag and 'accept=".pdf"' in tag and 'id="id_file"' in tag
    assert 'class="extra form-control file-picker__input"' in tag
    assert re.search(r'<span class="file-picker__face" aria-hidden="true">\+ Chọn tệp</span>', html)
    assert 'data-none="Chưa chọn tệp nào."' in html


@pytest.mark.django_db
def test_the_result_verification_page_uses_the_picker(client):
    page = client.get("/xac-thuc/").content.decode()
    picker = page[page.index("data-file-picker"):]
    assert re.search(r'<input class="form-control file-picker__input" type="file" id="verify-file" name="tep" '
                     r'accept="application/pdf,.pdf" aria-describedby="verify-file-help" required>', picker)
    assert '<label class="form-label" for="verify-file">' in page  # the page's own label names the input
