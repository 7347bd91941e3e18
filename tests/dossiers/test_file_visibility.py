"""Which files of a dossier each user may open: one rule (`queries.visible_files`) at every door:
the staff dossier page, the API (detail and download), the citizen's dossier page and wallet."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from motcua.api.auth import issue_token
from motcua.dossiers import actions
from motcua.dossiers.queries import owner_files, visible_files

from .conftest import PDF, T0, at, fresh, online_dossier, result_file, version_of


@pytest.fixture
def dossier(people):
    """An online dossier with the citizen's scan, received and walked to its last step, where the
    clerk has attached a draft result (status 4: not the applicant's yet)."""
    d = online_dossier(people)
    form = version_of(d.procedure_version.procedure.code).components.order_by("order", "id").first()
    scan = actions.add_file(d, actor=people.citizen, upload=io.BytesIO(PDF), name="to-khai.pdf", component=form,
                            at=T0).file
    actions.receive(fresh(d), actor=people.receptionist, at=at(9, 9, 30))
    for actor in (people.receptionist, people.officer, people.leader):
        actions.handover(fresh(d), actor=actor, at=at(9, 10))
    result = result_file(fresh(d), people.clerk, at(9, 10, 30)).file
    return fresh(d), scan, result


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_token(user)[0]}"}


def doors(user, d, file) -> dict[str, int]:
    """The status each door answers `user` for `file`."""
    client, headers = session(user), bearer(user)
    api_detail = client.get(f"/api/v1/dossiers/{d.code}", headers=headers)
    listed = api_detail.status_code == 200 and file.pk in [f["id"] for f in api_detail.json()["files"]]
    return {
        "staff page": client.get(f"/can-bo/ho-so/{d.code}/tep/{file.pk}/").status_code,
        "api": client.get(f"/api/v1/dossiers/{d.code}/files/{file.pk}", headers=headers).status_code,
        "api list": 200 if listed else 404,
        "citizen page": client.get(f"/ho-so-cua-toi/{d.code}/tep/{file.pk}/").status_code,
        "wallet": client.get(f"/nop-ho-so/kho/{file.pk}/").status_code,
    }


def test_the_rule(people, dossier):
    d, scan, result = dossier
    assert set(visible_files(people.clerk, d)) == {scan, result}
    assert set(visible_files(people.receptionist, d)) == {scan, result}
    assert set(visible_files(people.citizen, d)) == {scan}  # the draft result is not theirs yet
    assert set(owner_files(people.citizen)) == {scan}
    for stranger in (people.citizen2, people.other_officer, None):
        assert not visible_files(stranger, d).exists()
    actions.complete(d, actor=people.clerk, at=at(9, 11))
    assert set(visible_files(people.citizen, d)) == {scan, result} == set(owner_files(people.citizen))


def test_staff_of_the_agencies_open_every_file_through_their_doors(people, dossier):
    d, scan, result = dossier
    for user in (people.receptionist, people.clerk):
        for file in (scan, result):
            answers = doors(user, d, file)
            assert (answers["staff page"], answers["api"], answers["api list"]) == (200, 200, 200), (user, file)
            assert answers["citizen page"] == answers["wallet"] == 404  # the citizen's doors are the owner's


def test_the_owner_opens_the_scan_and_the_result_only_once_released(people, dossier):
    d, scan, result = dossier
    answers = doors(people.citizen, d, scan)
    assert (answers["api"], answers["api list"], answers["citizen page"], answers["wallet"]) == (200, 200, 200, 200)
    assert answers["staff page"] == 403  # not staff
    answers = doors(people.citizen, d, result)
    assert (answers["api"], answers["api list"], answers["citizen page"], answers["wallet"]) == (404, 404, 404, 404)
    actions.complete(d, actor=people.clerk, at=at(9, 11))
    answers = doors(people.citizen, fresh(d), result)
    assert (answers["api"], answers["api list"], answers["citizen page"], answers["wallet"]) == (200, 200, 200, 200)


def test_others_open_nothing(people, dossier):
    d, scan, result = dossier
    for user in (people.citizen2, people.other_officer):
        for file in (scan, result):
            answers = doors(user, d, file)
            assert answers["api"] == answers["api list"] == answers["citizen page"] == answers["wallet"] == 404
            assert answers["staff page"] in (403, 404)


def test_the_api_download_is_an_attachment_and_unknown_ids_are_404(people, dossier):
    d, scan, _result = dossier
    client, headers = session(people.receptionist), bearer(people.receptionist)
    response = client.get(f"/api/v1/dossiers/{d.code}/files/{scan.pk}", headers=headers)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    for file_id in (0, 99999999, 2**70):
        assert client.get(f"/api/v1/dossiers/{d.code}/files/{file_id}", headers=headers).status_code in (404, 400)
