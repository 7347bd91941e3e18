from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("ho-so/<str:code>/", views.start, name="start"),
    path("giao-dich/<str:ref>/", views.detail, name="detail"),
    path("giao-dich/<str:ref>/huy/", views.cancel, name="cancel"),
    path("giao-dich/<str:ref>/bien-lai.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("ket-qua/<str:provider>/", views.gateway_return, name="return"),
    path("ipn/<str:provider>/", views.ipn, name="ipn"),
    # The demo gateway's pages under sandbox/ are in its own app (motcua.payments.contrib.sandbox).
]
