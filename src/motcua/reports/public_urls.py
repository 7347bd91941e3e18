from django.urls import path

from . import public

app_name = "transparency"

urlpatterns = [
    path("", public.index, name="index"),
]
