"""Service accounts and their scoped tokens: made with a user in their agency, scopes enforced in the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Membership
from motcua.api.auth import issue_token
from motcua.integrations import tokens
from motcua.integrations.models import ServiceAccount, ServiceToken
from tests.dossiers.conftest import BIRTH, T0, counter_dossier

APPLICANT = {"name": "Trần Thị Bình", "id_number": "096090004321", "phone": "0912345679", "email": "",
             "address": "Phường Tân Thành"}


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


INLINE = {"tokens-TOTAL_FORMS": "0", "tokens-INITIAL_FORMS": "0"}  # the admin's token inline


def roles_of(account) -> set:
    return set(Membership.objects.filter(user=account.user, active=True).values_list("agency_id", "role"))


def test_an_account_gets_a_user_in_its_agency_with_its_roles(people, accounts):
    kiosk = accounts.kiosk
    assert kiosk.user.username == "svc-kiosk-tan-thanh" and not kiosk.user.has_usable_password()
    assert roles_of(kiosk) == {(people.commune.pk, "receptionist")}
    assert roles_of(accounts.reader) == {(people.commune.pk, "supervisor")}  # no roles: reads only
    kiosk.roles = ["officer"]
    kiosk.save()
    assert roles_of(kiosk) == {(people.commune.pk, "officer")}
    kiosk.active = False
    kiosk.save()
    kiosk.user.refresh_from_db()
    assert not kiosk.user.is_active and roles_of(kiosk) == set()


def test_the_command_prints_a_token_once_and_stores_only_its_hash(people, accounts):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_service_token", "kiosk-tan-thanh", "--scopes", "dossiers:read", "--days", "30",
                 stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("mcs_") and len(raw) > 40 and "dossiers:read" in err.getvalue()
    token = ServiceToken.objects.get(account=accounts.kiosk)
    assert token.key_hash == tokens.hash_token(raw) and raw not in (token.key_hash, token.prefix)
    assert token.scopes == ["dossiers:read"] and token.expires_at > timezone.now() + dt.timedelta(days=29)


def test_the_command_refuses_bad_input_with_a_clear_message(people, accounts):
    with pytest.raises(CommandError, match="Phạm vi không hợp lệ: dossiers:delete"):
        call_command("create_service_token", "kiosk-tan-thanh", "--scopes", "dossiers:delete")
    with pytest.raises(CommandError, match="không có phạm vi: dossiers:write"):
        call_command("create_service_token", "kho-du-lieu", "--scopes", "dossiers:write")
    with pytest.raises(CommandError, match="--agency"):
        call_command("create_service_token", "chua-co")
    with pytest.raises(CommandError, match="Không có cơ quan"):
        call_command("create_service_token", "chua-co", "--agency", "000.99.99.H12")
    assert ServiceToken.objects.count() == 0 and not ServiceAccount.objects.filter(name="chua-co").exists()


def test_the_command_can_create_the_account(people):
    out = io.StringIO()
    call_command("create_service_token", "buu-dien", "--agency", people.commune.unit_code, "--roles",
                 "receptionist", "--scopes", "dossiers:read,dossiers:write", stdout=out, stderr=io.StringIO())
    account = ServiceAccount.objects.get(name="buu-dien")
    assert account.scopes == ["dossiers:read", "dossiers:write"] and roles_of(account) == {
        (people.commune.pk, "receptionist")}
    assert tokens.authenticate(out.getvalue().strip()).account == account


def test_a_read_token_reads_its_agency_only_and_cannot_write(people, accounts, client):
    mine = counter_dossier(people, BIRTH, T0)
    theirs = counter_dossier(people, "1.009974", T0, actor=people.other_receptionist)  # the other commune
    assert theirs.agency_id == people.other_commune.pk
    raw, _ = tokens.issue(accounts.reader)
    response = client.get(f"/api/v1/dossiers/{mine.code}", headers=bearer(raw))
    assert response.status_code == 200 and response.json()["code"] == mine.code
    assert response.json()["allowed_actions"] == []
    assert client.get(f"/api/v1/dossiers/{theirs.code}", headers=bearer(raw)).status_code == 404
    refused = client.post(f"/api/v1/dossiers/{mine.code}/actions", {"action": "handover"},
                          content_type="application/json", headers=bearer(raw))
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "insufficient_scope", "scope": "dossiers:write",
        "message": "Mã truy cập không được cấp quyền «dossiers:write» (Tạo, xử lý hồ sơ và thêm tệp).",
    }


def test_a_write_token_acts_as_a_member_of_its_agency(people, accounts, client):
    raw, _ = tokens.issue(accounts.kiosk, ["dossiers:read", "dossiers:write"])
    created = client.post("/api/v1/dossiers", {"procedure": BIRTH, "channel": 1, "applicant": APPLICANT},
                          content_type="application/json", headers=bearer(raw))
    assert created.status_code == 201, created.content
    assert created.json()["status_code"] == 2  # received at the counter by the kiosk's receptionist role
    code = created.json()["code"]
    assert code.startswith(people.commune.unit_code)
    moved = client.post(f"/api/v1/dossiers/{code}/actions", {"action": "handover"},
                        content_type="application/json", headers=bearer(raw))
    assert moved.status_code == 200 and moved.json()["status_code"] == 4
    # A procedure received elsewhere: the kiosk is no receptionist there.
    elsewhere = client.post("/api/v1/dossiers", {"procedure": "1.009974", "channel": 1, "applicant": APPLICANT},
                            content_type="application/json", headers=bearer(raw))
    assert elsewhere.status_code == 403


def test_a_token_never_has_more_than_its_account(people, accounts, client):
    raw, token = tokens.issue(accounts.kiosk, ["dossiers:write"])
    dossier = counter_dossier(people, BIRTH, T0)
    assert client.get(f"/api/v1/dossiers/{dossier.code}", headers=bearer(raw)).status_code == 403  # no read
    with pytest.raises(tokens.TokenError):
        tokens.issue(accounts.reader, ["dossiers:write"])
    # The account loses a scope: its existing tokens lose it too.
    full, _ = tokens.issue(accounts.kiosk)
    accounts.kiosk.scopes = ["dossiers:read"]
    accounts.kiosk.save()
    assert tokens.authenticate(full).scopes == frozenset({"dossiers:read"})
    assert tokens.authenticate(raw).scopes == frozenset()


@pytest.mark.parametrize("spoil", ["revoked", "expired", "inactive"])
def test_revoked_expired_and_inactive_are_refused(people, accounts, client, spoil):
    dossier = counter_dossier(people, BIRTH, T0)
    raw, token = tokens.issue(accounts.reader)
    assert client.get(f"/api/v1/dossiers/{dossier.code}", headers=bearer(raw)).status_code == 200
    if spoil == "revoked":
        tokens.revoke(token)
    elif spoil == "expired":
        ServiceToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    else:
        accounts.reader.active = False
        accounts.reader.save()
    response = client.get(f"/api/v1/dossiers/{dossier.code}", headers=bearer(raw))
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_user_tokens_keep_all_their_users_rights(people, client):
    raw, _ = issue_token(people.receptionist)
    dossier = counter_dossier(people, BIRTH, T0)
    assert client.get(f"/api/v1/dossiers/{dossier.code}", headers=bearer(raw)).status_code == 200
    moved = client.post(f"/api/v1/dossiers/{dossier.code}/actions", {"action": "handover"},
                        content_type="application/json", headers=bearer(raw))
    assert moved.status_code == 200


def test_the_admin_shows_a_new_token_once(people, accounts, admin_client):
    url = reverse("admin:integrations_serviceaccount_changelist")
    response = admin_client.post(url, {"action": "issue_token", "_selected_action": [accounts.kiosk.pk]})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = ServiceToken.objects.get(account=accounts.kiosk)
    page = response.content.decode()
    raw = page.split("<code>")[1].split("</code>")[0]
    assert tokens.hash_token(raw) == token.key_hash
    detail = admin_client.get(reverse("admin:integrations_serviceaccount_change", args=[accounts.kiosk.pk]))
    assert detail.status_code == 200 and raw not in detail.content.decode() and token.prefix in detail.content.decode()


def test_the_admin_form_refuses_unknown_values_and_keeps_the_input(people, admin_client):
    url = reverse("admin:integrations_serviceaccount_add")
    response = admin_client.post(url, {"name": "Tên Có Dấu", "description": "Bưu điện tỉnh",
                                       "agency": people.commune.pk, "scopes": ["dossiers:nope"],
                                       "active": "on"} | INLINE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bưu điện tỉnh" in page and "dossiers:nope" in page and "errorlist" in page
    assert not ServiceAccount.objects.exists()


def test_an_account_name_taken_by_a_user_is_refused_in_the_admin(people, admin_client):
    from motcua.accounts.models import User

    User.objects.create_user("svc-buu-dien")
    url = reverse("admin:integrations_serviceaccount_add")
    response = admin_client.post(url, {"name": "buu-dien", "description": "Bưu điện tỉnh",
                                       "agency": people.commune.pk, "scopes": ["dossiers:read"],
                                       "active": "on"} | INLINE)
    assert response.status_code == 200 and "trùng với một người dùng" in response.content.decode()
    assert not ServiceAccount.objects.exists()


def test_the_admin_creates_an_account_with_its_user(people, admin_client):
    url = reverse("admin:integrations_serviceaccount_add")
    response = admin_client.post(url, {"name": "buu-dien", "description": "Bưu điện tỉnh",
                                       "agency": people.commune.pk, "roles": ["receptionist"],
                                       "scopes": ["dossiers:read", "dossiers:write"],
                                       "active": "on"} | INLINE)
    assert response.status_code == 302, response.content.decode()[:2000]
    account = ServiceAccount.objects.get(name="buu-dien")
    assert account.scopes == ["dossiers:read", "dossiers:write"]
    assert roles_of(account) == {(people.commune.pk, "receptionist")}


def test_the_indicators_need_their_own_scope(people, accounts, client):
    without, _ = tokens.issue(accounts.reader)
    refused = client.get("/api/v1/indicators", headers=bearer(without))
    assert refused.status_code == 403 and refused.json()["error"]["scope"] == "indicators:read"
    stats = accounts.make("thong-ke-tinh", people.commune, scopes=["indicators:read"])
    granted, _ = tokens.issue(stats)
    answer = client.get("/api/v1/indicators", headers=bearer(granted))
    assert answer.status_code == 200, answer.content
