"""What an agency's admin sets for the official forms (co-quan/giay-to/): the place of the date line,
the abbreviation in the letters' numbers, the head who signs the apology letter (form 04), and the
share of a dossier's time that is "sắp đến hạn". Each change writes a change-log row."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.agencies.actions import (
    FEE_SETTINGS,
    FORM_SETTINGS,
    SettingRefused,
    fee_settings,
    form_settings,
    publication_settings,
    update_fee_settings,
    update_form_settings,
    update_publication_settings,
)
from motcua.agencies.models import Agency
from motcua.staff.access import forbidden
from motcua.staff.forms import BaseForm

from .access import admin_render, admin_required, can_configure, chosen_agency

FIELDS = FORM_SETTINGS


class AgencyFormsSettings(BaseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIELDS:
            model_field = Agency._meta.get_field(name)
            self.fields[name] = model_field.formfield()
            if name == "soon_share":
                self.fields[name].validators += model_field.validators  # its 1–50 % bounds
        for name, f in self.fields.items():  # the kit's classes and hints for the fields added here
            f.widget.attrs["class"] = "form-control"
            if f.help_text:
                f.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def clean(self):
        data = super().clean()
        for name in ("place_name", "abbreviation", "head_name", "head_title"):
            if name in data:
                data[name] = " ".join((data[name] or "").split())
        return data


class AgencyFeeSettings(BaseForm):
    """Level 4, fee due at submission: the payment deadline, the reminder and what happens after
    (docs/payments.md). Empty fields take the province's defaults."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="phi", **kwargs)
        for name in FEE_SETTINGS:
            model_field = Agency._meta.get_field(name)
            self.fields[name] = model_field.formfield()
            self.fields[name].validators += [v for v in model_field.validators
                                             if v not in self.fields[name].validators]
        self.fields["fee_expiry_action"].choices = [("", _("Theo mặc định của tỉnh"))] + [
            c for c in self.fields["fee_expiry_action"].choices if c[0]]
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-select" if name in ("fee_deadline_unit", "fee_expiry_action") \
                else "form-control"
            if f.help_text:
                f.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"


class AgencyPublicationSettings(BaseForm):
    """Four eyes: a second admin approves each publication of the agency's procedures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="cong-bo", **kwargs)
        field = Agency._meta.get_field("publication_review").formfield()
        field.widget.attrs["class"] = "form-check-input"
        self.fields["publication_review"] = field
        field.widget.attrs["aria-describedby"] = f"{self['publication_review'].auto_id}-hint"


def _errors(form) -> list[tuple[str, str]]:
    return [(form[name].auto_id if name in form.fields else "", e) for name, errs in form.errors.items() for e in errs]


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def agency_forms(request):
    agency, agencies = chosen_agency(request)
    if agency is None or not can_configure(request.staff, agency.pk):
        return forbidden(request, _("Bạn chỉ thiết lập được giấy tờ của cơ quan mình."))
    section = request.POST.get("section") if request.method == "POST" else None
    fees_posted = section == "fees"
    form = AgencyFormsSettings(request.POST if request.method == "POST" and not section else None,
                               initial=form_settings(agency))
    fee_form = AgencyFeeSettings(request.POST if fees_posted else None, initial=fee_settings(agency))
    publication_form = AgencyPublicationSettings(request.POST if section == "publication" else None,
                                                 initial=publication_settings(agency))
    back = f"/can-bo/quan-tri/co-quan/giay-to/?co-quan={agency.pk}"
    if section == "publication" and publication_form.is_valid():
        try:
            update_publication_settings(agency, actor=request.user, values=publication_form.cleaned_data)
        except SettingRefused as exc:
            publication_form.add_error("publication_review", str(exc))
        else:
            messages.success(request, _("Đã lưu cách công bố thủ tục của %(agency)s.") % {"agency": agency.name})
            return redirect(back + "#cong-bo")
    if fees_posted and fee_form.is_valid():
        update_fee_settings(agency, actor=request.user, values={n: fee_form.cleaned_data[n] for n in FEE_SETTINGS})
        messages.success(request, _("Đã lưu thiết lập nộp phí của %(agency)s.") % {"agency": agency.name})
        return redirect(back + "#phi")
    if request.method == "POST" and not section and form.is_valid():
        update_form_settings(agency, actor=request.user, values={n: form.cleaned_data[n] for n in FIELDS})
        messages.success(request, _("Đã lưu thiết lập giấy tờ của %(agency)s.") % {"agency": agency.name})
        return redirect(back)
    return admin_render(request, "administration/agency_forms.html", {
        "agency": agency, "agencies": agencies, "form": form, "place": agency.place(),
        "errors": _errors(fee_form if fees_posted else publication_form if section == "publication" else form),
        "fee_form": fee_form, "publication_form": publication_form,
        "fee_defaults": {"hours": settings.MOTCUA_FEE_DEADLINE_WORKING_HOURS,
                         "reminder": settings.MOTCUA_FEE_REMINDER_WORKING_HOURS,
                         "expiry": settings.MOTCUA_FEE_EXPIRY_ACTION},
        "many_agencies": request.admin_ids is None or len(request.admin_ids) > 1,
    }, admin_nav="agency", status=400 if request.method == "POST" else 200)


urlpatterns = [path("co-quan/giay-to/", agency_forms, name="agency_forms")]
