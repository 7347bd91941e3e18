from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "motcua.sync"
    label = "sync"
    verbose_name = _("Đồng bộ Cổng dịch vụ công quốc gia")
    # The `sync.send` job handler registers itself from `jobs.py` (the jobs app autodiscovers it).

    def ready(self) -> None:
        from motcua.dossiers.signals import event_recorded

        from .services import on_event

        def write_message(sender, event, **kwargs):
            on_event(event)

        event_recorded.connect(write_message, dispatch_uid="sync.write_message", weak=False)
