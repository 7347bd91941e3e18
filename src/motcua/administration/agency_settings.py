"""What an agency's admin sets for the official forms (co-quan/giay-to/): the place of the date line,
the abbreviation in the letters' numbers, the head who signs the apology letter (form 04), and the
share of a dossier's time that is "sắp đến hạn". Each change writes a change-log row."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.agencies.models import Agency
from motcua.audit import changelog
from motcua.audit.models import ChangeAction
from motcua.staff.access import forbidden
from motcua.staff.forms import BaseForm

from .access import admin_agencies, admin_render, admin_required, can_configure

FIELDS = ("place_name", "abbreviation", "head_name", "head_title", "soon_share")


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


def _state(agency: Agency) -> dict:
    return {name: getattr(agency, name) for name in FIELDS}


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def agency_forms(request):
    raw = (request.GET.get("co-quan") or request.POST.get("agency") or "").strip()[:12]
    agencies = admin_agencies(request.staff).order_by("unit_code", "name")
    agency = Agency.objects.filter(pk=int(raw)).first() if raw.isdigit() else agencies.first()
    if agency is None or not can_configure(request.staff, agency.pk):
        return forbidden(request, _("Bạn chỉ thiết lập được giấy tờ của cơ quan mình."))
    form = AgencyFormsSettings(request.POST or None, initial=_state(agency))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = Agency.objects.select_for_update().get(pk=agency.pk)
            before = _state(locked)
            for name in FIELDS:
                setattr(locked, name, form.cleaned_data[name])
            locked.save(update_fields=list(FIELDS))
            after = _state(locked)
            if before != after:
                changelog.record(request.user, locked, ChangeAction.UPDATE, before=before, after=after, agency=locked)
        messages.success(request, _("Đã lưu thiết lập giấy tờ của %(agency)s.") % {"agency": agency.name})
        return redirect(f"/can-bo/quan-tri/co-quan/giay-to/?co-quan={agency.pk}")
    errors = [(form[name].auto_id if name in form.fields else "", e)
              for name, errs in form.errors.items() for e in errs]
    return admin_render(request, "administration/agency_forms.html", {
        "agency": agency, "agencies": agencies, "form": form, "place": agency.place(), "errors": errors,
        "many_agencies": request.admin_ids is None or len(request.admin_ids) > 1,
    }, admin_nav="agency", status=400 if request.method == "POST" else 200)


urlpatterns = [path("co-quan/giay-to/", agency_forms, name="agency_forms")]
