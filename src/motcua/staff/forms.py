"""The base of staff forms: Bootstrap classes and aria attributes on every widget, errors marked
on their fields, and the cleaning of typed text (printable characters only)."""

from __future__ import annotations

from django import forms


def one_line(value: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in (value or "")).split())


def plain_text(value: str) -> str:
    """Multi-line text without control characters (PostgreSQL refuses NUL)."""
    value = (value or "").replace("\r\n", "\n")
    return "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()


def mark_invalid(form) -> None:
    """aria-invalid, the error text's id in aria-describedby, and Bootstrap's is-invalid on every
    field with an error (shared by the back office's and the admin area's forms)."""
    for name in list(form.errors):
        if name not in form.fields:
            continue
        attrs = form.fields[name].widget.attrs
        attrs["aria-invalid"] = "true"
        error_id = f"{form[name].auto_id}-error"
        described = attrs.get("aria-describedby", "")
        if error_id not in described.split():
            attrs["aria-describedby"] = f"{error_id} {described}".strip()
        if "is-invalid" not in attrs.get("class", "").split():
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def style_field(form, name: str, field) -> None:
    """The Bootstrap class of the field's widget, and its hint named by aria-describedby."""
    widget = field.widget
    css = widget.attrs.get("class", "")
    if isinstance(widget, forms.CheckboxInput):
        css += " form-check-input"
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        pass
    elif isinstance(widget, forms.Select):
        css += " form-select"
    else:
        css += " form-control"
    widget.attrs["class"] = css.strip()
    if field.help_text:
        widget.attrs["aria-describedby"] = f"{form[name].auto_id}-hint"


class BaseForm(forms.Form):
    """Adds aria attributes and Bootstrap classes to every widget."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            style_field(self, name, f)

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self.mark_invalid()

    def add_action_error(self, field: str | None, message: str) -> None:
        """An error the action layer found after the form validated (shown on the field it names)."""
        self.add_error(field if field in self.fields else None, message)
        self.mark_invalid()

    def mark_invalid(self) -> None:
        mark_invalid(self)
