"""Forms of the account pages: big inputs, Vietnamese messages next to each field, typed values kept."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import validation
from .models import User
from .services import contact_taken
from .validation import Contact, normalize_phone

INPUT_CLASS = "form-control form-control-lg"
MAX_RAW = 2000  # anything longer is refused before any other work
PASSWORD_HINT = _("Ít nhất 8 ký tự, có cả chữ và số; không dùng ngày sinh hay số điện thoại.")


class StyledForm:
    """Bootstrap classes on every widget, `is-invalid` on fields with errors, an error summary."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, DatePartsWidget):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", INPUT_CLASS)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if isinstance(widget, DatePartsWidget):
                    widget.attrs["class"] = f"{INPUT_CLASS} date-parts__input is-invalid"
                    continue
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes:
                    widget.attrs["class"] = f"{classes} is-invalid".strip()

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the summary at the top of the page, fields in page order."""
        items: list[tuple[str, str]] = []
        for error in self.non_field_errors():
            items.append(("", error))
        for name, field in self.fields.items():
            if name in self.errors and not field.widget.is_hidden:
                anchor = self[name].auto_id
                if isinstance(field.widget, DatePartsWidget):
                    anchor = f"{anchor}_0"
                for error in self.errors[name]:
                    # A checkbox's label is a whole sentence: its message alone reads better.
                    text = error if isinstance(field.widget, forms.CheckboxInput) else f"{field.label}: {error}"
                    items.append((anchor, text))
        return items


def _raw(value: str | None) -> str:
    value = value or ""
    if len(value) > MAX_RAW:
        raise ValidationError(_("Nội dung quá dài."), code="max_length")
    return value


# --- Date of birth in three boxes (day, month, year): easier than a date picker for a birth date ---


class DatePartsWidget(forms.MultiWidget):
    template_name = "accounts/widgets/date_parts.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        common = {"inputmode": "numeric", "class": "form-control form-control-lg date-parts__input"}
        widgets = [
            forms.TextInput(attrs={**common, "maxlength": 2, "autocomplete": "bday-day", "size": 2}),
            forms.TextInput(attrs={**common, "maxlength": 2, "autocomplete": "bday-month", "size": 2}),
            forms.TextInput(attrs={**common, "maxlength": 4, "autocomplete": "bday-year", "size": 4}),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def value_from_datadict(self, data, files, name):
        return [str(data.get(f"{name}_{i}", "") or "")[:10] for i in range(3)]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{i}" not in data for i in range(3))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = [_("Ngày"), _("Tháng"), _("Năm")]
        for sub, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            sub["label"] = label
        return context


class DateOfBirthField(forms.Field):
    widget = DatePartsWidget
    default_error_messages = {
        "incomplete": _("Vui lòng nhập đủ ngày, tháng và năm sinh (ví dụ 15 / 3 / 1990)."),
        "invalid": _("Ngày sinh không có thật. Vui lòng kiểm tra lại ngày, tháng, năm (ví dụ 15 / 3 / 1990)."),
        "year": _("Năm sinh gồm 4 chữ số (ví dụ 1990)."),
    }

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        parts = [str(p).strip() for p in (value or ["", "", ""])][:3]
        if not any(parts):
            return None
        if not all(parts):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not all(p.isascii() and p.isdigit() for p in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        day, month, year = (int(p) for p in parts)
        if len(parts[2]) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is not None:
            validation.clean_date_of_birth(value, timezone.localdate())


def _password_widget(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete, "maxlength": 128})


# --- Sign in ------------------------------------------------------------------------------------


class SignInForm(StyledForm, AuthenticationForm):
    """Django's sign-in form: the identifier may be a phone number, an e-mail address or a username."""

    username = forms.CharField(
        label=_("Số điện thoại, e-mail hoặc tên đăng nhập"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False, max_length=128, widget=_password_widget("current-password")
    )
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra lại số điện thoại, e-mail "
            "hoặc tên đăng nhập và mật khẩu (chữ hoa, chữ thường)."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị đơn vị."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = "254"
        self._style()


# --- Sign up ------------------------------------------------------------------------------------


class SignUpForm(StyledForm, forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        help_text=_("Viết có dấu, như trên thẻ căn cước (ví dụ Nguyễn Văn An)."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words", "maxlength": 100}),
    )
    contact = forms.CharField(
        label=_("Số điện thoại di động hoặc e-mail"),
        help_text=_("Chúng tôi gửi mã xác minh 6 chữ số đến đây. Bạn dùng nó để đăng nhập."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false",
                                      "maxlength": 254}),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"), strip=False, max_length=128, widget=_password_widget("new-password"),
        help_text=PASSWORD_HINT,
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, max_length=128, widget=_password_widget("new-password"),
    )
    consent = forms.BooleanField(
        label=_("Tôi đồng ý để cơ quan nhà nước xử lý dữ liệu cá nhân của tôi nhằm giải quyết thủ tục hành chính, "
                "theo quy định về bảo vệ dữ liệu cá nhân."),
        error_messages={"required": _("Vui lòng đánh dấu đồng ý để tạo tài khoản.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        self.contact_value: Contact | None = None

    def clean_full_name(self):
        return validation.clean_name(_raw(self.cleaned_data["full_name"]))

    def clean_contact(self):
        contact = validation.parse_contact(_raw(self.cleaned_data["contact"]))
        if contact_taken(contact):
            if contact.kind == "email":
                message = _("E-mail này đã có tài khoản. Hãy đăng nhập, hoặc dùng “Quên mật khẩu” nếu không nhớ.")
            else:
                message = _(
                    "Số điện thoại này đã có tài khoản. Hãy đăng nhập, hoặc dùng “Quên mật khẩu” nếu không nhớ."
                )
            raise ValidationError(message, code="taken")
        self.contact_value = contact
        return contact.value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không giống nhau. Vui lòng nhập lại."))
        elif p1:
            probe = User(username="", full_name=data.get("full_name", ""))
            if self.contact_value is not None:
                setattr(probe, "email" if self.contact_value.kind == "email" else "phone", self.contact_value.value)
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


# --- Codes ----------------------------------------------------------------------------------------


class CodeForm(StyledForm, forms.Form):
    t = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.CharField(
        label=_("Mã xác minh (6 chữ số)"), max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12,
                                      "pattern": "[0-9 ]*", "class": f"{INPUT_CLASS} code-input"}),
        error_messages={"required": _("Vui lòng nhập mã 6 chữ số đã nhận.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def clean_code(self):
        digits = "".join(ch for ch in self.cleaned_data["code"] if ch.isascii() and ch.isdigit())
        if len(digits) != 6:
            raise ValidationError(_("Mã xác minh gồm đúng 6 chữ số (ví dụ 123456)."), code="format")
        return digits


class ResetRequestForm(StyledForm, forms.Form):
    contact = forms.CharField(
        label=_("Số điện thoại di động hoặc e-mail của tài khoản"),
        help_text=_("Chúng tôi gửi mã 6 chữ số (và đường liên kết, nếu là e-mail) để đặt mật khẩu mới."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false",
                                      "maxlength": 254, "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        self.contact_value: Contact | None = None

    def clean_contact(self):
        self.contact_value = validation.parse_contact(_raw(self.cleaned_data["contact"]))
        return self.contact_value.value


class SetPasswordForm(StyledForm, DjangoSetPasswordForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password1"].max_length = 128
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].max_length = 128
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs["maxlength"] = "128"
            self.fields[name].widget.attrs["autocomplete"] = "new-password"
        self.fields["new_password1"].widget.attrs["autofocus"] = True
        self.error_messages = {**self.error_messages,
                               "password_mismatch": _("Hai mật khẩu không giống nhau. Vui lòng nhập lại.")}
        self._style()


class ChangePasswordForm(SetPasswordForm, PasswordChangeForm):
    """The signed-in person changes their password: the current one first."""

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["old_password"].widget.attrs.update({"class": INPUT_CLASS, "maxlength": "128", "autofocus": True})
        self.fields["new_password1"].widget.attrs.pop("autofocus", None)
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("Mật khẩu hiện tại không đúng. Vui lòng nhập lại."),
        }


# --- Profile --------------------------------------------------------------------------------------


class ProfileForm(StyledForm, forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words", "maxlength": 100}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"), required=False,
        help_text=_("12 chữ số in trên thẻ căn cước (CCCD)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 15,
                                      "spellcheck": "false"}),
    )
    date_of_birth = DateOfBirthField(label=_("Ngày sinh"), required=False, help_text=_("Ví dụ: 15 / 3 / 1990"))
    address = forms.CharField(
        label=_("Địa chỉ thường trú"), required=False,
        help_text=_("Số nhà, đường, tổ/ấp, xã/phường, tỉnh/thành phố."),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address", "maxlength": 500}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"), required=False,
        help_text=_("Số mới cần được xác minh bằng mã gửi qua tin nhắn trước khi được lưu."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
    )
    email = forms.CharField(
        label=_("E-mail"), required=False,
        help_text=_("Địa chỉ mới cần được xác minh bằng mã gửi đến e-mail đó trước khi được lưu."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false",
                                       "maxlength": 254}),
    )

    IDENTITY_FIELDS = ("full_name", "id_number", "date_of_birth")

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        initial = {
            "full_name": user.full_name or user.get_full_name(), "id_number": user.id_number,
            "date_of_birth": user.date_of_birth, "address": user.address, "phone": user.phone, "email": user.email,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if user.identity_verified:
            # Name, ID number and birth date came from the national identity provider: not editable here.
            for name in self.IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Đã xác thực qua tài khoản định danh điện tử; không sửa tại đây.")
        self._style()

    def clean_full_name(self):
        return validation.clean_name(_raw(self.cleaned_data["full_name"]))

    def clean_id_number(self):
        value = _raw(self.cleaned_data["id_number"]).strip()
        if not value:
            return ""
        return validation.clean_id_number(value)

    def clean_address(self):
        return validation.clean_text_line(_raw(self.cleaned_data["address"]), validation.MAX_ADDRESS)

    def clean_phone(self):
        value = _raw(self.cleaned_data["phone"]).strip()
        if not value:
            return ""
        if normalize_phone(value) == normalize_phone(self.user.phone):
            return self.user.phone  # unchanged (may be an older landline number)
        phone = validation.clean_mobile(value)
        if contact_taken(Contact("phone", phone), exclude=self.user):
            raise ValidationError(_("Số điện thoại này đã được dùng cho một tài khoản khác."), code="taken")
        return phone

    def clean_email(self):
        value = _raw(self.cleaned_data["email"]).strip()
        if not value:
            return ""
        if value.lower() == (self.user.email or "").lower():
            return self.user.email
        email = validation.clean_email(value)
        if contact_taken(Contact("email", email), exclude=self.user):
            raise ValidationError(_("E-mail này đã được dùng cho một tài khoản khác."), code="taken")
        return email

    def clean(self):
        data = super().clean()
        number, born = data.get("id_number"), data.get("date_of_birth")
        if number and born and "id_number" not in self.errors and not self.user.identity_verified:
            try:
                validation.clean_id_number(number, born)
            except ValidationError as error:
                self.add_error("id_number", error)
        if "phone" in data and "email" in data and (self.user.phone or self.user.email):
            # What the account keeps right after saving: a new value only counts once proved.
            kept = [
                self.user.phone if data["phone"] else "",
                self.user.email if data["email"] else "",
            ]
            if not any(kept):
                self.add_error(
                    None, _("Cần giữ ít nhất số điện thoại hoặc e-mail để nhận mã khi quên mật khẩu.")
                )
        return data

    def changed_contacts(self) -> dict[str, str]:
        """New phone / e-mail values that need a code first ({"phone": "09…"}); "" means remove."""
        changes = {}
        if self.cleaned_data["phone"] != self.user.phone:
            changes["phone"] = self.cleaned_data["phone"]
        if self.cleaned_data["email"].lower() != (self.user.email or "").lower():
            changes["email"] = self.cleaned_data["email"]
        return changes
