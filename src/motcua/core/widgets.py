"""Form widgets shared by every app's pages."""

from __future__ import annotations

from django import forms

# Written by core/_file_picker.html itself (the class list, and is-invalid from aria-invalid).
_OWN_CLASSES = {"form-control", "file-picker__input", "is-invalid"}
_OWN_ATTRS = {"id", "class", "multiple", "accept", "aria-describedby", "aria-invalid", "required", "disabled",
              "type", "name", "checked"}


class FilePicker(forms.ClearableFileInput):
    """A file input in the one picker style (core/_file_picker.html): no browser-language
    «Choose Files» button once core/js/file_picker.js runs; the plain input without it.

    The form's styling (staff.forms.style_field adds form-control, mark_invalid adds aria-invalid
    and is-invalid) goes into the picker's own parameters, so each class is written once and an
    invalid field shows the invalid face."""

    template_name = "core/widgets/file_picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        a = context["widget"]["attrs"]
        classes = [c for c in str(a.get("class", "")).split() if c not in _OWN_CLASSES]
        context["widget"]["picker"] = {
            "id": a.get("id", ""),
            "multiple": bool(a.get("multiple")),
            "accept": a.get("accept", ""),
            "describedby": a.get("aria-describedby", ""),
            "invalid": str(a.get("aria-invalid", "")).lower() == "true",
            "required": bool(a.get("required")),
            "disabled": bool(a.get("disabled")),
            "input_class": " ".join(dict.fromkeys(classes)),
            "attrs": [(k, v) for k, v in a.items() if k not in _OWN_ATTRS and v is not False and v is not None],
        }
        return context
