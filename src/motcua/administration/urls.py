"""The admin area of the back office (/can-bo/quan-tri/): each part keeps its own urlpatterns."""

from . import (
    agency_settings,
    calendar_admin,
    eform_builder,
    procedures,
    publish_views,
    receipt_settings,
    search_admin,
    staff_admin,
    workflow,
)

app_name = "administration"

urlpatterns = [
    *procedures.urlpatterns,
    *eform_builder.urlpatterns,
    *workflow.urlpatterns,
    *calendar_admin.urlpatterns,
    *agency_settings.urlpatterns,
    *receipt_settings.urlpatterns,
    *staff_admin.urlpatterns,
    *publish_views.urlpatterns,
    *search_admin.urlpatterns,
]
