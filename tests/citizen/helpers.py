"""Helpers for the citizen pages, the kiosk and feedback tests: dossiers owned by citizens at each
point of their life (fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt
import io

from tests.dossiers.conftest import (  # noqa: F401  (re-exported for the tests)
    BIRTH,
    JPEG,
    PASSWORD,
    PDF,
    PNG,
    T0,
    at,
    fresh,
    online_dossier,
    result_file,
)

APPLICANT_NAME = "Nguyễn Văn An"
APPLICANT_ID = "096090001234"
APPLICANT_PHONE = "0912345678"


def received(people, owner=None, code: str = BIRTH, when: dt.datetime = T0, delivery: str = "counter"):
    """An online dossier of `owner` (default: people.citizen), received by the commune's counter.

    The result is collected at the counter unless `delivery` says otherwise: an electronic result
    ("online") is returned by the system at completion (#17), so `completed` would be at 10."""
    from motcua.dossiers import actions

    d = online_dossier(people, code, when, owner=owner, delivery=delivery)
    actions.receive(d, actor=people.receptionist, at=when + dt.timedelta(minutes=5))
    return fresh(d)


def completed(people, owner=None, when: dt.datetime = T0, delivery: str = "counter"):
    """Birth registration walked to status 9 with a result file (to 10 with an electronic result)."""
    from motcua.dossiers import actions

    d = received(people, owner=owner, when=when, delivery=delivery)
    actions.handover(d, actor=people.receptionist, at=when + dt.timedelta(minutes=30))
    actions.handover(d, actor=people.officer, at=when + dt.timedelta(hours=1))
    actions.handover(d, actor=people.leader, at=when + dt.timedelta(hours=2))
    result_file(d, people.clerk, when + dt.timedelta(hours=3))
    actions.complete(d, actor=people.clerk, at=when + dt.timedelta(hours=4))
    return fresh(d)


def returned(people, owner=None, when: dt.datetime = T0):
    """... and handed over to the applicant: status 10."""
    from motcua.dossiers import actions

    d = completed(people, owner=owner, when=when)
    actions.return_result(d, actor=people.receptionist, originals_checked=True, applicant_signed=True,
                          at=when + dt.timedelta(hours=5))
    return fresh(d)


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def file_of(content: bytes = PDF) -> io.BytesIO:
    return io.BytesIO(content)


GOOD_ANSWERS = {"c1": 2, "c2": 2, "c3": 1, "c4": 2, "c5": 1, "c6": 2, "c7": 2, "c8": 2, "c9": 1}
