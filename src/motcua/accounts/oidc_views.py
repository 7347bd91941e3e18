"""/dang-nhap/dinh-danh/: start the national identity sign-in; …/ket-qua/: the provider's answer."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import oidc
from .next_url import redirect_next, safe_next
from .views import BACKEND

log = logging.getLogger("motcua.accounts.oidc")


def _error(request, error: oidc.OIDCError):
    log.info("identity sign-in refused: %s", error.code)
    return render(request, "accounts/oidc_error.html", {"message": error.message, "code": error.code},
                  status=error.status)


@require_safe
@never_cache
def start(request):
    cfg = oidc.config()
    if cfg is None:
        raise Http404
    next_url = safe_next(request, request.GET.get("next"))
    try:
        url = oidc.begin(request, cfg, next_url)
    except oidc.OIDCError as error:
        return _error(request, error)
    return redirect(url)


@require_safe
@never_cache
def callback(request):
    cfg = oidc.config()
    if cfg is None:
        raise Http404
    state = str(request.GET.get("state", ""))[:200]
    if request.GET.get("error"):
        # The person cancelled at the provider, or the provider refused: forget the flow, say so.
        pending = request.session.get(oidc.SESSION_KEY) or {}
        pending.pop(state, None)
        request.session[oidc.SESSION_KEY] = pending
        if request.GET.get("error") == "access_denied":
            messages.info(request, _("Bạn đã hủy đăng nhập bằng tài khoản định danh điện tử."))
            return redirect("accounts:login")
        return _error(request, oidc.OIDCError(
            "provider_error", _("Hệ thống định danh điện tử báo lỗi khi đăng nhập. Vui lòng thử lại sau ít phút.")
        ))
    try:
        flow_user = (request.session.get(oidc.SESSION_KEY) or {}).get(state, {}).get("link_user")
        if flow_user and (not request.user.is_authenticated or request.user.pk != flow_user):
            oidc.take_pending(request, state)
            raise oidc.OIDCError("session_changed", _("Phiên đăng nhập đã thay đổi. Vui lòng làm lại."))
        user, created, flow = oidc.complete(request, cfg, state, str(request.GET.get("code", "")))
    except oidc.OIDCError as error:
        return _error(request, error)
    linking, next_url = bool(flow.get("link_user")), str(flow.get("next") or "")
    login(request, user, backend=BACKEND)
    if linking:
        messages.success(request, _("Đã liên kết tài khoản định danh điện tử. Thông tin cá nhân đã được xác thực."))
        return redirect_next(request, next_url, "accounts:profile")
    if created:
        messages.success(request, _("Chào mừng %(name)s. Tài khoản đã được tạo từ tài khoản định danh điện tử.")
                         % {"name": user.full_name})
    return redirect_next(request, next_url, "/")
