from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.accounts.signals import credentials_changed

        from .tokens import on_credentials_changed

        credentials_changed.connect(on_credentials_changed, dispatch_uid="dossiers.tokens")
