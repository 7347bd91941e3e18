from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "motcua.notify"
    label = "notify"
    verbose_name = _("Thông báo")
    # The `notify.send` job handler registers itself from `jobs.py` (the jobs app autodiscovers it).

    def ready(self) -> None:
        from motcua.accounts.messaging import register_code_sender
        from motcua.dossiers.signals import event_recorded

        from . import checks  # noqa: F401 (registers the system checks)
        from .events import on_dossier_event
        from .services import send_code

        def queue_messages(sender, event, **kwargs):
            on_dossier_event(event)

        event_recorded.connect(queue_messages, dispatch_uid="notify.queue_messages", weak=False)
        register_code_sender(send_code)
