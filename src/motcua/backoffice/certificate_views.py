"""«Chứng thư số cá nhân»: a leader uploads their own signing certificate once (issue #17).

The PKCS#12 file goes through bounded checks (size, extension, parsed in a child process with a
CPU limit, ``signing.personal.read_upload``); a wrong password is a form error. The page shows
the certificate's subject, issuer and validity, whether it is locked after wrong PINs (an
administrator unlocks it), and its usage log; the user may replace or deactivate it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.widgets import FilePicker
from motcua.signing import personal
from motcua.signing.errors import CertificateUploadError
from motcua.signing.models import PersonalCertificate, PersonalCertificateUse
from motcua.staff.access import staff_required
from motcua.staff.forms import BaseForm
from motcua.staff.pages import staff_render

EXTENSIONS = (".p12", ".pfx")
URL = "/can-bo/chung-thu-so-ca-nhan/"


class UploadForm(BaseForm):
    file = forms.FileField(
        label=gettext_lazy("Tệp chứng thư số (.p12 hoặc .pfx)"),
        help_text=gettext_lazy("Tệp do tổ chức chứng thực cấp, có khóa bí mật, được bảo vệ bằng mật khẩu (PIN)."),
        error_messages={"required": gettext_lazy("Cần chọn tệp chứng thư số."),
                        "empty": gettext_lazy("Tệp chứng thư số trống.")},
        widget=FilePicker(attrs={"accept": ".p12,.pfx"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu (PIN) của tệp"), max_length=100, strip=False,
        help_text=gettext_lazy("Chỉ dùng để kiểm tra tệp lúc tải lên; hệ thống không lưu mật khẩu này."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        error_messages={"required": gettext_lazy("Cần nhập mật khẩu (PIN) của tệp.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(EXTENSIONS):
            raise forms.ValidationError(_("Chỉ nhận tệp .p12 hoặc .pfx."))
        if upload.size > personal.MAX_PKCS12_BYTES:
            raise forms.ValidationError(_("Tệp chứng thư số lớn quá %(kb)d KB.") % {
                "kb": personal.MAX_PKCS12_BYTES // 1024})
        return upload


@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def my_certificate(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(personal.MAX_PKCS12_BYTES + 1)
            try:
                cert = personal.upload(request.user, data, name=upload.name, password=form.cleaned_data["password"])
            except CertificateUploadError as exc:
                form.add_action_error("file", str(exc))
            else:
                messages.success(request, _("Đã lưu chứng thư số cá nhân của %(name)s.") % {"name": cert.common_name})
                return redirect(URL)
    current = personal.current(request.user)
    uses = []
    if current is not None:
        uses = list(PersonalCertificateUse.objects.filter(certificate=current).select_related("dossier")[:20])
    return staff_render(request, "backoffice/personal_certificate.html", {
        "form": form, "current": current, "uses": uses, "nav": "personal_certificate",
    }, status=status)


@require_POST
@staff_required
def deactivate_certificate(request):
    cert = PersonalCertificate.objects.filter(user=request.user, active=True).first()
    if cert is not None:
        personal.deactivate(cert, actor=request.user)
        messages.success(request, _("Đã ngừng dùng chứng thư số cá nhân."))
    return redirect(URL)
