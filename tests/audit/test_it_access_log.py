"""The personal-data access log: each staff view or download of a dossier (pages, files, forms, API)
is recorded, chained per dossier; staff of other agencies get 404 and leave no row; owners are not
logged; the Django admin lists it read-only."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from motcua.api.auth import issue_token
from motcua.audit.models import AccessKind, PersonalDataAccess
from motcua.audit.verify import EDITED, verify
from motcua.dossiers import actions
from tests.backoffice.conftest import PDF, counter_dossier, online_dossier

pytestmark = pytest.mark.django_db


def rows(dossier):
    return list(PersonalDataAccess.objects.filter(dossier=dossier).order_by("seq"))


@pytest.fixture
def dossier(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    d = counter_dossier(people)
    component = d.procedure_version.components.order_by("order", "id").first()
    d.file = actions.add_file(d, actor=people.receptionist, upload=io.BytesIO(PDF), name="to-khai.pdf",
                              component=component).file
    return d


def test_it_logs_the_staff_dossier_page_files_and_forms(people, login, dossier):
    c = login(people.receptionist)
    assert c.get(f"/can-bo/ho-so/{dossier.code}/", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert c.get(f"/can-bo/ho-so/{dossier.code}/tep/{dossier.file.pk}/").status_code == 200
    assert c.get(f"/can-bo/ho-so/{dossier.code}/mau/01.pdf").status_code == 200
    log = rows(dossier)
    assert [(r.what, r.actor_id) for r in log] == [
        (AccessKind.VIEW, people.receptionist.pk), (AccessKind.DOWNLOAD, people.receptionist.pk),
        (AccessKind.DOWNLOAD, people.receptionist.pk)]
    assert log[0].ip == "203.0.113.7" and log[0].path == f"/can-bo/ho-so/{dossier.code}/"
    assert log[2].path.endswith("/mau/01.pdf")
    assert [r.seq for r in log] == [1, 2, 3] and log[0].prev_hash == ""
    assert log[1].prev_hash == log[0].hash and log[2].prev_hash == log[1].hash


def test_it_logs_the_api_detail_and_forms_but_not_the_owner(people, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    d = online_dossier(people)
    owner, _ = issue_token(people.citizen)
    staff, _ = issue_token(people.receptionist)
    assert client.get(f"/api/v1/dossiers/{d.code}", headers={"Authorization": f"Bearer {owner}"}).status_code == 200
    assert rows(d) == []
    assert client.get(f"/api/v1/dossiers/{d.code}", headers={"Authorization": f"Bearer {staff}"}).status_code == 200
    assert [(r.what, r.actor_id) for r in rows(d)] == [(AccessKind.VIEW, people.receptionist.pk)]


def test_staff_of_another_agency_get_404_and_leave_no_row(people, login, client, dossier):
    other = login(people.other_receptionist)
    assert other.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    assert other.get(f"/can-bo/ho-so/{dossier.code}/tep/{dossier.file.pk}/").status_code == 404
    assert other.get(f"/can-bo/ho-so/{dossier.code}/mau/01.pdf").status_code == 404
    token, _ = issue_token(people.other_officer)
    assert client.get(f"/api/v1/dossiers/{dossier.code}", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 404
    assert rows(dossier) == []


def test_an_edited_access_row_is_reported(people, login, dossier):
    c = login(people.receptionist)
    for _ in range(3):
        c.get(f"/can-bo/ho-so/{dossier.code}/")
    assert list(verify()) == []
    target = rows(dossier)[1]
    table = connection.ops.quote_name(PersonalDataAccess._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE " + table + " SET actor_id = %s WHERE id = %s", [people.leader.pk, target.pk])  # noqa: S608
    problems = [(p.log, p.dossier, p.position, p.kind) for p in verify()]
    assert problems == [("access", dossier.code, 2, EDITED)]


def test_the_log_cannot_be_changed_through_the_orm(people, login, dossier):
    login(people.receptionist).get(f"/can-bo/ho-so/{dossier.code}/")
    row = rows(dossier)[0]
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.update(what="export")


def test_the_django_admin_lists_it_read_only(people, login, dossier):
    from motcua.accounts.models import User

    login(people.receptionist).get(f"/can-bo/ho-so/{dossier.code}/")
    other = counter_dossier(people)
    login(people.officer).get(f"/can-bo/ho-so/{other.code}/")
    root = User.objects.create_superuser("root_audit", password=None)
    c = login(root)
    url = "/quan-tri-he-thong/audit/personaldataaccess/"
    page = c.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert dossier.code in text and other.code in text
    filtered = c.get(url, {"dossier__code": dossier.code}).content.decode()
    assert dossier.code in filtered and other.code not in filtered
    by_actor = c.get(url, {"actor__username": people.officer.username}).content.decode()
    assert other.code in by_actor and dossier.code not in by_actor
    assert c.get(url + "add/").status_code == 403
    row = rows(dossier)[0]
    assert c.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.get(f"{url}{row.pk}/change/").status_code == 200  # view only
    assert PersonalDataAccess.objects.filter(pk=row.pk).exists()


def test_it_logs_the_online_reception_check(people, login):
    d = online_dossier(people)
    assert login(people.receptionist).get(f"/can-bo/cho-tiep-nhan/{d.code}/").status_code == 200
    assert [(r.what, r.actor_id) for r in rows(d)] == [(AccessKind.VIEW, people.receptionist.pk)]
