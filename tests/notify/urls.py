"""Only the admin: the notification tests do not depend on the other apps' pages."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
