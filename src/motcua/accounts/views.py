"""Account pages: sign in, sign up, verify a phone or e-mail, reset a password, the profile.

Views stay thin: forms check what was typed, `services` holds the rules, `ratelimit` counts.
A refused request (too many tries) keeps what was typed and answers 429 with the time to retry.
"""

from __future__ import annotations

import contextlib
import re
import time

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.core.ratelimit import client_ip, wait_text

from . import oidc, services, twofactor
from .forms import (
    ChangePasswordForm,
    CodeForm,
    ProfileForm,
    ResetRequestForm,
    SetPasswordForm,
    SignInForm,
    SignUpForm,
    StyledForm,
)
from .models import User, VerificationCode
from .next_url import redirect_next, safe_next
from .validation import mask_destination

BACKEND = "motcua.accounts.backends.IdentifierBackend"
NEXT_KEY = "motcua_accounts_next"
RESET_TOKEN_KEY = "motcua_reset_token"  # noqa: S105 (a session key)
RESET_OK_KEY = "motcua_reset_ok"
RESET_OK_SECONDS = 900
Purpose = VerificationCode.Purpose
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


# --- Helpers --------------------------------------------------------------------------------------


def _refuse(form: StyledForm, message: str) -> None:
    """Put a form-level error on a form without running its checks again."""
    if form._errors is None:
        form._errors = ErrorDict()
        form.cleaned_data = {}
    form.add_error(None, message)


def _oidc_context() -> dict:
    cfg = oidc.config()
    return {"oidc_enabled": cfg is not None, "oidc_label": cfg.label if cfg else ""}


def _issue(request: HttpRequest, user: User, purpose: str, field: str, destination: str) -> VerificationCode | None:
    """Send a code, telling the person what happened (messages); None when refused."""
    return _send(request, user, purpose, field, destination)[0]


def _send(request: HttpRequest, user: User, purpose: str, field: str,
          destination: str) -> tuple[VerificationCode | None, int]:
    """_issue, with the seconds to wait when refused (0 when sent)."""
    try:
        issued = services.issue_code(user, purpose, field, destination, ip=client_ip(request))
    except services.SendRefused as refused:
        messages.error(
            request, _("Vừa có mã được gửi tới địa chỉ này, hoặc đã gửi quá nhiều lần. %(wait)s")
            % {"wait": wait_text(refused.decision.retry_after)},
        )
        return None, refused.decision.retry_after
    if not issued.delivery.sent:
        messages.warning(
            request,
            _("Chưa gửi được mã tới %(dest)s. Vui lòng bấm “Gửi lại mã” sau ít phút, hoặc dùng cách khác.")
            % {"dest": destination},
        )
    return issued.code, 0


def _code_error(check: services.Check) -> str:
    if check.reason == "wrong":
        return ngettext(
            "Mã không đúng. Bạn còn %(n)s lần thử.", "Mã không đúng. Bạn còn %(n)s lần thử.", check.remaining
        ) % {"n": check.remaining}
    if check.reason == "expired":
        return _("Mã đã hết hạn (mỗi mã chỉ dùng được trong %(n)s phút). Vui lòng bấm “Gửi lại mã” để nhận mã mới.") % {
            "n": services.code_ttl() // 60}
    if check.reason == "locked":
        return _("Bạn đã nhập sai quá nhiều lần nên mã này bị khóa. Vui lòng bấm “Gửi lại mã” để nhận mã mới.")
    if check.reason == "used":
        return _("Mã này đã được dùng. Mỗi mã chỉ dùng được một lần; nếu cần, hãy bấm “Gửi lại mã”.")
    if check.reason == "revoked":
        return _("Mã này đã được thay bằng mã gửi sau. Vui lòng nhập mã trong tin nhắn mới nhất.")
    return _("Mã xác minh gồm đúng 6 chữ số (ví dụ 123456).")


def _find_code(token: str | None, purposes: list[str]) -> VerificationCode | None:
    token = (token or "").strip()
    if not _TOKEN.fullmatch(token):  # tokens are URL-safe base64; anything else cannot match
        return None
    return VerificationCode.objects.select_related("user").filter(token=token, purpose__in=purposes).first()


def _check_with_ip_limit(request, vc: VerificationCode | None, code: str) -> services.Check:
    """One attempt at a code, refused early when this address made too many wrong tries."""
    rule = services.code_check_rule(client_ip(request))
    decision = ratelimit.peek(rule.key, rule.limit, rule.window)
    if not decision.allowed:
        return services.Check(False, "ip_limited", decision.retry_after)
    if vc is None:  # a reset asked for an unknown address: as wrong as any wrong code
        ratelimit.hit(rule.key, rule.limit, rule.window)
        return services.Check(False, "wrong", services.code_max_attempts() - 1)
    check = services.check_code(vc, code)
    if not check.ok:
        ratelimit.hit(rule.key, rule.limit, rule.window)
    return check


# --- Sign in / out ------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Django's LoginView adds the request's host as "site_name", which would hide the portal's
        # name (core's context processor) in the page title, header and footer.
        context.pop("site", None)
        context.pop("site_name", None)
        return {**context, **_oidc_context()}

    def get_default_redirect_url(self):
        # Staff land in the back office, citizens on their dossiers (or the portal's home).
        user = self.request.user
        if user.is_authenticated and user.memberships.filter(active=True).exists():
            return "/can-bo/"
        return "/"

    def get_redirect_url(self):
        return safe_next(self.request, super().get_redirect_url())

    def _rules(self):
        identifier = str(self.request.POST.get("username", ""))[:254]
        users = services.candidates_for_identifier(identifier)
        return users, services.signin_rules(identifier, client_ip(self.request), users)

    def post(self, request, *args, **kwargs):
        _users, rules = self._rules()
        lock = services.signin_lock(rules)
        if lock is not None:
            form = self.get_form()
            _refuse(form, services.signin_lock_text(lock))
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            return ratelimit.refused_response(response, lock.decision.retry_after)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        wrong = any(e.code == "invalid_login" for e in form.non_field_errors().as_data())
        if wrong:
            users, rules = self._rules()
            personal = services.signin_failed(rules, users, ip=client_ip(self.request), door="page")
            remaining = min(d.remaining for d in personal)
            lock = services.signin_lock(rules)
            if lock is not None and lock.personal:
                form.add_error(None, _("Bạn đã đăng nhập sai %(n)s lần. Tài khoản tạm khóa đăng nhập. %(wait)s")
                               % {"n": rules[0].limit, "wait": wait_text(lock.decision.retry_after)}
                               + " " + services.unlock_hint())
            elif lock is not None:
                form.add_error(None, services.signin_lock_text(lock))
            elif remaining <= 3:
                form.add_error(None, ngettext(
                    "Bạn còn %(n)s lần thử trước khi bị tạm khóa đăng nhập.",
                    "Bạn còn %(n)s lần thử trước khi bị tạm khóa đăng nhập.", remaining) % {"n": remaining})
        return super().form_invalid(form)

    def form_valid(self, form):
        services.clear_signin_failures(form.get_user(), str(self.request.POST.get("username", "")))
        response = super().form_valid(form)
        from .twofactor import STATE_KEY, VERIFY

        if self.request.session.get(STATE_KEY) == VERIFY:  # staff with a TOTP app: the second step
            return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': response.url})}")
        return response


class SignOutView(auth_views.LogoutView):
    next_page = "/"


ADMIN_HOME = "/quan-tri-he-thong/"


@never_cache
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Django admin's own sign-in page, replaced: the system administrator signs in through the
    portal's page, with its attempt limit, lockout and second factor. A password posted here is
    never checked (so this door cannot be used to guess one)."""
    next_url = request.GET.get("next", "")
    if not next_url.startswith(ADMIN_HOME) or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}):
        next_url = ADMIN_HOME
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


# --- Sign up --------------------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SignUpForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        rule = services.signup_rule(client_ip(request))
        decision = ratelimit.hit(rule.key, rule.limit, rule.window)
        if not decision.allowed:
            _refuse(form, _("Có quá nhiều tài khoản được tạo từ mạng này. %(wait)s")
                    % {"wait": wait_text(decision.retry_after)})
            status, retry_after = 429, decision.retry_after
        else:
            contact = form.contact_value
            with transaction.atomic():
                user = services.sign_up(
                    full_name=form.cleaned_data["full_name"], contact=contact, password=form.cleaned_data["password1"]
                )
            login(request, user, backend=BACKEND)
            if next_url:
                request.session[NEXT_KEY] = next_url
            vc = _issue(request, user, Purpose.SIGNUP, contact.kind, contact.value)
            messages.success(request, _("Đã tạo tài khoản. Bước cuối: nhập mã xác minh để có thể nộp hồ sơ."))
            return redirect(f"{reverse('accounts:verify')}?{urlencode({'t': vc.token})}" if vc else "accounts:verify")
    context = {"form": form, "next": next_url, **_oidc_context()}
    return _answer(render(request, "accounts/signup.html", context, status=status), retry_after)


# --- Verify a phone or e-mail --------------------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    purposes = [Purpose.SIGNUP, Purpose.CONTACT]
    token = request.POST.get("t") or request.GET.get("t")
    vc = _find_code(token, purposes)
    user = request.user if request.user.is_authenticated else None
    if vc is None and token and user is None:
        return render(request, "accounts/verify.html", {"unknown": True}, status=404)
    if vc is None and user is not None:
        vc = services.open_code_for(user, purposes)
    action = request.POST.get("action", "verify")
    status, retry_after = 200, 0
    form = CodeForm(initial={"t": vc.token if vc else "", "code": request.GET.get("ma", "")[:12]})

    if request.method == "POST" and action == "send" and user is not None:
        field = request.POST.get("field")
        value = getattr(user, field, "") if field in ("phone", "email") else ""
        if value and not getattr(user, f"{field}_verified"):
            new = _issue(request, user, Purpose.CONTACT, field, value)
            if new:
                return redirect(f"{reverse('accounts:verify')}?{urlencode({'t': new.token})}")
        return redirect("accounts:verify")

    if request.method == "POST" and action == "resend" and vc is not None:
        new = _issue(request, vc.user, vc.purpose, vc.field, vc.destination)
        if new:
            messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))
            return redirect(f"{reverse('accounts:verify')}?{urlencode({'t': new.token})}")
        return redirect(f"{reverse('accounts:verify')}?{urlencode({'t': vc.token})}")

    if request.method == "POST" and action == "verify":
        form = CodeForm(request.POST)
        if form.is_valid() and vc is not None:
            check = _check_with_ip_limit(request, vc, form.cleaned_data["code"])
            if check.ok:
                try:
                    services.confirm_contact(vc.user, vc.field, vc.destination)
                except services.ContactTaken:
                    _refuse(form, _("Số điện thoại hoặc e-mail này vừa được xác minh cho một tài khoản khác."))
                    status = 409
                else:
                    return _verified(request, vc)
            else:
                if check.reason == "ip_limited":
                    _refuse(form, _("Nhập sai mã quá nhiều lần. %(wait)s") % {"wait": wait_text(check.remaining)})
                    status, retry_after = 429, check.remaining
                else:
                    form.add_error("code", _code_error(check))
                    status = 400
                vc.refresh_from_db()
        elif vc is None:
            _refuse(form, _("Không có mã nào đang chờ xác minh. Hãy bấm “Gửi mã xác minh”."))
            status = 400
        else:
            status = 400

    return _answer(render(request, "accounts/verify.html", _verify_context(request, vc, form, user), status=status),
                   retry_after)


def _answer(response: HttpResponse, retry_after: int) -> HttpResponse:
    """A page's answer; a refusal (429) also says in its header when to retry."""
    return ratelimit.refused_response(response, retry_after) if response.status_code == 429 else response


def _verify_context(request, vc: VerificationCode | None, form: CodeForm, user: User | None) -> dict:
    owner = vc is not None and user is not None and vc.user_id == user.pk
    context = {"form": form, "vc": vc, "unknown": False, "owner": owner, "account": user}
    if vc is not None:
        context.update(
            destination=vc.destination if owner else mask_destination(vc.destination),
            wait=services.resend_wait(vc.destination),
            expires_at=vc.expires_at,
            expired=not vc.is_open,
            minutes=services.code_ttl() // 60,
        )
    return context


def _verified(request, vc: VerificationCode) -> HttpResponse:
    if vc.field == "phone":
        messages.success(request, _("Đã xác minh số điện thoại %(v)s.") % {"v": vc.destination})
    else:
        messages.success(request, _("Đã xác minh e-mail %(v)s.") % {"v": vc.destination})
    if request.user.is_authenticated and request.user.pk == vc.user_id:
        return redirect_next(request, request.session.pop(NEXT_KEY, ""), "accounts:profile")
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    messages.info(request, _("Mời bạn đăng nhập."))
    return redirect("accounts:login")


# --- Password reset -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset_request(request):
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        contact = form.contact_value
        account = services.accounts_with_contact(contact).first()
        token = None
        if account is not None:
            vc, retry_after = _send(request, account, Purpose.RESET, contact.kind, contact.value)
            token = vc.token if vc else None
        else:
            # No account: count the same limits and answer the same way (no list of who has an account).
            decision = ratelimit.hit_all(services.send_rules(contact.value, client_ip(request)))
            retry_after = decision.retry_after
            if decision.allowed:
                token = "x" + services.new_code() + str(time.time_ns())
            else:
                messages.error(request, _("Vừa có mã được gửi tới địa chỉ này, hoặc đã gửi quá nhiều lần. %(wait)s")
                               % {"wait": wait_text(decision.retry_after)})
        if token:
            request.session[RESET_TOKEN_KEY] = token
            request.session["motcua_reset_dest"] = contact.value
            messages.info(request, _("Nếu %(dest)s là của một tài khoản, mã 6 chữ số đã được gửi tới đó. "
                                     "Mã dùng được trong %(n)s phút.")
                          % {"dest": contact.value, "n": services.code_ttl() // 60})
            return redirect("accounts:reset_code")
        return ratelimit.refused_response(render(request, "accounts/reset_request.html", {"form": form}, status=429),
                                          retry_after)
    return render(request, "accounts/reset_request.html", {"form": form}, status=status)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset_code(request):
    link_token = request.GET.get("t")
    if link_token and _TOKEN.fullmatch(link_token):
        request.session[RESET_TOKEN_KEY] = link_token
    token = request.POST.get("t") or request.session.get(RESET_TOKEN_KEY)
    if not token:
        return redirect("accounts:reset")
    vc = _find_code(token, [Purpose.RESET])
    destination = vc.destination if vc else request.session.get("motcua_reset_dest", "")
    form = CodeForm(initial={"t": token, "code": request.GET.get("ma", "")[:12]})
    status, retry_after = 200, 0
    action = request.POST.get("action", "verify")
    if request.method == "POST" and action == "resend":
        if vc is not None:
            new = _issue(request, vc.user, vc.purpose, vc.field, vc.destination)
            if new:
                request.session[RESET_TOKEN_KEY] = new.token
                messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))
        else:
            messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))
        return redirect("accounts:reset_code")
    if request.method == "POST":
        form = CodeForm(request.POST)
        status = 400
        if form.is_valid():
            check = _check_with_ip_limit(request, vc, form.cleaned_data["code"])
            if check.ok:
                request.session[RESET_OK_KEY] = {"user": vc.user_id, "code": vc.pk,
                                                 "until": time.time() + RESET_OK_SECONDS}
                request.session.pop(RESET_TOKEN_KEY, None)
                return redirect("accounts:reset_password")
            if check.reason == "ip_limited":
                _refuse(form, _("Nhập sai mã quá nhiều lần. %(wait)s") % {"wait": wait_text(check.remaining)})
                status, retry_after = 429, check.remaining
            else:
                form.add_error("code", _code_error(check))
    context = {
        "form": form, "destination": mask_destination(destination) if destination else "",
        "wait": services.resend_wait(destination) if destination else 0,
        "minutes": services.code_ttl() // 60,
    }
    return _answer(render(request, "accounts/reset_code.html", context, status=status), retry_after)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset_password(request):
    grant = request.session.get(RESET_OK_KEY)
    user = None
    if (
        isinstance(grant, dict) and isinstance(grant.get("until"), float) and grant["until"] > time.time()
        and isinstance(grant.get("user"), int) and isinstance(grant.get("code"), int)
    ):
        user = User.objects.filter(pk=grant["user"], is_active=True).first()
    if user is None:
        request.session.pop(RESET_OK_KEY, None)
        messages.error(request, _("Phiên đặt lại mật khẩu đã hết hạn. Vui lòng làm lại từ đầu."))
        return redirect("accounts:reset")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            vc = VerificationCode.objects.filter(pk=grant.get("code"), user=user).first()
            # The code proved the phone or e-mail it was sent to: it counts as verified now.
            if vc is not None and vc.destination.lower() == (getattr(user, vc.field, "") or "").lower():
                with contextlib.suppress(services.ContactTaken):
                    services.confirm_contact(user, vc.field, vc.destination)
        services.clear_signin_failures(user)
        request.session.pop(RESET_OK_KEY, None)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Đã đặt mật khẩu mới. Bạn đã được đăng nhập."))
        return redirect("accounts:profile")
    return render(request, "accounts/reset_password.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


# --- Profile --------------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    user: User = request.user
    form = ProfileForm(user, request.POST or None)
    status, retry_after = 200, 0
    if request.method == "POST":
        status = 400
        if form.is_valid():
            response = _save_profile(request, user, form)
            if isinstance(response, HttpResponse):
                return response
            status, retry_after = 429, response
    pending = [
        vc for vc in VerificationCode.objects.filter(
            user=user, purpose=Purpose.CONTACT, used_at__isnull=True, revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).order_by("-created_at")
        if vc.destination != getattr(user, vc.field)
    ]
    context = {"form": form, "account": user, "pending": pending, "can_submit": services.can_submit(user),
               "is_staff": twofactor.is_staff_user(user), **_oidc_context()}
    return _answer(render(request, "accounts/profile.html", context, status=status), retry_after)


class _Refused(Exception):  # noqa: N818
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _save_profile(request, user: User, form: ProfileForm) -> HttpResponse | int:
    """Save, or the seconds to wait when a code could not be sent now (nothing saved then)."""
    data = form.cleaned_data
    changes = form.changed_contacts()
    issued: list[VerificationCode] = []
    try:
        with transaction.atomic():
            if not user.identity_verified:
                user.full_name = data["full_name"]
                user.id_number = data["id_number"]
                user.date_of_birth = data["date_of_birth"]
            user.address = data["address"]
            for field, value in changes.items():
                if not value:  # removed
                    setattr(user, field, "")
                    setattr(user, f"{field}_verified_at", None)
            user.save()
            for field, value in changes.items():
                if value:
                    try:
                        issued.append(
                            services.issue_code(user, Purpose.CONTACT, field, value, ip=client_ip(request)).code
                        )
                    except services.SendRefused as refused:
                        form.add_error(field, _("Vừa gửi mã tới đây. %(wait)s")
                                       % {"wait": wait_text(refused.decision.retry_after)})
                        raise _Refused(refused.decision.retry_after) from None
    except _Refused as refused:
        user.refresh_from_db()
        return refused.retry_after
    messages.success(request, _("Đã lưu thông tin cá nhân."))
    if issued:
        messages.info(request, _("Số điện thoại / e-mail mới chỉ được lưu sau khi bạn nhập mã xác minh đã gửi tới đó."))
        return redirect(f"{reverse('accounts:verify')}?{urlencode({'t': issued[0].token})}")
    return redirect("accounts:profile")


@sensitive_post_parameters()
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def change_password(request):
    user = request.user
    form_class = ChangePasswordForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Đã đổi mật khẩu."))
        # Staff come from their back-office account page (?next=) and go back there.
        return redirect_next(request, request.GET.get("next"), "accounts:profile")
    context = {"form": form, "back_office": twofactor.in_back_office(request), "nav": "account"}
    return render(request, "accounts/change_password.html", context, status=400 if request.method == "POST" else 200)
