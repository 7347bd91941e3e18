from django.urls import path

from . import views

app_name = "kiosk"

urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so/", views.dossier, name="dossier"),
    path("linh-vuc/", views.sectors, name="sectors"),
    path("tim-thu-tuc/", views.search_procedures, name="search"),
    path("linh-vuc/<str:code>/", views.sector, name="sector"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
]
