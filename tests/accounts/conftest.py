"""Fixtures for the account pages: codes caught on their way out, a movable rate-limit clock, people."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

PASSWORD = "Motcua-thu-2026"


@dataclass
class Sent:
    destination: str
    channel: str
    purpose: str
    code: str
    link: str


class Outbox(list):
    def last(self, destination: str | None = None) -> Sent:
        items = [s for s in self if destination is None or s.destination == destination]
        assert items, f"no code was sent to {destination}"
        return items[-1]

    def token(self, destination: str | None = None) -> str:
        return re.search(r"[?&]t=([^&]+)", self.last(destination).link).group(1)


@pytest.fixture(autouse=True)
def _accounts_settings(settings):
    settings.MOTCUA_PUBLIC_URL = "http://testserver"
    settings.MOTCUA_OIDC_ISSUER = ""
    settings.MOTCUA_OIDC_CLIENT_ID = ""


@pytest.fixture
def codes(monkeypatch) -> Outbox:
    """Every code the account pages send, instead of e-mail/SMS."""
    from motcua.accounts import messaging

    outbox = Outbox()

    def capture(destination, channel, purpose, code, *, link="", user=None):
        outbox.append(Sent(destination, channel, purpose, code, link))
        return messaging.Delivery(True, "test")

    monkeypatch.setattr(messaging, "send_code", capture)
    return outbox


class Clock:
    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The rate limits' clock, moved by hand (codes' expiry is moved in the database instead)."""
    import time

    from motcua.core import ratelimit

    fake = Clock(time.time())
    monkeypatch.setattr(ratelimit, "_now", fake)
    return fake


@pytest.fixture
def citizen(db):
    """A self-registered citizen with a verified phone and e-mail."""
    from motcua.accounts.models import User

    now = timezone.now()
    return User.objects.create_user(
        "cdthu0001", password=PASSWORD, full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn",
        self_registered=True, phone_verified_at=now, email_verified_at=now,
    )


def field_value(html: str, name: str) -> str | None:
    """The value="" of the input named `name` in a page (None when it has no value)."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None
