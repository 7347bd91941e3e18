"""The rating form (nine criteria) and the public feedback form (PAKN), with Vietnamese messages."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import phone_validator

from . import criteria
from .models import Category
from .services import MAX_CONTENT_CHARS, MAX_TITLE_CHARS

_NOT_CODE = re.compile(r"[^A-Z0-9.\-]")


def clean_code(value: str | None, limit: int = 50) -> str:
    """A dossier code (or tracking key) from user input: upper case, only letters, digits, dots and
    dashes (anything else cannot be part of a code, and NUL would break PostgreSQL), capped."""
    return _NOT_CODE.sub("", (value or "")[:500].strip().upper())[:limit]


def one_line(value: str | None, limit: int) -> str:
    """Printable characters only (PostgreSQL refuses NUL), spaces collapsed, capped."""
    value = (value or "")[: limit * 4]
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())[:limit]


def multi_line(value: str | None) -> str:
    lines = (
        "".join(ch for ch in line if ch.isprintable() or ch == "\t").strip() for line in (value or "").splitlines()
    )
    return "\n".join(lines).strip()


class StyledForm(forms.Form):
    """Bootstrap classes on the widgets; Django adds aria-invalid and aria-describedby itself
    (ids `<id>_helptext` and `<id>_error`, which the `_field.html` partials use)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput | forms.ClearableFileInput):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class RatingForm(StyledForm):
    """c1..c9 as radio groups; the service validates again (`criteria.clean_answers`)."""

    comment = forms.CharField(
        label=_("Ý kiến khác (không bắt buộc)"), required=False, max_length=criteria.MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Ý kiến khác dài quá %(limit_value)d ký tự.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for c in criteria.CRITERIA:
            fields[c.code] = forms.TypedChoiceField(
                label=c.title, coerce=int, widget=forms.RadioSelect,
                choices=[(o.value, f"{o.label}: {o.text}" if c.kind == criteria.SCORE else o.label)
                         for o in c.options],
                error_messages={
                    "required": _("Chưa chọn mức đánh giá cho chỉ số %(n)d: %(name)s.") % {"n": c.number,
                                                                                          "name": c.short},
                    "invalid_choice": _("Mức đánh giá của chỉ số %(n)d không hợp lệ.") % {"n": c.number},
                },
            )
            fields[c.code].criterion = c
        fields["comment"] = self.fields.pop("comment")
        self.fields = fields
        self.fields["comment"].widget.attrs.setdefault("class", "form-control")

    def criteria_fields(self):
        return [self[c.code] for c in criteria.CRITERIA]

    def answers(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[c.code] for c in criteria.CRITERIA}


class FeedbackForm(StyledForm):
    name = forms.CharField(
        label=_("Họ và tên"), max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Cần nhập họ và tên."), "max_length": _("Họ tên dài quá %(limit_value)d ký tự.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@example.vn.")},
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ liên quan (nếu có)"), required=False, max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=_("In trên Giấy tiếp nhận hồ sơ, ví dụ 000.00.01.H12-261127-0007."),
    )
    category = forms.ChoiceField(
        label=_("Phân loại"), choices=[("", _("— Chọn một mục —"))] + list(Category.choices),
        error_messages={"required": _("Cần chọn phân loại."), "invalid_choice": _("Phân loại không hợp lệ.")},
    )
    title = forms.CharField(
        label=_("Tiêu đề"), max_length=MAX_TITLE_CHARS,
        error_messages={"required": _("Cần nhập tiêu đề."),
                        "max_length": _("Tiêu đề dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"), max_length=MAX_CONTENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Cần nhập nội dung."),
                        "max_length": _("Nội dung dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    # Honeypot: hidden from people (CSS, aria-hidden, no tab stop); robots fill every field.
    website = forms.CharField(label=_("Không điền vào ô này"), required=False, max_length=200)

    def clean_name(self):
        name = one_line(self.cleaned_data.get("name"), 100)
        if not name:
            raise ValidationError(_("Cần nhập họ và tên."))
        return name

    def clean_phone(self):
        phone = one_line(self.cleaned_data.get("phone"), 20).replace(" ", "").replace(".", "")
        if phone:
            try:
                phone_validator(phone)
            except ValidationError:
                raise ValidationError(_("Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84).")) from None
        return phone

    def clean_dossier_code(self):
        raw = one_line(self.cleaned_data.get("dossier_code"), 80)
        code = clean_code(raw)
        if raw and not code:
            raise ValidationError(_("Mã hồ sơ chỉ gồm chữ, số, dấu chấm và gạch ngang."))
        return code

    def clean_title(self):
        title = one_line(self.cleaned_data.get("title"), MAX_TITLE_CHARS)
        if not title:
            raise ValidationError(_("Cần nhập tiêu đề."))
        return title

    def clean_content(self):
        content = multi_line(self.cleaned_data.get("content"))
        if not content:
            raise ValidationError(_("Cần nhập nội dung."))
        return content

    def clean(self):
        data = super().clean()
        contact_ok = "phone" not in self.errors and "email" not in self.errors
        if contact_ok and not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Cần số điện thoại hoặc thư điện tử để cơ quan trả lời bạn."))
        return data

    @property
    def is_robot(self) -> bool:
        return bool((self.data.get("website") or "").strip())
