"""Fixtures for dossier tests: staff with memberships in the sample agencies, citizens, helpers.

Times are fixed on weeks without public holidays (March 2026), so due times are exact.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 9 March 2026, 09:15: a plain working week.
T0 = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
PASSWORD = "motcua-test-pw-2026"

BIRTH = "1.001193"  # commune; same day, cut-off 15:00; 4 steps; level 4
MARRIAGE = "1.000894"  # commune; level 3
CRIMINAL_RECORD = "2.000488"  # received at the service centre, handled by Sở Tư pháp; 10 working days; 5 steps
COMPLAINT = "2.002234"  # level 1: no online submission

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def at(day: int, hour: int = 9, minute: int = 15) -> dt.datetime:
    """A time in March 2026 (local)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(catalog):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    agencies = {a.unit_code: a for a in Agency.objects.all()}
    commune, other_commune = agencies["000.21.01.H12"], agencies["000.22.01.H12"]
    centre, justice = agencies["000.00.01.H12"], agencies["000.00.15.H12"]

    def user(username: str, *roles: tuple) -> User:
        person = User.objects.create_user(username, password=PASSWORD, full_name=username.upper())
        for agency, role in roles:
            Membership.objects.create(user=person, agency=agency, role=role)
        return person

    return SimpleNamespace(
        commune=commune,
        other_commune=other_commune,
        centre=centre,
        justice=justice,
        receptionist=user("tn_xa", (commune, "receptionist")),
        officer=user("cv_xa", (commune, "officer")),
        officer2=user("cv2_xa", (commune, "officer")),
        leader=user("ld_xa", (commune, "leader")),
        clerk=user("vt_xa", (commune, "clerk")),
        supervisor=user("gs_xa", (commune, "supervisor")),
        centre_receptionist=user("tn_tt", (centre, "receptionist")),
        justice_officer=user("cv_tp", (justice, "officer")),
        justice_head=user("tp_tp", (justice, "department_head")),
        justice_leader=user("ld_tp", (justice, "leader")),
        justice_clerk=user("vt_tp", (justice, "clerk")),
        other_receptionist=user("tn_xa2", (other_commune, "receptionist")),
        other_officer=user("cv_xa2", (other_commune, "officer")),
        citizen=user("congdan1"),
        citizen2=user("congdan2"),
    )


def version_of(code: str):
    from motcua.catalog.models import Procedure

    return Procedure.objects.select_related("published__receiving_agency", "published__agency").get(code=code).published


def applicant(**overrides):
    from motcua.dossiers.actions import Applicant

    values = {
        "name": "Nguyễn Văn An", "id_number": "096090001234", "phone": "0912345678",
        "email": "an@example.invalid", "address": "Phường Tân Thành, Cà Mau",
    }
    values.update(overrides)
    return Applicant(**values)


def counter_dossier(people, code: str = BIRTH, when: dt.datetime = T0, actor=None, **kwargs):
    from motcua.dossiers import actions

    version = version_of(code)
    if actor is None:
        actor = people.centre_receptionist if version.receiving_agency_id == people.centre.pk else people.receptionist
    return actions.create_dossier(
        actor=actor, version=version, channel=1, applicant=applicant(), at=when, **kwargs
    ).dossier


def online_dossier(people, code: str = BIRTH, when: dt.datetime = T0, owner=None, **kwargs):
    """An online dossier, with valid answers to its e-form unless `form_data` is given."""
    from motcua.dossiers import actions
    from tests.answers import valid_answers

    version = version_of(code)
    kwargs.setdefault("form_data", valid_answers(version))
    return actions.create_dossier(
        actor=owner or people.citizen, version=version, channel=2, applicant=applicant(), at=when, **kwargs
    ).dossier


def result_file(dossier, actor, when: dt.datetime):
    from motcua.dossiers import actions

    return actions.add_file(dossier, actor=actor, upload=io.BytesIO(PDF), name="ket-qua.pdf", kind="result", at=when)


def fresh(dossier):
    return type(dossier).objects.get(pk=dossier.pk)
