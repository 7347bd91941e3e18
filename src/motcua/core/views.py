from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness and database state, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # any failure means "not ready"; say which
        db = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "database": db}, status=status)


def ping(request):
    """Liveness without the database (and the bare view that benchmarks compare against)."""
    return HttpResponse("ok", content_type="text/plain")


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        from motcua.core.api_errors import error_body

        return JsonResponse(error_body("not_found", "Không tìm thấy địa chỉ này."), status=404)
    return render(request, "core/404.html", status=404)


def error_500(request):
    if _wants_json(request):
        from motcua.core.api_errors import error_body

        return JsonResponse(
            error_body("server_error", "Hệ thống gặp lỗi. Vui lòng thử lại sau ít phút."), status=500
        )
    # Rendered without the request: no context processor, no database, nothing that can fail again.
    return HttpResponseServerError(loader.render_to_string("core/500.html"))


def error_400(request, exception=None):
    return render(request, "core/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "core/403.html", status=403)


def switch_language(request, code: str):
    """GET link of the language switch: no form, so public pages need no CSRF cookie."""
    target = request.GET.get("next", "/")
    allowed = {request.get_host()}
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
