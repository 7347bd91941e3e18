from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "motcua.signing"
    label = "signing"
    verbose_name = _("Ký số kết quả")

    def ready(self) -> None:
        from motcua.dossiers.signals import dossier_completing

        def sign_on_completion(sender, dossier, at, actor, **kwargs):
            from .services import sign_results  # signed copies stored as new result files

            return sign_results(dossier, at, actor=actor)

        dossier_completing.connect(sign_on_completion, dispatch_uid="signing.sign_on_completion", weak=False)
