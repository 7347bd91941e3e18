"""Token revocations, sign-in lockouts (and their lifting) and staff-invitation matches are written
to the configuration change log (audit.ChangeLog): who, what, when and why, never a
token, its hash or a password."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.signals import SECOND_FACTOR, credentials_changed
from motcua.api.auth import issue_token
from motcua.audit.models import ChangeLog
from tests.audit.test_it_two_factor import PASSWORD, VERIFY, code_for, enrol, sign_in

pytestmark = pytest.mark.django_db
PAGE = "/tai-khoan/ma-truy-cap-api/"


def rows(action: str, object_type: str) -> list[ChangeLog]:
    return list(ChangeLog.objects.filter(action=action, object_type=object_type).order_by("pk"))


def no_secrets(row: ChangeLog, *secrets: str) -> None:
    text = json.dumps([row.before, row.after, row.note, row.object_repr], ensure_ascii=False, default=str)
    assert not {"key_hash", "password"} & {*(row.before or {}), *(row.after or {})}
    for secret in secrets:
        assert secret not in text


def test_the_owner_ending_a_token_is_logged_with_who_and_why(people):
    raw, row = issue_token(people.receptionist)
    c = Client()
    c.force_login(people.receptionist)
    c.post(PAGE, {"token": row.pk})
    [entry] = rows("revoke", "dossiers.apitoken")
    assert entry.actor == people.receptionist and entry.object_id == str(row.pk)
    assert entry.before["revoked_at"] is None and entry.after["revoked_reason"] == "owner"
    assert "Người dùng tự thu hồi" in entry.note
    no_secrets(entry, raw, row.key_hash)
    c.post(PAGE, {"all": "1"})  # nothing left to end: no row
    assert len(rows("revoke", "dossiers.apitoken")) == 1


def test_an_admin_ending_tokens_is_logged_with_the_admin(people):
    from motcua.accounts.models import User

    raw, row = issue_token(people.receptionist)
    admin = User.objects.create_superuser("quantri_tk", password=None)
    c = Client()
    c.force_login(admin)
    c.post("/quan-tri-he-thong/dossiers/apitoken/", {"action": "end_tokens", "_selected_action": [row.pk]})
    [entry] = rows("revoke", "dossiers.apitoken")
    assert entry.actor == admin and entry.after["revoked_reason"] == "admin"
    no_secrets(entry, raw, row.key_hash)


def test_a_password_change_and_a_second_factor_end_tokens_in_the_log(people, django_capture_on_commit_callbacks):
    new_password = "mat-khau-moi-2026!"  # noqa: S105
    raw, row = issue_token(people.receptionist)
    with django_capture_on_commit_callbacks(execute=True):
        people.receptionist.set_password(new_password)
        people.receptionist.save()
    [entry] = rows("revoke", "dossiers.apitoken")
    assert entry.actor is None and entry.after["revoked_reason"] == "password_changed"
    assert "Mật khẩu đã đổi" in entry.note
    no_secrets(entry, raw, row.key_hash, new_password)
    _raw, second = issue_token(people.receptionist)
    credentials_changed.send(type(people.receptionist), user=people.receptionist, reason=SECOND_FACTOR)
    assert [r.after["revoked_reason"] for r in rows("revoke", "dossiers.apitoken")] == [
        "password_changed", "second_factor"]


def test_a_sign_in_lockout_is_logged_once_by_either_door(people, client, settings):
    settings.MOTCUA_SIGNIN_FAILURES = 3
    people.receptionist.set_password(PASSWORD)
    people.receptionist.save()
    for i in range(3):
        client.post("/dang-nhap/", {"username": "tn_xa", "password": f"sai-{i}"}, REMOTE_ADDR="198.51.100.7")
    assert client.post("/dang-nhap/", {"username": "tn_xa", "password": PASSWORD}).status_code == 429
    [entry] = rows("lock", "accounts.user")
    assert entry.object_id == str(people.receptionist.pk) and entry.actor is None
    assert entry.agency == people.commune
    assert entry.after["door"] == "page" and entry.after["ip"] == "198.51.100.7" and entry.after["failures"] == 3
    assert "198.51.100.7" in entry.note and "mật khẩu sai" in entry.note
    no_secrets(entry, PASSWORD, "sai-0")

    people.officer.set_password(PASSWORD)
    people.officer.save()
    for _ in range(4):
        client.post("/api/v1/auth/token", {"username": "cv_xa", "password": "sai"}, content_type="application/json")
    [_first, entry] = rows("lock", "accounts.user")
    assert entry.object_id == str(people.officer.pk) and entry.after["door"] == "api"


def test_a_second_factor_lockout_is_logged(people):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    device = enrol(sign_in(people.officer), people.officer)
    c = sign_in(people.officer)
    wrong = f"{(int(code_for(device, 1)) + 1) % 1000000:06d}"
    for _ in range(6):
        c.post(VERIFY, {"code": wrong})
    [entry] = rows("lock", "accounts.user")
    assert entry.object_id == str(people.officer.pk) and "hai bước" in entry.note
    no_secrets(entry, wrong)
    TOTPDevice.objects.filter(user=people.officer).delete()


def test_a_system_administrator_unlocks_a_locked_account(people, client, settings):
    from motcua.accounts.models import User

    settings.MOTCUA_SIGNIN_FAILURES = 3
    people.receptionist.set_password(PASSWORD)
    people.receptionist.save()
    for i in range(3):
        client.post("/dang-nhap/", {"username": "tn_xa", "password": f"sai-{i}"})
    assert client.post("/dang-nhap/", {"username": "tn_xa", "password": PASSWORD}).status_code == 429
    admin = User.objects.create_superuser("quantri_mo", password=None)
    c = Client()
    c.force_login(admin)
    response = c.post("/quan-tri-he-thong/accounts/user/", {
        "action": "unlock_sign_in", "_selected_action": [people.receptionist.pk]})
    assert response.status_code == 302
    [entry] = rows("unlock", "accounts.user")
    assert entry.actor == admin and entry.object_id == str(people.receptionist.pk)
    assert client.post("/dang-nhap/", {"username": "tn_xa", "password": PASSWORD}).status_code == 302
