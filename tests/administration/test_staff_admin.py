"""Staff admin (can-bo/): list, invite (new or existing account), roles, deactivation; who may do it."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.administration.conftest import BIRTH

pytestmark = pytest.mark.django_db

LIST = "/can-bo/quan-tri/can-bo/"
INVITE = "/can-bo/quan-tri/can-bo/moi/"


@pytest.fixture(autouse=True)
def _no_notify(settings):
    settings.MOTCUA_ACCOUNTS_USE_NOTIFY = False  # codes go by Django's mail (captured by the test runner)


def member_url(user, agency, tail=""):
    return f"/can-bo/quan-tri/can-bo/{user.pk}/{tail}?co-quan={agency.pk}"


def invite(agency, **values):
    data = {"agency": agency.pk, "full_name": "Trần Thị Bình", "email": "binh@example.invalid", "phone": "",
            "roles": ["officer"]}
    data.update(values)
    return data


def log_rows(object_type):
    from motcua.audit.models import ChangeLog

    return list(ChangeLog.objects.filter(object_type=object_type).order_by("pk"))


def test_it_lists_the_agency_staff_with_roles_and_state(admin_client, admins):
    html = admin_client.get(LIST).content.decode()
    assert admins.officer.full_name in html and admins.commune_admin.full_name in html
    assert "Chuyên viên" in html and "Đang hoạt động" in html
    assert admins.other_admin.full_name not in html  # another commune's staff


def test_it_invites_a_new_staff_member_who_sets_a_password(admin_client, admins, django_capture_on_commit_callbacks):
    from motcua.accounts.models import Membership, User

    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(INVITE, invite(admins.commune, roles=["officer", "receptionist"]))
    assert page.status_code == 302
    user = User.objects.get(email="binh@example.invalid")
    assert user.full_name == "Trần Thị Bình" and not user.has_usable_password()
    active = Membership.objects.filter(user=user, agency=admins.commune, active=True)
    assert set(active.values_list("role", flat=True)) == {"officer", "receptionist"}
    [message] = mail.outbox
    assert message.to == ["binh@example.invalid"] and "/quen-mat-khau/nhap-ma/?t=" in message.body
    created = log_rows("accounts.user")[0]
    assert created.action == "create" and "password" not in created.after and created.actor == admins.commune_admin
    assert len(log_rows("accounts.membership")) == 2

    # The link leads through the accounts reset flow to a password, then to the back office.
    import re

    link = re.search(r"(/quen-mat-khau/nhap-ma/\?\S+)", message.body).group(1).replace("&amp;", "&")
    from django.test import Client

    browser = Client()
    page = browser.get(link)
    code = re.search(r"ma=(\d{6})", link).group(1)
    page = browser.post("/quen-mat-khau/nhap-ma/", {"t": re.search(r"t=([^&]+)", link).group(1), "code": code})
    assert page.status_code == 302 and page["Location"].endswith("/quen-mat-khau/mat-khau-moi/")
    password = "Cb-motcua-2026!"  # noqa: S105
    page = browser.post("/quen-mat-khau/mat-khau-moi/", {"new_password1": password, "new_password2": password})
    assert page.status_code == 302
    user.refresh_from_db()
    assert user.has_usable_password()
    assert browser.get("/can-bo/").status_code == 200


def test_it_gives_an_existing_account_the_membership(admin_client, admins):
    from django.utils import timezone

    from motcua.accounts.models import Membership, User

    # The account has proved its phone (a code sent there was entered): only such a match counts.
    existing = User.objects.create_user("cb_cu", full_name="Lê Văn Cũ", phone="0912000111", password="x-Pass-123!",
                                        phone_verified_at=timezone.now())
    page = admin_client.post(INVITE, invite(admins.commune, full_name="Tên khác", email="", phone="0912 000 111",
                                            roles=["clerk"]), follow=True)
    assert "Đã có tài khoản Lê Văn Cũ" in page.content.decode()
    assert User.objects.filter(phone="0912000111").count() == 1
    assert Membership.objects.filter(user=existing, agency=admins.commune, role="clerk", active=True).exists()
    assert not mail.outbox  # has a password already: nothing to set


def test_an_address_typed_at_sign_up_but_never_proved_gets_no_roles(admin_client, admins,
                                                                     django_capture_on_commit_callbacks):
    """A stranger signs up with the future officer's e-mail (unverified); the admin's invitation of
    that address makes a new account for the officer and tells the admin why."""
    from motcua.accounts.models import Membership, User

    stranger = User.objects.create_user("ke_la", full_name="Kẻ Lạ", email="binh@example.invalid",
                                        password="x-Pass-123!", self_registered=True)
    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(INVITE, invite(admins.commune, roles=["leader"]), follow=True)
    html = page.content.decode()
    assert "chưa xác minh, nên không được giao vai trò" in html and "Đã tạo tài khoản Trần Thị Bình" in html
    assert not Membership.objects.filter(user=stranger).exists()
    officer = User.objects.get(email="binh@example.invalid", full_name="Trần Thị Bình")
    assert officer != stranger and Membership.objects.filter(user=officer, role="leader", active=True).exists()
    [message] = mail.outbox  # the set-password code goes to the address: whoever proves it owns the new account
    assert message.to == ["binh@example.invalid"]


@pytest.mark.parametrize(("values", "message"), [
    ({"full_name": " "}, "Cần nhập họ và tên cán bộ."),
    ({"email": "", "phone": ""}, "Cần nhập e-mail hoặc số điện thoại"),
    ({"email": "khong-phai-email"}, "e-mail"),
    ({"phone": "12345"}, "Số điện thoại di động gồm 10 chữ số"),
    ({"roles": []}, "Cần chọn ít nhất một vai trò."),
    ({"roles": ["king"]}, "không có trong danh sách"),
])
def test_it_explains_bad_invitations_and_keeps_the_input(admin_client, admins, values, message):
    from motcua.accounts.models import User

    count = User.objects.count()
    page = admin_client.post(INVITE, invite(admins.commune, **values))
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    if "full_name" not in values:
        assert 'value="Trần Thị Bình"' in html
    assert User.objects.count() == count


def test_it_refuses_other_agencies(admin_client, other_admin_client, admins):
    assert admin_client.get(f"{LIST}?co-quan={admins.other_commune.pk}").status_code == 403
    page = admin_client.post(INVITE, invite(admins.other_commune))
    assert page.status_code == 400 and "Bạn không quản lý cơ quan đã chọn." in page.content.decode()
    urls = (member_url(admins.officer, admins.commune), member_url(admins.officer, admins.commune, "ngung-hoat-dong/"))
    for url in urls:
        assert other_admin_client.get(url).status_code == 403
        assert other_admin_client.post(url, {"action": "roles", "roles": ["leader"]}).status_code == 403
    assert admins.officer.memberships.get().active


def test_an_agency_admin_cannot_manage_a_provincial_admin(admin_client, admins, province_client):
    from motcua.accounts.models import Membership, Role

    # The provincial admin also holds a role in the commune.
    Membership.objects.create(user=admins.province_admin, agency=admins.commune, role=Role.OFFICER)
    url = member_url(admins.province_admin, admins.commune)
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(member_url(admins.province_admin, admins.commune, "ngung-hoat-dong/")).status_code == 403
    # Nor through an invitation naming the provincial admin's (proved) e-mail.
    from django.utils import timezone

    admins.province_admin.email = "tinh@example.invalid"
    admins.province_admin.email_verified_at = timezone.now()
    admins.province_admin.save()
    page = admin_client.post(INVITE, invite(admins.commune, email="tinh@example.invalid", roles=["leader"]))
    assert page.status_code == 400 and "chỉ quản trị cấp tỉnh mới thay đổi được" in page.content.decode()
    assert not Membership.objects.filter(user=admins.province_admin, role=Role.LEADER).exists()
    # ... but a provincial admin manages any agency's staff.
    assert province_client.get(member_url(admins.officer, admins.commune)).status_code == 200
    assert province_client.get(f"{LIST}?co-quan={admins.other_commune.pk}").status_code == 200


def test_it_assigns_and_removes_roles(admin_client, admins):
    from motcua.accounts.models import Membership

    url = member_url(admins.officer, admins.commune)
    page = admin_client.post(url, {"action": "roles", "roles": ["department_head"]}, follow=True)
    assert "giao vai trò Lãnh đạo phòng; bỏ vai trò Chuyên viên" in page.content.decode()
    roles = set(Membership.objects.filter(user=admins.officer).values_list("role", flat=True))
    assert roles == {"department_head"}
    actions = [(r.action, (r.before or r.after)["role"]) for r in log_rows("accounts.membership")]
    assert actions == [("create", "department_head"), ("delete", "officer")]
    page = admin_client.post(url, {"action": "roles"})
    assert page.status_code == 400 and "Cần giữ ít nhất một vai trò" in page.content.decode()


def test_an_admin_cannot_remove_their_own_last_admin_role(admin_client, admins):
    from motcua.accounts.models import Membership

    url = member_url(admins.commune_admin, admins.commune)
    page = admin_client.post(url, {"action": "roles", "roles": ["officer"]})
    assert page.status_code == 400
    assert "không thể bỏ vai trò quản trị đơn vị cuối cùng của chính mình" in page.content.decode()
    page = admin_client.post(member_url(admins.commune_admin, admins.commune, "ngung-hoat-dong/"), follow=True)
    assert "không thể bỏ vai trò quản trị đơn vị cuối cùng" in page.content.decode()
    assert Membership.objects.get(user=admins.commune_admin).active
    assert Membership.objects.get(user=admins.commune_admin).role == "agency_admin"


def test_deactivation_keeps_the_rows_and_hides_the_agency_dossiers(admin_client, admins):
    from motcua.accounts.models import Membership, Role
    from motcua.dossiers import actions
    from motcua.dossiers.queries import visible_dossiers
    from tests.backoffice.conftest import applicant, version_of

    receptionist = type(admins.officer).objects.create_user("tn_tanthanh")
    Membership.objects.create(user=receptionist, agency=admins.commune, role=Role.RECEPTIONIST)
    dossier = actions.create_dossier(actor=receptionist, version=version_of(BIRTH), channel=1,
                                     applicant=applicant()).dossier
    officer = type(admins.officer).objects.get(pk=admins.officer.pk)
    assert visible_dossiers(officer).filter(pk=dossier.pk).exists()

    url = member_url(admins.officer, admins.commune, "ngung-hoat-dong/")
    page = admin_client.get(url)
    assert page.status_code == 200 and "Ngừng hoạt động" in page.content.decode()
    assert admin_client.post(url).status_code == 302
    row = Membership.objects.get(user=admins.officer)
    assert row.active is False  # never deleted
    officer = type(admins.officer).objects.get(pk=admins.officer.pk)
    assert not visible_dossiers(officer).filter(pk=dossier.pk).exists()
    from django.test import Client

    c = Client()
    c.force_login(officer)
    assert c.get(f"/can-bo/ho-so/{dossier.code}/").status_code in (403, 404)
    [log] = log_rows("accounts.membership")
    assert log.before["active"] is True and log.after["active"] is False

    page = admin_client.post(member_url(admins.officer, admins.commune), {"action": "activate"}, follow=True)
    assert "Đã kích hoạt lại" in page.content.decode()
    assert Membership.objects.get(user=admins.officer).active


def test_plain_staff_cannot_open_staff_admin(officer_client, admins):
    assert officer_client.get(LIST).status_code == 403
    assert officer_client.post(INVITE, invite(admins.commune)).status_code == 403


def test_its_pages_need_no_inline_script_or_style(admin_client, admins):
    from tests.administration.test_workflow_views import csp_problems

    for url in (LIST, INVITE, member_url(admins.officer, admins.commune),
                member_url(admins.officer, admins.commune, "ngung-hoat-dong/")):
        assert csp_problems(admin_client.get(url).content.decode()) == [], url
