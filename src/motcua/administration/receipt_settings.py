"""The agency's electronic receipt (co-quan/bien-lai/, issue #17): the form number (mẫu số) and
series (ký hiệu) it registered for its biên lai điện tử (NĐ 123/2020/NĐ-CP, TT 78/2021/TT-BTC).
Both set: online payments get a receipt numbered in that series, per year; else a payment
confirmation that is not a receipt. Written by `agencies.actions.update_receipt_settings`
(locked, change-logged)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.agencies.actions import RECEIPT_SETTINGS, receipt_configured, receipt_settings, update_receipt_settings
from motcua.staff.access import forbidden
from motcua.staff.forms import BaseForm

from .access import admin_render, admin_required, can_configure, chosen_agency

CODE = re.compile(r"^[0-9A-Za-z/\-.]*$")


class ReceiptSettingsForm(BaseForm):
    e_receipt_form_number = forms.CharField(
        label=gettext_lazy("Mẫu số biên lai"), max_length=20, required=False,
        help_text=gettext_lazy("Như đã thông báo phát hành, ví dụ «01BLP0-001»."),
    )
    e_receipt_series = forms.CharField(
        label=gettext_lazy("Ký hiệu biên lai"), max_length=20, required=False,
        help_text=gettext_lazy("Ví dụ «AB-26E». Để trống cả hai: chỉ cấp xác nhận thanh toán (không phải biên lai)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-control"
            f.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def _code(self, name: str) -> str:
        value = "".join((self.cleaned_data.get(name) or "").split())
        if not CODE.match(value):
            raise forms.ValidationError(_("Chỉ dùng chữ cái không dấu, chữ số và các dấu - / ."))
        return value

    def clean_e_receipt_form_number(self):
        return self._code("e_receipt_form_number")

    def clean_e_receipt_series(self):
        return self._code("e_receipt_series")

    def clean(self):
        data = super().clean()
        if bool(data.get("e_receipt_form_number")) != bool(data.get("e_receipt_series")):
            raise forms.ValidationError(_("Cần nhập cả mẫu số và ký hiệu biên lai (hoặc để trống cả hai)."))
        return data


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def agency_receipts(request):
    agency, agencies = chosen_agency(request)
    if agency is None or not can_configure(request.staff, agency.pk):
        return forbidden(request, _("Bạn chỉ thiết lập được biên lai của cơ quan mình."))
    form = ReceiptSettingsForm(request.POST or None, initial=receipt_settings(agency))
    if request.method == "POST" and form.is_valid():
        update_receipt_settings(agency, actor=request.user,
                                values={n: form.cleaned_data[n] for n in RECEIPT_SETTINGS})
        messages.success(request, _("Đã lưu thiết lập biên lai điện tử của %(agency)s.") % {"agency": agency.name})
        return redirect(f"/can-bo/quan-tri/co-quan/bien-lai/?co-quan={agency.pk}")
    errors = [(form[name].auto_id if name in form.fields else "", e)
              for name, errs in form.errors.items() for e in errs]
    return admin_render(request, "administration/agency_receipts.html", {
        "agency": agency, "agencies": agencies, "form": form, "errors": errors,
        "configured": receipt_configured(agency),
        "many_agencies": request.admin_ids is None or len(request.admin_ids) > 1,
    }, admin_nav="receipts", status=400 if request.method == "POST" else 200)


urlpatterns = [path("co-quan/bien-lai/", agency_receipts, name="agency_receipts")]
