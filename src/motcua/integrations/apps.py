from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    label = "integrations"
    verbose_name = _("Tích hợp (tài khoản dịch vụ, webhook)")
    # The `integrations.webhook` job registers itself from `jobs.py` (the jobs app autodiscovers it).

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from motcua.dossiers.signals import event_recorded

        from .models import ServiceAccount, WebhookSubscription
        from .webhooks import account_saved, on_event, subscription_saved

        def write_deliveries(sender, event, **kwargs):
            on_event(event)

        event_recorded.connect(write_deliveries, dispatch_uid="integrations.write_deliveries", weak=False)
        # Events skip the subscription query while the cache says nobody listens (webhooks.FLAG_KEY):
        # every save that may add a listener tells it, whoever saves (API, admin, command, shell).
        post_save.connect(subscription_saved, sender=WebhookSubscription, dispatch_uid="integrations.flag_sub")
        post_save.connect(account_saved, sender=ServiceAccount, dispatch_uid="integrations.flag_account")
