from django.urls import path

from . import oidc_views, twofactor, views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-nhap/dinh-danh/", oidc_views.start, name="oidc_start"),
    path("dang-nhap/dinh-danh/ket-qua/", oidc_views.callback, name="oidc_callback"),
    path("dang-nhap/xac-thuc/", twofactor.verify, name="two_factor_verify"),
    path("tai-khoan/xac-thuc-hai-buoc/", twofactor.manage, name="two_factor"),
    path("dang-xuat/", views.SignOutView.as_view(), name="logout"),
    path("dang-ky/", views.sign_up, name="signup"),
    path("xac-minh/", views.verify, name="verify"),
    path("quen-mat-khau/", views.reset_request, name="reset"),
    path("quen-mat-khau/nhap-ma/", views.reset_code, name="reset_code"),
    path("quen-mat-khau/mat-khau-moi/", views.reset_password, name="reset_password"),
    path("tai-khoan/", views.profile, name="profile"),
    path("tai-khoan/doi-mat-khau/", views.change_password, name="change_password"),
]
