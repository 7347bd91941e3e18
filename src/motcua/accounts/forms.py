from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form with Vietnamese labels and messages."""

    username = forms.CharField(
        label=_("Tên đăng nhập"), max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra lại (chữ hoa, chữ thường)."),
        "inactive": _("Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị đơn vị."),
    }
