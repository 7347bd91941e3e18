"""Fixtures for the citizen pages, the kiosk and feedback tests (helpers are in helpers.py)."""

from __future__ import annotations

import pytest

from tests.dossiers.conftest import _fast_settings, people  # noqa: F401  (fixtures)


@pytest.fixture
def citizen_client(client, people):  # noqa: F811
    client.force_login(people.citizen)
    return client
