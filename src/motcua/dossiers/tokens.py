"""Ending users' REST API tokens: by their owner, by an admin, and by themselves when the person's
credentials change (a new password, a second factor now required: accounts.signals). Service
accounts' tokens (integrations) are not personal and are not affected."""

from __future__ import annotations

from django.utils import timezone

from .models import ApiToken

OWNER, ADMIN = "owner", "admin"


def revoke(tokens, reason: str) -> int:
    """End the still-active tokens among `tokens` (a queryset); how many ended."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_reason=reason)


def on_credentials_changed(sender, *, user, reason: str, **kwargs) -> None:
    revoke(ApiToken.objects.filter(user=user), reason)
