"""The admin area of the back office (/can-bo/quan-tri/): each part keeps its own urlpatterns."""

from . import calendar_admin, eform_builder, procedures, publish_views, staff_admin, workflow

app_name = "administration"

urlpatterns = [
    *procedures.urlpatterns,
    *eform_builder.urlpatterns,
    *workflow.urlpatterns,
    *calendar_admin.urlpatterns,
    *staff_admin.urlpatterns,
    *publish_views.urlpatterns,
]
