from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    label = "integrations"
    verbose_name = _("Tích hợp (tài khoản dịch vụ, webhook)")
    # The `integrations.webhook` job registers itself from `jobs.py` (the jobs app autodiscovers it).

    def ready(self) -> None:
        from motcua.dossiers.signals import event_recorded

        from .webhooks import on_event

        def write_deliveries(sender, event, **kwargs):
            on_event(event)

        event_recorded.connect(write_deliveries, dispatch_uid="integrations.write_deliveries", weak=False)
