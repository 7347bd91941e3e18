"""Users' REST API tokens end with a new password, with a newly required second factor, and at
their owner's wish; the owner sees why each ended. Tokens used to survive all three."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.api.auth import issue_token
from motcua.dossiers.models import ApiToken
from tests.audit.test_it_two_factor import PASSWORD, enrol, sign_in
from tests.backoffice.conftest import counter_dossier

pytestmark = pytest.mark.django_db
PAGE = "/tai-khoan/ma-truy-cap-api/"


def status(raw: str, code: str) -> int:
    return Client().get(f"/api/v1/dossiers/{code}", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_new_password_ends_the_persons_tokens(people, django_capture_on_commit_callbacks):
    d = counter_dossier(people)
    raw, _row = issue_token(people.receptionist)
    other, _other_row = issue_token(people.officer)
    assert status(raw, d.code) == 200
    with django_capture_on_commit_callbacks(execute=True):
        people.receptionist.set_password("mat-khau-moi-2026!")
        people.receptionist.save()
    assert status(raw, d.code) == 401
    assert status(other, d.code) == 200  # another person's token lives on
    c = Client()
    c.force_login(people.receptionist)
    assert "Mật khẩu đã đổi" in c.get(PAGE).content.decode()


def test_turning_on_a_second_factor_ends_the_tokens_made_without_it(people, django_capture_on_commit_callbacks):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    d = counter_dossier(people)
    raw, _row = issue_token(people.officer)
    assert status(raw, d.code) == 200
    c = sign_in(people.officer)
    with django_capture_on_commit_callbacks(execute=True):
        enrol(c, people.officer)
    assert status(raw, d.code) == 401
    assert ApiToken.objects.get(user=people.officer).revoked_reason == "second_factor"


def test_the_owner_lists_and_ends_their_tokens_only(people):
    d = counter_dossier(people)
    first, first_row = issue_token(people.receptionist)
    second, _second_row = issue_token(people.receptionist)
    theirs, theirs_row = issue_token(people.officer)
    c = Client()
    c.force_login(people.receptionist)
    page = c.get(PAGE).content.decode()
    assert page.count("Đang hoạt động") == 2 and "Chấm dứt tất cả" in page
    assert c.post(PAGE, {"token": first_row.pk}).status_code == 302
    assert status(first, d.code) == 401 and status(second, d.code) == 200
    c.post(PAGE, {"token": theirs_row.pk})  # not theirs: nothing happens to it
    assert status(theirs, d.code) == 200
    page = c.get(PAGE).content.decode()
    assert "Người dùng tự thu hồi" in page and page.count("Đang hoạt động") == 1
    c.post(PAGE, {"all": "1"})
    assert status(second, d.code) == 401 and status(theirs, d.code) == 200
    assert Client().get(PAGE).status_code == 302  # signed-in people only


def test_an_admin_ends_tokens_from_the_django_admin(people):
    from motcua.accounts.models import User

    raw, row = issue_token(people.receptionist)
    d = counter_dossier(people)
    admin = Client()
    admin.force_login(User.objects.create_superuser("quantri_tk", password=None))
    assert admin.get("/quan-tri-he-thong/dossiers/apitoken/").status_code == 200
    response = admin.post("/quan-tri-he-thong/dossiers/apitoken/", {
        "action": "end_tokens", "_selected_action": [row.pk]})
    assert response.status_code == 302
    assert status(raw, d.code) == 401 and ApiToken.objects.get(pk=row.pk).revoked_reason == "admin"
