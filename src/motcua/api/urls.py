"""The REST API (django-ninja): /api/v1/, schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.catalog.api import router as catalog_router
from motcua.core.api_errors import ApiError, error_body
from motcua.dossiers.api import router as dossiers_router
from motcua.integrations.api import router as webhooks_router
from motcua.reports.api import router as reports_router
from motcua.worktime.api import router as worktime_router

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API của hệ thống Một cửa điện tử và Cổng Dịch vụ công (motcua).",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    response = api.create_response(request, error_body(exc.code, exc.message, **exc.extra), status=exc.status)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("query", "body", "path", "form")]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "")})
    names = ", ".join(f["field"] for f in fields if f["field"]) or "?"
    return api.create_response(
        request,
        error_body("invalid_parameter", f"Tham số không hợp lệ: {names}.", fields=fields),
        status=400,
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", "Không tìm thấy."), status=404)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(
        request, error_body("unauthorized", "Cần đăng nhập (mã truy cập không hợp lệ hoặc đã hết hạn)."), status=401
    )


@api.exception_handler(TooManyFilesSent)
def _too_many_files(request, exc):
    return api.create_response(request, error_body(
        "too_many_files", f"Quá nhiều tệp trong một yêu cầu (tối đa {settings.DATA_UPLOAD_MAX_NUMBER_FILES}).",
        field="files"), status=400)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(request, error_body(
        "request_too_large", "Yêu cầu quá lớn: hãy gửi ít tệp hơn trong mỗi lần, hoặc tệp nhỏ hơn."), status=413)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)


api.add_router("/procedures", catalog_router)
api.add_router("", dossiers_router)  # /auth, /dossiers, /track
api.add_router("/webhooks", webhooks_router)  # service accounts' webhooks
api.add_router("", reports_router)  # /indicators
api.add_router("/worktime", worktime_router)
