from django.urls import path

from . import track_views, verify_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("co-quan/", views.agency_list, name="agencies"),
    path("co-quan/<str:unit_code>/", views.agency_detail, name="agency"),
    path("bieu-mau/<int:pk>/<str:filename>", views.form_download, name="form_download"),
    path("huong-dan/<int:pk>/video", views.guide_video, name="guide_video"),
    path("tra-cuu/", track_views.track_form, name="track_form"),
    path("tra-cuu/<str:code>", track_views.track, name="track"),
    path("xac-thuc/", verify_views.verify, name="verify"),
]
