from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "motcua.signing"
    label = "signing"
    verbose_name = _("Ký số kết quả")

    def ready(self) -> None:
        from motcua.dossiers.signals import dossier_approval_unlock, dossier_approving, dossier_completing

        from . import checks  # noqa: F401 (registers the system checks)

        def sign_on_completion(sender, dossier, at, actor, **kwargs):
            from .services import sign_results  # signed copies stored as new result files

            return sign_results(dossier, at, actor=actor)

        dossier_completing.connect(sign_on_completion, dispatch_uid="signing.sign_on_completion", weak=False)

        def unlock_for_approval(sender, dossier, actor, pin, at, **kwargs):
            from .services import unlock_approver  # the leader's signer, opened with the PIN

            return unlock_approver(dossier, actor=actor, pin=pin, at=at)

        def sign_on_approval(sender, dossier, at, actor, unlocked=None, **kwargs):
            from .services import sign_approval

            return sign_approval(dossier, at, actor=actor, loaded=unlocked)

        dossier_approval_unlock.connect(unlock_for_approval, dispatch_uid="signing.unlock_for_approval", weak=False)
        dossier_approving.connect(sign_on_approval, dispatch_uid="signing.sign_on_approval", weak=False)
