from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.utils.http import url_has_allowed_host_and_scheme

from .forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Staff land in the back office, citizens on their dossiers (or the portal's home).
        user = self.request.user
        if user.is_authenticated and user.memberships.filter(active=True).exists():
            return "/can-bo/"
        return "/"

    def get_redirect_url(self):
        url = super().get_redirect_url()
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        return ""


class SignOutView(auth_views.LogoutView):
    next_page = "/"
