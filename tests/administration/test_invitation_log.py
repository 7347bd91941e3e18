"""A staff invitation's change-log row says why it went the way it did: matched to the account that
proved this e-mail or phone (and which one), or a new account (no such account; or one that only
typed the address, unproved)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.administration.test_staff_admin import INVITE, _no_notify, invite, log_rows  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_match_names_the_proved_contact(admin_client, admins):
    from motcua.accounts.models import User

    existing = User.objects.create_user("cb_cu", full_name="Lê Văn Cũ", phone="0912000111", password="x-Pass-123!",
                                        phone_verified_at=timezone.now())
    admin_client.post(INVITE, invite(admins.commune, email="", phone="0912 000 111", roles=["clerk"]))
    [row] = log_rows("accounts.user")
    assert row.action == "update" and row.object_id == str(existing.pk) and row.actor == admins.commune_admin
    assert "số điện thoại 0912000111 đã xác minh" in row.note and "password" not in row.after


def test_a_new_account_says_no_proved_account_had_the_address(admin_client, admins):
    admin_client.post(INVITE, invite(admins.commune))
    [row] = log_rows("accounts.user")
    assert row.action == "create" and "Chưa có tài khoản nào đã xác minh" in row.note


def test_a_new_account_says_an_unproved_one_was_passed_over(admin_client, admins):
    from motcua.accounts.models import User

    stranger = User.objects.create_user("ke_la", email="binh@example.invalid", password="x-Pass-123!",
                                        self_registered=True)
    admin_client.post(INVITE, invite(admins.commune))
    [row] = [r for r in log_rows("accounts.user") if r.object_id != str(stranger.pk)]
    assert row.action == "create" and "chưa xác minh" in row.note and "không được giao vai trò" in row.note
