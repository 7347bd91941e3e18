from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "motcua.audit"
    label = "audit"
    verbose_name = _("Nhật ký kiểm toán")

    def ready(self):
        from django.db.models.signals import post_save

        from . import checks  # noqa: F401 (registers the system checks)
        from .changelog_chain import on_changelog_saved
        from .models import ChangeLog

        post_save.connect(on_changelog_saved, sender=ChangeLog, dispatch_uid="motcua_audit_seal_changelog")
