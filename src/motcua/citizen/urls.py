from django.urls import path

from . import views

app_name = "citizen"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("<str:code>/", views.dossier_detail, name="dossier"),
    path("<str:code>/tep/<int:file_id>/", views.dossier_file, name="file"),
    path("<str:code>/giay-to/<str:number>.pdf", views.paper, name="paper"),
    path("<str:code>/bo-sung/", views.supply, name="supply"),
    path("<str:code>/rut/", views.withdraw, name="withdraw"),
]
