"""Ending users' REST API tokens: by their owner, by an admin, and by themselves when the person's
credentials change (a new password, a second factor now required: accounts.signals). Service
accounts' tokens (integrations) are not personal and are not affected."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.audit import changelog
from motcua.audit.models import ChangeAction

from .models import ApiToken

OWNER, ADMIN = "owner", "admin"
# What a token's change-log row keeps: never its hash (the stored secret's fingerprint).
LOGGED = ("id", "user", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_reason")


def _fields(token: ApiToken) -> dict:
    return {k: v for k, v in changelog.snapshot(token).items() if k in LOGGED}


def revoke(tokens, reason: str, *, actor=None) -> int:
    """End the still-active tokens among `tokens` (a queryset); how many ended. Each ended token
    gets its change-log row (who: `actor`, None when the system ends it; why: `reason`) in the
    same transaction."""
    now = timezone.now()
    why = dict(ApiToken._meta.get_field("revoked_reason").choices).get(reason, reason)
    with transaction.atomic():
        ending = list(ApiToken.objects.select_for_update().select_related("user")
                      .filter(pk__in=tokens.filter(revoked_at__isnull=True).values("pk")).order_by("pk"))
        ApiToken.objects.filter(pk__in=[t.pk for t in ending]).update(revoked_at=now, revoked_reason=reason)
        for token in ending:
            before = _fields(token)
            token.revoked_at, token.revoked_reason = now, reason
            changelog.record(actor, token, ChangeAction.REVOKE, before=before, after=_fields(token), at=now,
                             note=_("Chấm dứt mã truy cập API của %(user)s: %(why)s.") % {
                                 "user": token.user, "why": why})
    return len(ending)


def on_credentials_changed(sender, *, user, reason: str, **kwargs) -> None:
    revoke(ApiToken.objects.filter(user=user), reason)
