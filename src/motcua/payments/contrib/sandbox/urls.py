from django.urls import path

from . import views

app_name = "payments_sandbox"

# VNPay's own paths under /thanh-toan/sandbox/ (404 unless the demo gateway is on).
urlpatterns = [
    path("paymentv2/vpcpay.html", views.pay, name="pay"),
    path("giao-dich/<str:token>/", views.submit, name="submit"),
    path("merchant_webapi/api/transaction", views.querydr, name="querydr"),
]
