"""Who may submit online: the ONE place that decides it.

The accounts app's ``motcua.accounts.services.can_submit(user)`` (sign-up and identity
verification) decides when it exists, and its ``submission_block_reason(user)`` says why not.
Without it, any signed-in account that is not staff (no ``is_staff``, no superuser, no active
role in an agency) may submit.
"""

from __future__ import annotations

import importlib

from django.utils.translation import gettext as _


def _accounts_services():
    try:
        return importlib.import_module("motcua.accounts.services")
    except ImportError:
        return None


def _accounts_rule():
    rule = getattr(_accounts_services(), "can_submit", None)
    return rule if callable(rule) else None


def can_submit_online(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    rule = _accounts_rule()
    if rule is not None:
        return bool(rule(user))
    if user.is_staff or user.is_superuser:
        return False
    return not user.memberships.filter(active=True).exists()


def block_reason(user) -> tuple[str, str]:
    """(why this account may not submit, a link to fix it or "") for the refusal page."""
    services = _accounts_services()
    reason = getattr(services, "submission_block_reason", None) if _accounts_rule() is not None else None
    if callable(reason):
        text = reason(user)
        if text:
            verify = getattr(services, "verify_url", None)
            try:
                link = verify() if callable(verify) else ""
            except Exception:  # a missing URL must not break the refusal page
                link = ""
            return str(text), link
    return _("Hồ sơ trực tuyến được nộp bằng tài khoản công dân hoặc tổ chức đã xác minh. "
             "Tài khoản cán bộ không dùng để nộp hồ sơ."), ""
