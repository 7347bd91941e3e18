from __future__ import annotations

import pytest

from motcua.worktime.engine import Calendar

from .helpers import VN, VN_SATURDAY


@pytest.fixture
def vn() -> Calendar:
    return VN


@pytest.fixture
def vn_saturday() -> Calendar:
    return VN_SATURDAY
