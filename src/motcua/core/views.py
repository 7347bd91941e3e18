from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
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


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        from motcua.api.errors import error_body

        return JsonResponse(error_body("not_found", "Không tìm thấy địa chỉ này."), status=404)
    return render(request, "core/404.html", status=404)


def error_500(request):
    if _wants_json(request):
        from motcua.api.errors import error_body

        return JsonResponse(
            error_body("server_error", "Hệ thống gặp lỗi. Vui lòng thử lại sau ít phút."), status=500
        )
    return render(request, "core/500.html", status=500)


def error_400(request, exception=None):
    return render(request, "core/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "core/403.html", status=403)
