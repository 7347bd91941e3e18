"""Two-factor sign-in for staff (TOTP with django-otp, backup codes as a static device).

Who: staff (an active Membership, or a superuser). Citizens are never asked.
When: after the password. `SignInView` logs the user in as usual; a marker in the session
(`STATE_KEY`, set on every login and computed once for older sessions) says what is still
missing, and `TwoFactorMiddleware` sends the user to that page before anything else:

* ``verify``: the user has a confirmed device; every page but the code page and sign-out
  redirects to the code page until a TOTP or backup code is accepted (then ``ok``);
* ``enrol``: MOTCUA_STAFF_2FA=required and the user has no device yet: the enrolment page;
* ``ok``: nothing to do.

Code attempts are rate-limited per account and per client address (motcua.core.ratelimit);
django-otp's own per-device throttling is set to 0 in settings so the two do not stack.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core import ratelimit
from motcua.core.ratelimit import client_ip

from .forms import INPUT_CLASS, StyledForm
from .next_url import redirect_next, safe_next
from .signals import SECOND_FACTOR, credentials_changed

STATE_KEY = "motcua_2fa"
OK, VERIFY, ENROL = "ok", "verify", "enrol"
NEXT_KEY = "motcua_2fa_next"
BACKUP_KEY = "motcua_2fa_backup"
DEVICE_NAME = "motcua"
BACKUP_CODES = 10
ATTEMPTS, WINDOW = 5, 900
ATTEMPTS_PER_IP = 30

# Paths a user who still owes a second factor may open (prefix match).
EXEMPT_PREFIXES = ("/static/", "/media/", "/healthz", "/i18n/", "/favicon")


def mode() -> str:
    value = str(settings.MOTCUA_STAFF_2FA).strip().lower()
    return value if value in {"optional", "required", "off"} else "optional"


def is_staff_user(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.memberships.filter(active=True).exists()


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def in_back_office(request) -> bool:
    """Staff see their own account pages (password, two-factor) in the back office's frame, with
    its menu; not while enrolment holds them at the door (the back office is closed to them then)."""
    return is_staff_user(request.user) and request.session.get(STATE_KEY) != ENROL


def state_for(user) -> str:
    if mode() == "off" or not is_staff_user(user):
        return OK
    if has_totp(user):
        return VERIFY
    return ENROL if mode() == "required" else OK


@receiver(user_logged_in, dispatch_uid="motcua_twofactor_login")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = state_for(user)
        if is_staff_user(user):  # staff sessions are short (a working day), citizens' long
            request.session.set_expiry(int(settings.MOTCUA_STAFF_SESSION_SECONDS))


def _exempt(path: str) -> bool:
    if path.startswith(EXEMPT_PREFIXES):
        return True
    return path in {reverse("accounts:two_factor_verify"), reverse("accounts:logout")}


class TwoFactorMiddleware:
    """After AuthenticationMiddleware: hold staff at the code (or enrolment) page until done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            state = request.session.get(STATE_KEY)
            if state is None:  # a session from before two-factor sign-in existed
                state = request.session[STATE_KEY] = state_for(user)
            if state == VERIFY and not _exempt(request.path):
                target = reverse("accounts:two_factor_verify")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            if state == ENROL and not _exempt(request.path) and request.path != reverse("accounts:two_factor"):
                return redirect("accounts:two_factor")
        return self.get_response(request)


# --- forms -------------------------------------------------------------------------------------------


class OtpForm(StyledForm, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực"), max_length=40,
        help_text=gettext_lazy("6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng 8 ký tự."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false",
                                      "maxlength": 40, "autofocus": True, "class": f"{INPUT_CLASS} code-input"}),
        error_messages={"required": gettext_lazy("Vui lòng nhập mã xác thực.")},
    )

    def __init__(self, *args, backup_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.backup_allowed = backup_allowed
        if not backup_allowed:
            self.fields["code"].label = _("Mã 6 chữ số trong ứng dụng")
            self.fields["code"].help_text = ""
        self._style()

    def clean_code(self):
        raw = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if raw.isascii() and raw.isdigit() and len(raw) == 6:
            return raw
        if self.backup_allowed and len(raw) == 8 and raw.isascii() and raw.isalnum():
            return raw
        if self.backup_allowed:
            raise ValidationError(_("Mã gồm 6 chữ số (ứng dụng xác thực) hoặc 8 ký tự (mã dự phòng)."), code="format")
        raise ValidationError(_("Mã gồm đúng 6 chữ số (ví dụ 123456)."), code="format")


def _rules(request, user) -> list[ratelimit.Rule]:
    return [
        ratelimit.Rule(f"2fa:user:{user.pk}", ATTEMPTS, WINDOW),
        ratelimit.Rule(f"2fa:ip:{client_ip(request)}", ATTEMPTS_PER_IP, WINDOW),
    ]


def _limited(request, user, form) -> int | None:
    """Seconds to wait when the attempts are used up; else None."""
    decision = ratelimit.peek_all(_rules(request, user))
    if decision.allowed:
        return None
    from motcua.core.ratelimit import wait_text

    form.add_error(None, _("Nhập sai mã quá nhiều lần nên tạm khóa để bảo vệ tài khoản. %(wait)s")
                   % {"wait": wait_text(decision.retry_after)})
    return decision.retry_after


def _otp_failed(request, user, door: str) -> list[ratelimit.Decision]:
    """Count a wrong code; the account's lock (its last attempt used now) goes to the change log."""
    from . import services

    rules = _rules(request, user)
    results = [ratelimit.hit(r.key, r.limit, r.window) for r in rules]
    if results[0].count == rules[0].limit:
        services.record_lockout(user, rules[0], ip=client_ip(request), door=door,
                                reason=_("mã xác thực hai bước sai"))
    return results


def _count_failure(request, user, form) -> None:
    results = _otp_failed(request, user, "page")
    remaining = results[0].remaining
    if remaining > 0:
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Bạn còn %(n)s lần thử.") % {"n": remaining})
    else:
        form.add_error("code", _("Mã không đúng. Bạn đã hết lượt thử; vui lòng thử lại sau %(m)s phút.")
                       % {"m": WINDOW // 60})


def _default_next(user) -> str:
    return "/can-bo/" if is_staff_user(user) else "/"


# --- the second step of sign-in -----------------------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if request.session.get(STATE_KEY) != VERIFY:
        return redirect_next(request, request.GET.get("next"), _default_next(user))
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        wait = _limited(request, user, form)
        if wait is not None:
            status = 429
        elif form.is_valid():
            device = match_token(user, form.cleaned_data["code"])
            if device is not None:
                for rule in _rules(request, user)[:1]:
                    ratelimit.reset(rule.key)
                otp_login(request, device)
                request.session[STATE_KEY] = OK
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    messages.warning(request, _("Bạn vừa dùng một mã dự phòng; còn %(n)s mã. Tạo bộ mã mới tại trang "
                                                "Xác thực hai bước khi cần.") % {"n": left})
                return redirect_next(request, next_url, _default_next(user))
            _count_failure(request, user, form)
    response = render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url}, status=status)
    if status == 429:
        ratelimit.refused_response(response, wait)
    return response


# --- enrolment and management ---------------------------------------------------------------------------


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _issue_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Mã dự phòng"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _secret(device: TOTPDevice) -> str:
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff",
                                                                 omitsize=False)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request):
    """Enrol a TOTP app (QR code and secret, confirmed by a code); new backup codes; turn it off."""
    user = request.user
    if not is_staff_user(user):
        return HttpResponseForbidden(_("Xác thực hai bước dành cho tài khoản cán bộ."))
    action = request.POST.get("action", "confirm") if request.method == "POST" else ""
    enrolled = has_totp(user)
    backup_codes = request.session.pop(BACKUP_KEY, None)
    status = 200
    form = OtpForm(backup_allowed=False)
    if action == "confirm" and not enrolled:
        form = OtpForm(request.POST, backup_allowed=False)
        status = 400
        device = _pending_device(user)
        wait = _limited(request, user, form)
        if wait is not None:
            status = 429
        elif form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                with transaction.atomic():
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                    codes = _issue_backup_codes(user)
                    # Tokens made without the second factor end with it.
                    transaction.on_commit(lambda: credentials_changed.send(
                        type(user), user=user, reason=SECOND_FACTOR))
                otp_login(request, device)
                request.session[STATE_KEY] = OK
                request.session[BACKUP_KEY] = codes
                messages.success(request, _("Đã bật xác thực hai bước. Hãy lưu các mã dự phòng dưới đây."))
                return redirect("accounts:two_factor")
            _count_failure(request, user, form)
    elif action == "backup" and enrolled:
        request.session[BACKUP_KEY] = _issue_backup_codes(user)
        messages.success(request, _("Đã tạo bộ mã dự phòng mới; các mã cũ không còn dùng được."))
        return redirect("accounts:two_factor")
    elif action == "disable" and enrolled:
        if mode() == "required":
            messages.error(request, _("Đơn vị bắt buộc xác thực hai bước nên không thể tắt."))
            return redirect("accounts:two_factor")
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        request.session[STATE_KEY] = OK
        messages.success(request, _("Đã tắt xác thực hai bước."))
        return redirect("accounts:two_factor")
    context = {"enrolled": enrolled, "form": form, "backup_codes": backup_codes, "required": mode() == "required",
               "must_enrol": request.session.get(STATE_KEY) == ENROL, "back_office": in_back_office(request),
               "nav": "account"}
    if not enrolled:
        device = _pending_device(user)
        context.update(qr_svg=_qr_svg(device), secret=_secret(device))
    else:
        context["backup_left"] = backup_codes_left(user)
    response = render(request, "accounts/two_factor.html", context, status=status)
    if status == 429:
        ratelimit.refused_response(response, wait)
    return response


# --- the API's token endpoint ------------------------------------------------------------------------------


def api_sign_in(request, username: str, password: str, otp: str = ""):
    """The user for POST /api/v1/auth/token, under the same failure limits as the sign-in page and,
    for staff with a TOTP app, the same second factor (field `otp`). Raises ApiError otherwise."""
    from django.contrib.auth import authenticate

    from motcua.core.api_errors import ApiError
    from motcua.core.ratelimit import peek_all, wait_text

    from . import services

    identifier = str(username or "")[:254]
    users = services.candidates_for_identifier(identifier)
    rules = services.signin_rules(identifier, client_ip(request), users)
    lock = services.signin_lock(rules)
    if lock is not None:
        raise ApiError(429, "rate_limited", services.signin_lock_text(lock), retry_after=lock.decision.retry_after)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        services.signin_failed(rules, users, ip=client_ip(request), door="api")
        raise ApiError(401, "invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng."))
    if mode() != "off" and is_staff_user(user) and has_totp(user):
        code = "".join(str(otp or "").split()).lower()
        if not code:
            raise ApiError(401, "otp_required",
                           _("Tài khoản này bật xác thực hai bước: gửi kèm mã trong trường «otp»."))
        limits = _rules(request, user)
        waiting = peek_all(limits)
        if not waiting.allowed:
            raise ApiError(429, "rate_limited", _("Nhập sai mã quá nhiều lần nên tạm khóa. %(wait)s")
                           % {"wait": wait_text(waiting.retry_after)}, retry_after=waiting.retry_after)
        if match_token(user, code) is None:
            _otp_failed(request, user, "api")
            raise ApiError(401, "otp_invalid", _("Mã xác thực hai bước không đúng hoặc đã hết hạn."))
    elif mode() == "required" and is_staff_user(user):
        raise ApiError(403, "otp_enrolment_required",
                       _("Cán bộ cần bật xác thực hai bước (trang Tài khoản) trước khi dùng API."))
    services.clear_signin_failures(user, identifier)
    return user
