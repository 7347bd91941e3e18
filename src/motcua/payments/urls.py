from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("ho-so/<str:code>/", views.start, name="start"),
    path("giao-dich/<str:ref>/", views.detail, name="detail"),
    path("giao-dich/<str:ref>/huy/", views.cancel, name="cancel"),
    path("ket-qua/<str:provider>/", views.gateway_return, name="return"),
    path("ipn/<str:provider>/", views.ipn, name="ipn"),
    # The built-in test gateway (404 unless enabled), with VNPay's paths.
    path("sandbox/paymentv2/vpcpay.html", views.sandbox_pay, name="sandbox_pay"),
    path("sandbox/giao-dich/<str:token>/", views.sandbox_submit, name="sandbox_submit"),
    path("sandbox/merchant_webapi/api/transaction", views.sandbox_querydr, name="sandbox_querydr"),
]
