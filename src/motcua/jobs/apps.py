from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "motcua.jobs"
    label = "jobs"
    verbose_name = _("Tác vụ nền")

    def ready(self) -> None:
        # Handlers register themselves when their apps' `jobs` modules are imported.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
