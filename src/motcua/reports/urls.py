from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chi-so/", views.indicators_page, name="indicators"),
    path("ho-so/", views.drilldown, name="drilldown"),
    path("diem-nghen/", views.bottlenecks_page, name="bottlenecks"),
    path("so-theo-doi.xlsx", views.ledger_export, {"fmt": "xlsx"}, name="ledger_xlsx"),
    path("so-theo-doi.csv", views.ledger_export, {"fmt": "csv"}, name="ledger_csv"),
]
