"""Rules other apps rely on: who may submit, the prefill, codes (hashed, single use, limited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from motcua.accounts import services
from motcua.accounts.models import User, VerificationCode


@pytest.fixture
def newcomer(db):
    return User.objects.create_user("cdnew", password="x", email="moi@example.vn", self_registered=True)


def test_accounts_made_by_staff_or_commands_may_submit(db):
    staff_made = User.objects.create_user("congdan", password="x")
    assert staff_made.is_verified_citizen
    assert services.can_submit(staff_made)
    assert services.submission_block_reason(staff_made) is None


def test_a_self_registered_account_needs_a_verified_contact(newcomer):
    assert not services.can_submit(newcomer)
    assert "chưa được xác minh" in services.submission_block_reason(newcomer)
    services.confirm_contact(newcomer, "email", "moi@example.vn")
    newcomer.refresh_from_db()
    assert services.can_submit(newcomer)


def test_nobody_signed_out_or_locked_may_submit(newcomer):
    assert not services.can_submit(AnonymousUser())
    assert not services.can_submit(None)
    assert "đăng nhập" in services.submission_block_reason(AnonymousUser())
    newcomer.identity_verified_at = timezone.now()
    newcomer.is_active = False
    assert not services.can_submit(newcomer)


def test_the_prefill_has_the_api_applicant_keys(db):
    user = User.objects.create_user(
        "cd1", full_name="Lê Văn Tám", id_number="096090001234", phone="0912345678", email="tam@example.vn",
        address="Phường Tân Thành, tỉnh Cà Mau", date_of_birth=dt.date(1990, 3, 15),
    )
    assert services.applicant_prefill(user) == {
        "name": "Lê Văn Tám", "id_number": "096090001234", "phone": "0912345678", "email": "tam@example.vn",
        "address": "Phường Tân Thành, tỉnh Cà Mau", "date_of_birth": "1990-03-15",
    }
    assert services.applicant_prefill(AnonymousUser())["name"] == ""


def test_codes_are_stored_hashed_and_work_once(newcomer, codes):
    issued = services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4")
    code = codes.last().code
    assert len(code) == 6 and code.isdigit()
    vc = issued.code
    assert code not in vc.code_hash and vc.token not in vc.code_hash
    assert vc.expires_at - vc.created_at == dt.timedelta(minutes=10)
    assert services.check_code(vc, code).ok
    again = services.check_code(VerificationCode.objects.get(pk=vc.pk), code)
    assert (again.ok, again.reason) == (False, "used")


def test_five_wrong_codes_lock_it_even_for_the_right_one(newcomer, codes):
    vc = services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4").code
    right = codes.last().code
    wrong = "000000" if right != "000000" else "111111"
    results = [services.check_code(vc, wrong) for _ in range(5)]
    assert [r.remaining for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].reason == "locked"
    assert services.check_code(vc, right).reason == "locked"


def test_an_expired_code_is_refused(newcomer, codes):
    vc = services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4").code
    VerificationCode.objects.filter(pk=vc.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    vc.refresh_from_db()
    assert services.check_code(vc, codes.last().code).reason == "expired"


def test_a_new_code_replaces_the_old_one_after_the_cooldown(newcomer, codes, clock):
    first = services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4").code
    with pytest.raises(services.SendRefused) as refused:
        services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4")
    assert 0 < refused.value.decision.retry_after <= 60
    clock.advance(61)
    services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4")
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert services.check_code(first, codes[0].code).reason == "revoked"


def test_one_destination_gets_at_most_five_codes_an_hour(newcomer, codes, clock):
    for _ in range(5):
        services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="1.2.3.4")
        clock.advance(61)
    with pytest.raises(services.SendRefused) as refused:
        services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="5.6.7.8")
    assert refused.value.decision.retry_after > 60
    clock.advance(3600)
    services.issue_code(newcomer, "signup", "email", "moi@example.vn", ip="5.6.7.8")
    assert len(codes) == 6


def test_a_verified_contact_belongs_to_one_account(newcomer):
    other = User.objects.create_user("cdother", password="x", self_registered=True)
    services.confirm_contact(newcomer, "email", "moi@example.vn")
    with pytest.raises(services.ContactTaken):
        services.confirm_contact(other, "email", "MOI@example.vn")
