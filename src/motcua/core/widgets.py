"""Form widgets shared by every app's pages."""

from __future__ import annotations

from django import forms


class FilePicker(forms.ClearableFileInput):
    """A file input in the one picker style (core/_file_picker.html): no browser-language
    «Choose Files» button once core/js/file_picker.js runs; the plain input without it."""

    template_name = "core/widgets/file_picker.html"

    def __init__(self, attrs=None):
        attrs = dict(attrs or {})
        attrs["class"] = " ".join(c for c in (attrs.get("class", ""), "form-control file-picker__input") if c)
        super().__init__(attrs)
