"""Fixtures for the national-portal sync: the dossier fixtures, a fake portal, a job drain."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.dossiers.conftest import _fast_settings, people  # noqa: F401 (fixtures)

from .fake_portal import FakePortal


@pytest.fixture(autouse=True)
def _sync_settings(settings, tmp_path):
    settings.MOTCUA_SMS_BACKEND = "locmem"  # notifications run in the same drains
    settings.MOTCUA_SMS_FILE_PATH = tmp_path / "sms"
    settings.MOTCUA_JOBS_MODE = "worker"
    settings.MOTCUA_SYNC_TIMEOUT = 1
    settings.MOTCUA_SYNC_MAX_ATTEMPTS = 4
    settings.MOTCUA_SYNC_AUTH = "bearer"
    settings.MOTCUA_SYNC_TOKEN = "lgsp-test-token"


@pytest.fixture
def portal(settings):
    fake = FakePortal(token="lgsp-test-token").up()
    settings.MOTCUA_SYNC_URL = fake.url
    yield fake
    fake.down()


class Clock:
    """Run due jobs at a moving 'now' (back-offs pass without sleeping)."""

    def __init__(self):
        self.now = timezone.now()

    def run(self, advance: dt.timedelta = dt.timedelta(0)) -> dict[str, int]:
        from motcua.jobs import runner

        self.now = max(self.now, timezone.now()) + advance
        return runner.run_pending(now=self.now)

    def drain(self, rounds: int = 40, step: dt.timedelta = dt.timedelta(hours=7)) -> dict[str, int]:
        totals: dict[str, int] = {}
        for i in range(rounds):
            counts = self.run(step if i else dt.timedelta(0))
            for state, n in counts.items():
                totals[state] = totals.get(state, 0) + n
            if not counts and i:
                break
        return totals


@pytest.fixture
def clock():
    return Clock()
