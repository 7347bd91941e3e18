"""Fixtures for the admin area (/can-bo/quan-tri/): the sample catalogue, agency admins of two communes,
a provincial admin (agency admin of the root 000.00.00.H12), a plain officer, and signed-in clients.

Shared by the engineers of issue #6: import what you need, e.g.
`from tests.administration.conftest import BIRTH` or use the fixtures `admins` and `admin_client`.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

BIRTH = "1.001193"  # commune Tân Thành (000.21.01.H12)
MARRIAGE = "1.000894"  # commune; level 3
CRIMINAL_RECORD = "2.000488"  # service centre / Sở Tư pháp
BUILDING = "1.009974"  # commune Lý Văn Lâm (000.22.01.H12)

COMMUNE = "000.21.01.H12"  # Tân Thành
OTHER_COMMUNE = "000.22.01.H12"
PROVINCE = "000.00.00.H12"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admins(catalog):
    """admins.commune_admin (Tân Thành), admins.other_admin (another commune), admins.province_admin,
    admins.officer (staff of Tân Thành without the admin role) and the agencies themselves."""
    from motcua.accounts.models import Membership, Role, User
    from motcua.agencies.models import Agency

    agencies = {a.unit_code: a for a in Agency.objects.all()}
    commune, other, province = agencies[COMMUNE], agencies[OTHER_COMMUNE], agencies[PROVINCE]

    def user(username: str, agency, role) -> User:
        person = User.objects.create_user(username, full_name=f"Cán bộ {username}")
        Membership.objects.create(user=person, agency=agency, role=role)
        return person

    return SimpleNamespace(
        commune=commune, other_commune=other, province=province,
        commune_admin=user("qt_tanthanh", commune, Role.AGENCY_ADMIN),
        other_admin=user("qt_xakhac", other, Role.AGENCY_ADMIN),
        province_admin=user("qt_tinh", province, Role.AGENCY_ADMIN),
        officer=user("cv_tanthanh", commune, Role.OFFICER),
    )


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def login():
    """login(user) -> a new test client signed in as that user."""
    return signed_in


@pytest.fixture
def admin_client(admins) -> Client:
    """Signed in as the agency admin of Tân Thành."""
    return signed_in(admins.commune_admin)


@pytest.fixture
def other_admin_client(admins) -> Client:
    """Signed in as the agency admin of another commune."""
    return signed_in(admins.other_admin)


@pytest.fixture
def province_client(admins) -> Client:
    """Signed in as the provincial admin (configures every agency)."""
    return signed_in(admins.province_admin)


@pytest.fixture
def officer_client(admins) -> Client:
    """Signed in as a plain officer of Tân Thành (no admin role: 403 everywhere in the admin area)."""
    return signed_in(admins.officer)
