"""Fixtures for the back office: the sample catalogue, staff of two communes, the service centre and
Sở Tư pháp, signed-in clients, and helpers that make dossiers through the real action layer.

Times: the action layer stamps "now"; dossiers are created in the past where a test needs a
late one (`at=`)."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "motcua-test-pw-2026"

BIRTH = "1.001193"  # commune Tân Thành; same day; 4 steps (receptionist, officer, leader, clerk)
MARRIAGE = "1.000894"  # commune; level 3
CRIMINAL_RECORD = "2.000488"  # received at the service centre, handled by Sở Tư pháp; 5 steps
BUILDING = "1.009974"  # commune Lý Văn Lâm

# Small but real files: a PDF that parsers open, and a 1×1 PNG.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png() -> bytes:
    """A valid 2x2 grey PNG, built by hand (chunks with their CRCs)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80" for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = _png()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(catalog):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    agencies = {a.unit_code: a for a in Agency.objects.all()}
    commune, other_commune = agencies["000.21.01.H12"], agencies["000.22.01.H12"]
    centre, justice, province = agencies["000.00.01.H12"], agencies["000.00.15.H12"], agencies["000.00.00.H12"]

    def user(username: str, *roles: tuple) -> User:
        # No password (force_login in tests): hashing 17 passwords would take seconds.
        person = User.objects.create_user(username, full_name=f"Cán bộ {username}")
        for agency, role in roles:
            Membership.objects.create(user=person, agency=agency, role=role)
        return person

    return SimpleNamespace(
        commune=commune, other_commune=other_commune, centre=centre, justice=justice, province=province,
        receptionist=user("tn_xa", (commune, "receptionist")),
        officer=user("cv_xa", (commune, "officer")),
        officer2=user("cv2_xa", (commune, "officer")),
        leader=user("ld_xa", (commune, "leader")),
        clerk=user("vt_xa", (commune, "clerk")),
        admin=user("qt_xa", (commune, "agency_admin")),
        supervisor=user("gs_tinh", (province, "supervisor")),
        centre_receptionist=user("tn_tt", (centre, "receptionist")),
        justice_officer=user("cv_tp", (justice, "officer")),
        justice_head=user("tp_tp", (justice, "department_head")),
        justice_leader=user("ld_tp", (justice, "leader")),
        justice_clerk=user("vt_tp", (justice, "clerk")),
        other_receptionist=user("tn_xa2", (other_commune, "receptionist")),
        other_officer=user("cv_xa2", (other_commune, "officer")),
        citizen=user("congdan1"),
        inactive=_inactive(user("nghi_viec", (commune, "officer"))),
    )


def _inactive(person):
    person.memberships.update(active=False)
    return person


@pytest.fixture
def login(client):
    """login(user) -> a test client signed in as that user (a new client per call)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def version_of(code: str):
    from motcua.catalog.models import Procedure

    return Procedure.objects.select_related("published__receiving_agency", "published__agency").get(code=code).published


def applicant(**overrides):
    from motcua.dossiers.actions import Applicant

    values = {"name": "Nguyễn Văn An", "id_number": "096090001234", "phone": "0912345678",
              "email": "an@example.invalid", "address": "Phường Tân Thành, Cà Mau"}
    values.update(overrides)
    return Applicant(**values)


def counter_dossier(people, code: str = BIRTH, when: dt.datetime | None = None, actor=None, **kwargs):
    from motcua.dossiers import actions

    version = version_of(code)
    if actor is None:
        actor = people.centre_receptionist if version.receiving_agency_id == people.centre.pk else people.receptionist
        if version.receiving_agency_id == people.other_commune.pk:
            actor = people.other_receptionist
    return actions.create_dossier(actor=actor, version=version, channel=1, applicant=applicant(**kwargs.pop(
        "applicant", {})), at=when, **kwargs).dossier


def online_dossier(people, code: str = BIRTH, when: dt.datetime | None = None, **kwargs):
    """An online dossier, with valid answers to its e-form unless `form_data` is given."""
    from motcua.dossiers import actions
    from tests.answers import valid_answers

    version = version_of(code)
    kwargs.setdefault("form_data", valid_answers(version))
    return actions.create_dossier(actor=people.citizen, version=version, channel=2, applicant=applicant(),
                                  at=when, **kwargs).dossier


def add_component_file(dossier, actor, data: bytes = PDF, name: str = "to-khai.pdf", component=None):
    from motcua.dossiers import actions

    component = component or dossier.procedure_version.components.order_by("order", "id").first()
    return actions.add_file(dossier, actor=actor, upload=io.BytesIO(data), name=name, component=component).file


def fresh(dossier):
    return type(dossier).objects.get(pk=dossier.pk)
