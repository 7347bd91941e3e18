from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self):
        from . import twofactor  # noqa: F401 (connects the login signal that starts two-factor sign-in)
