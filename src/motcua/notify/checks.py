"""System check: the SMS backend named in the settings exists."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from .backends import SMS_BACKENDS


@register(Tags.compatibility)
def sms_backend_exists(app_configs, **kwargs):
    name = settings.MOTCUA_SMS_BACKEND
    if name in SMS_BACKENDS:
        return []
    try:
        import_string(name)
    except ImportError:
        return [Error(f"MOTCUA_SMS_BACKEND={name!r} is neither {', '.join(SMS_BACKENDS)} nor an importable class.",
                      id="notify.E001")]
    return []
