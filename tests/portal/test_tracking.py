"""The public tracking page: code + key, the same answer for an unknown code and a wrong key."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Membership, User
from motcua.catalog.models import Procedure
from motcua.dossiers import actions


@pytest.fixture
def dossier(catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = Procedure.objects.get(code="1.001193").published
    staff = User.objects.create_user("tn", password="x")
    Membership.objects.create(user=staff, agency=version.receiving_agency, role="receptionist")
    applicant = actions.Applicant(name="Nguyễn Văn An", id_number="096090001234", phone="0912345678",
                                  email="", address="Cà Mau")
    d = actions.create_dossier(actor=staff, version=version, channel=1, applicant=applicant).dossier
    actions.handover(d, actor=staff)
    return type(d).objects.get(pk=d.pk)


def test_it_shows_the_status_and_steps_with_the_right_key(client, dossier):
    response = client.get(f"/tra-cuu/{dossier.code}", {"key": dossier.tracking_key})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Đang xử lý" in page
    assert "Tiếp nhận hồ sơ" in page and "Thẩm tra, xử lý" in page
    assert "N***** V** A*" in page
    assert "Nguyễn Văn An" not in page
    assert "096090001234" not in page and "0912345678" not in page


def test_it_accepts_a_lower_case_key_typed_by_hand(client, dossier):
    response = client.get(f"/tra-cuu/{dossier.code.lower()}", {"key": dossier.tracking_key.lower()})
    assert response.status_code == 200


def test_it_answers_a_wrong_key_exactly_like_an_unknown_code(client, dossier):
    wrong = client.get(f"/tra-cuu/{dossier.code}", {"key": "ZZZZZZ"})
    unknown = client.get("/tra-cuu/000.00.00.X00-260101-9999", {"key": "ZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 404
    strip = lambda r: r.content.decode().replace(dossier.code, "CODE").replace("000.00.00.X00-260101-9999", "CODE")  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()


def test_it_turns_the_typed_form_into_the_qr_address(client, dossier):
    response = client.get("/tra-cuu/", {"ma": f" {dossier.code} ", "key": dossier.tracking_key})
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{dossier.code}?key={dossier.tracking_key}"


@pytest.mark.parametrize("code", ["<script>", "x" * 5000, "' OR 1=1 --", "🙂", "a/b", "../..", "%00"])
def test_it_survives_hostile_input(client, db, code):
    response = client.get("/tra-cuu/", {"ma": code, "key": "<b>"})
    assert response.status_code in (302, 200)
    assert client.get("/tra-cuu/x", {"key": code}).status_code == 404


def test_it_shows_a_change_at_once_although_tracking_is_cached(client, dossier):
    url = f"/tra-cuu/{dossier.code}"
    assert "Thẩm tra, xử lý" in client.get(url, {"key": dossier.tracking_key}).content.decode()
    staff = dossier.events.first().actor
    from motcua.accounts.models import Membership

    Membership.objects.create(user=staff, agency=dossier.agency, role="officer")
    actions.handover(type(dossier).objects.get(pk=dossier.pk), actor=staff)
    assert "Ký duyệt" in client.get(url, {"key": dossier.tracking_key}).content.decode()


WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def test_the_due_time_names_its_weekday_the_vietnamese_way(client, dossier):
    from motcua.core.dates import TZ

    page = client.get(f"/tra-cuu/{dossier.code}", {"key": dossier.tracking_key}).content.decode()
    due = dossier.due_at.astimezone(TZ)
    assert f"{WEEKDAYS_VI[due.weekday()]}, {due:%d/%m/%Y %H:%M}" in page
    assert "Thứ 2" not in page and "Thứ hai" not in page
