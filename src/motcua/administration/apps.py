from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    name = "motcua.administration"
    label = "administration"
    verbose_name = _("Quản trị cấu hình (không cần lập trình)")
