"""Settings of the feedback form and the kiosk, read from Django settings or the environment."""

from __future__ import annotations

import os

from django.conf import settings


def int_setting(name: str, default: int) -> int:
    """An integer from the settings, else from the environment (same name), else `default`."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
