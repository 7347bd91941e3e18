"""Who may submit online: the ONE place that decides it, by the accounts app's rule
(``motcua.accounts.services.can_submit``: signed in, active, verified)."""

from __future__ import annotations

from motcua.accounts import services as accounts


def can_submit_online(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    return accounts.can_submit(user)


def block_reason(user) -> tuple[str, str]:
    """(why this account may not submit, a link to fix it or "") for the refusal page."""
    return str(accounts.submission_block_reason(user) or ""), accounts.verify_url()
