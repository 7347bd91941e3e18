"""Sign in with a username, an e-mail address or a phone number (any of the usual ways to write it)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User
from .services import candidates_for_identifier


class IdentifierBackend(ModelBackend):
    """Django's model backend, with the identifier resolved to accounts first.

    A phone or e-mail address held by several accounts (only one of them can hold it verified)
    signs in the one whose password matches; verified holders are tried first.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        candidates = candidates_for_identifier(str(username))
        if not candidates:
            User().set_password(password)  # same work as a real check: no timing difference
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
