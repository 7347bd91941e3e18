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


def test_the_system_check_finds_every_file_field_with_the_picker():
    from django.core.checks.registry import registry

    from motcua.core.checks import file_fields_use_the_picker, our_forms

    assert file_fields_use_the_picker in registry.get_checks()
    assert file_fields_use_the_picker(None) == []
    found = {f"{f.__module__}.{f.__name__}" for f in our_forms()}
    # Forms of form modules and of view modules are all seen; the wizard's and the Django admin's not.
    assert {"motcua.administration.forms_procedures.ComponentForm", "motcua.administration.forms_procedures.GuideForm",
            "motcua.administration.publish_views.ImportForm", "motcua.backoffice.certificate_views.UploadForm"} <= found
    assert not any(name.startswith("motcua.submissions.") or ".admin." in name for name in found)


def test_the_system_check_catches_a_file_field_with_the_browser_button():
    import gc

    from motcua.catalog.models import FormTemplate
    from motcua.core.checks import file_fields_use_the_picker, file_picker_errors

    # The usual regressions: a FileField left with its default widget, a ModelForm of a model's FileField.
    plain = type("Upload", (forms.Form,), {"__module__": "motcua.core.probe", "file": forms.FileField()})
    model_form = type("FormTemplateForm", (forms.ModelForm,), {
        "__module__": "motcua.core.probe",
        "Meta": type("Meta", (), {"model": FormTemplate, "fields": ["file"]}),
    })
    try:
        errors = file_fields_use_the_picker(None)
        assert sorted(e.msg.split(" ")[0] for e in errors) == ["motcua.core.probe.FormTemplateForm.file",
                                                               "motcua.core.probe.Upload.file"]
        assert all(e.id == "core.E110" for e in errors)
        assert len(file_picker_errors([plain, model_form])) == 2
    finally:
        del plain, model_form
        gc.collect()
    assert file_fields_use_the_picker(None) == []


def test_the_widget_renders_the_picker_around_a_working_input():
    class Upload(forms.Form):
        file = forms.FileField(label="Tệp", widget=FilePicker(attrs={"accept": ".pdf", "class": "extra"}))

    html = str(Upload()["file"])
    assert "data-file-picker" in html
    tag = re.search(r"<input [^>]*>", html).group(0)
    assert 'type="file"' in tag and 'name="file"' in tag and 'accept=".pdf"' in tag and 'id="id_file"' in tag
    assert 'class="form-control file-picker__input extra"' in tag
    assert re.search(r'<span class="file-picker__face" id="id_file-face" aria-hidden="true">\+ Chọn tệp</span>', html)
    assert 'data-none="Chưa chọn tệp nào."' in html
    assert "file-picker--invalid" not in html


def test_the_widget_shows_an_invalid_field_on_the_picker_with_each_class_once():
    from motcua.staff.forms import BaseForm, mark_invalid

    class Upload(BaseForm):  # style_field adds form-control, mark_invalid aria-invalid and is-invalid
        file = forms.FileField(label="Tệp", help_text="PDF", widget=FilePicker(attrs={"accept": ".pdf"}))

    form = Upload(data={}, files={})
    assert not form.is_valid()
    mark_invalid(form)
    html = str(form["file"])
    assert 'class="file-picker file-picker--invalid"' in html
    tag = re.search(r"<input [^>]*>", html).group(0)
    assert 'class="form-control file-picker__input is-invalid"' in tag
    assert 'aria-invalid="true"' in tag and 'aria-describedby="id_file-error id_file-hint"' in tag
    assert tag.count("form-control") == 1


def test_the_widget_and_the_page_partial_write_the_same_picker():
    from django.template.loader import render_to_string

    class Upload(forms.Form):
        file = forms.FileField(widget=FilePicker(attrs={"accept": ".pdf", "aria-describedby": "h"}))

    by_widget = str(Upload(auto_id="%s")["file"])
    by_page = render_to_string("core/_file_picker.html", {"id": "file", "name": "file", "accept": ".pdf",
                                                          "describedby": "h", "required": True})
    assert re.sub(r"\s+", " ", by_widget).strip() == re.sub(r"\s+", " ", by_page).strip()


@pytest.mark.django_db
def test_the_result_verification_page_uses_the_picker(client):
    page = client.get("/xac-thuc/").content.decode()
    picker = page[page.index("data-file-picker"):]
    assert re.search(r'<input class="form-control file-picker__input" type="file" id="verify-file" name="tep" '
                     r'accept="application/pdf,.pdf" aria-describedby="verify-file-help" required>', picker)
    assert '<label class="form-label" for="verify-file">' in page  # the page's own label names the input


def test_the_error_goes_first_in_the_description_only_when_invalid():
    """backoffice/_dropzone.html passes its error's id once; the picker names it while invalid."""
    from django.template.loader import render_to_string

    def described(**extra) -> str:
        html = render_to_string("core/_file_picker.html", {"id": "f", "name": "f", "describedby": "f-hint",
                                                          "error_id": "f-error", **extra})
        return re.search(r'aria-describedby="([^"]*)"', html).group(1)

    assert described() == "f-hint"
    assert described(invalid=["Tệp rỗng."]) == "f-error f-hint"
