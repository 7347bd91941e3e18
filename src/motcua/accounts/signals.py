"""Signals the accounts app sends; apps above it (the API's tokens) listen, so this app imports
none of them."""

from __future__ import annotations

from django.dispatch import Signal

# A person's credentials changed: reason "password_changed" (a new password, by any door) or
# "second_factor" (a second factor is now required of them). Sent after the commit of the change,
# with `user` and `reason`; the API's tokens of that person end (service accounts' do not).
credentials_changed = Signal()

PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
SECOND_FACTOR = "second_factor"
