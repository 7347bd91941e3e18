"""What an agency's admin sets for the official forms (co-quan/giay-to/): the place of the date line,
the abbreviation in the letters' numbers, the head who signs the apology letter (form 04), and the
share of a dossier's time that is "sắp đến hạn". Each change writes a change-log row."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.agencies.actions import FORM_SETTINGS, form_settings, update_form_settings
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


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def agency_forms(request):
    agency, agencies = chosen_agency(request)
    if agency is None or not can_configure(request.staff, agency.pk):
        return forbidden(request, _("Bạn chỉ thiết lập được giấy tờ của cơ quan mình."))
    form = AgencyFormsSettings(request.POST or None, initial=form_settings(agency))
    if request.method == "POST" and form.is_valid():
        update_form_settings(agency, actor=request.user, values={n: form.cleaned_data[n] for n in FIELDS})
        messages.success(request, _("Đã lưu thiết lập giấy tờ của %(agency)s.") % {"agency": agency.name})
        return redirect(f"/can-bo/quan-tri/co-quan/giay-to/?co-quan={agency.pk}")
    errors = [(form[name].auto_id if name in form.fields else "", e)
              for name, errs in form.errors.items() for e in errs]
    return admin_render(request, "administration/agency_forms.html", {
        "agency": agency, "agencies": agencies, "form": form, "place": agency.place(), "errors": errors,
        "many_agencies": request.admin_ids is None or len(request.admin_ids) > 1,
    }, admin_nav="agency", status=400 if request.method == "POST" else 200)


urlpatterns = [path("co-quan/giay-to/", agency_forms, name="agency_forms")]
