from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    name = "motcua.citizen"
    label = "citizen"
    verbose_name = _("Hồ sơ của tôi")
