from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The composition root: commands and jobs that span every app (demo data, the dossier
    generator, housekeeping). It may import any app; no app imports it."""

    name = "motcua.ops"
    label = "ops"
    verbose_name = "Vận hành"
