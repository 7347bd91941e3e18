"""The user behind a service account: made with it, a member of its agency with its roles.

An account without roles is a member with the supervisor role (giám sát): it sees the dossiers of
its agency like any member, and no dossier action is open to that role.
"""

from __future__ import annotations

from django.db import transaction

READ_ONLY_ROLE = "supervisor"


def username_for(name: str) -> str:
    return f"svc-{name}"[:150]


def sync_user(account) -> None:
    """Create or update the account's user and memberships to match the account."""
    from motcua.accounts.models import Membership, User

    from .models import ServiceAccount

    with transaction.atomic():
        user = account.user
        if user is None:
            user = User(username=username_for(account.name), full_name=f"Tài khoản dịch vụ {account.name}")
            user.set_unusable_password()
            user.is_active = account.active
            user.save()
            ServiceAccount.objects.filter(pk=account.pk).update(user=user)
            account.user = user
        elif user.is_active != account.active:
            user.is_active = account.active
            user.save(update_fields=["is_active"])
        roles = set(account.roles or []) or {READ_ONLY_ROLE}
        existing = {m.role: m for m in Membership.objects.filter(user=user)}
        for role in roles - set(existing):
            Membership.objects.create(user=user, agency_id=account.agency_id, role=role)
        for role, membership in existing.items():
            want = role in roles and account.active
            if membership.agency_id != account.agency_id or membership.active != want:
                membership.agency_id, membership.active = account.agency_id, want
                membership.save(update_fields=["agency", "active"])
