from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.accounts.signals import credentials_changed
        from motcua.audit import chains
        from motcua.audit.chain import EVENT_FIELDS, event_payload
        from motcua.audit.models import AuditLog

        from .models import Dossier, Event
        from .tokens import on_credentials_changed

        credentials_changed.connect(on_credentials_changed, dispatch_uid="dossiers.tokens")
        # The events' hash chain, one per dossier: audit verifies and checkpoints it.
        chains.register(chains.OwnedChain(log=AuditLog.EVENT, owner=Dossier, model=Event, fields=EVENT_FIELDS,
                                          payload=event_payload))
