"""Public verify page (/xac-thuc/): is this electronic result genuine?

Two ways in, both CSRF-protected POSTs: upload a PDF (checked by its content, at most
MOTCUA_MAX_UPLOAD_BYTES) to learn whether its signature is valid, who signed it and when, and
whether it is a file the portal issued; or give a dossier code with its tracking key to list the
results issued for it (an unknown code and a wrong key get the same answer). Bad input gets a
Vietnamese message on the page, never a 500.

The upload is counted while it streams in: past the limit the rest is read and dropped, so a
huge file never reaches memory or disk. That handler must be installed before the body is
parsed, hence ``csrf_exempt`` on the view and ``csrf_protect`` on the POST handler behind it.
"""

from __future__ import annotations

import re

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from motcua.audit import throttle
from motcua.dossiers.files import clean_name, max_upload_bytes
from motcua.dossiers.queries import tracking_holder
from motcua.signing import verify as checks

from .views import _clean_text

_NOT_CODE = re.compile(r"[^A-Z0-9.\-]")
FILE_FIELD = "tep"


class _SizeLimit(FileUploadHandler):
    """Passes file data on to Django's handlers until the file grows past ``limit``."""

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False
        self._received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _code(value: str | None) -> str:
    return _NOT_CODE.sub("", _clean_text(value, 60).upper())[:50]


def _mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}"


def _page(request, *, status: int = 200, **context):
    defaults = {"limit_mb": _mb(max_upload_bytes()), "code": "", "key": "", "mode": "", "file_error": "",
                "code_error": "", "verification": None, "results": None, "file_name": ""}
    response = render(request, "portal/verify.html", defaults | context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt  # checked by _post, once the size-limiting upload handler is in place
@never_cache
def verify(request):
    if request.method in ("GET", "HEAD"):
        return _page(request, code=_code(request.GET.get("ma")), key=_code(request.GET.get("key"))[:20])
    if request.method != "POST":
        response = _page(request, status=405)
        response["Allow"] = "GET, HEAD, POST"
        return response
    limiter = _SizeLimit(max_upload_bytes(), request)
    request.upload_handlers.insert(0, limiter)
    return _post(request, limiter)


@csrf_protect
def _post(request, limiter: _SizeLimit):
    if request.POST.get("mode") == "code":
        return _by_code(request)
    return _by_file(request, limiter)


def _by_file(request, limiter: _SizeLimit):
    limit = max_upload_bytes()
    upload = request.FILES.get(FILE_FIELD)
    name = clean_name(upload.name) if upload is not None else ""

    def refuse(message: str, status: int = 400):
        return _page(request, status=status, mode="file", file_error=message, file_name=name)

    if limiter.exceeded or (upload is not None and upload.size > limit):
        return refuse(_("Tệp lớn hơn giới hạn %(mb)s MB. Kết quả điện tử thường chỉ vài trăm KB; hãy kiểm tra "
                        "lại tệp đã chọn.") % {"mb": _mb(limit)}, status=413)
    if upload is None:
        return refuse(_("Chưa chọn tệp. Hãy chọn tệp PDF kết quả cần kiểm tra."))
    data = upload.read(limit + 1)
    if not data:
        return refuse(_("Tệp «%(name)s» rỗng (0 byte). Hãy chọn lại tệp kết quả.") % {"name": name})
    if not data.startswith(b"%PDF-"):
        return refuse(_("Tệp «%(name)s» không phải PDF (loại tệp được xác định theo nội dung, không theo tên). "
                        "Trang này chỉ kiểm tra tệp PDF có chữ ký số.") % {"name": name})
    verification = checks.verify_pdf(data)
    return _page(request, mode="file", verification=verification, file_name=name)


def _by_code(request):
    code = _code(request.POST.get("ma"))
    key = _code(request.POST.get("key"))[:20]
    if not code or not key:
        return _page(request, status=400, mode="code", code=code, key=key,
                     code_error=_("Cần nhập cả mã hồ sơ và mã tra cứu in trên Giấy tiếp nhận hồ sơ."))
    # The tracking pages' limiter and counters: a key guessed here counts as one guessed there.
    if (refused := throttle.tracking_refused(request, code)) and not tracking_holder(request.user, code, key, None):
        return throttle.limited_page(request, throttle.tracking_message(refused), refused)
    results = checks.results_for(code, key)
    if results is None:
        throttle.tracking_failed(request, code)
        return _page(request, status=404, mode="code", code=code, key=key,
                     code_error=_("Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập. Vui lòng kiểm tra lại "
                                  "từng ký tự trên Giấy tiếp nhận hồ sơ."))
    return _page(request, mode="code", code=code, key=key, results=results)
