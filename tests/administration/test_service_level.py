"""Service levels: what levels 3 and 4 need, the page that says what is missing, raising in the draft."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.administration.conftest import BIRTH, MARRIAGE

pytestmark = pytest.mark.django_db

BASE = "/can-bo/quan-tri/thu-tuc/"
CERTIFIED_COPY = "2.000815"  # Tân Thành, level 2, fee 2.000 đ
EXTRACT = "2.000635"  # Tân Thành, level 4, fee 8.000 đ
FIELD = {"key": "ho_ten", "label": "Họ và tên", "type": "text", "required": True}


def procedure(code: str):
    from motcua.catalog.models import Procedure

    return Procedure.objects.select_related("published").get(code=code)


def draft_of(code: str):
    from motcua.catalog.actions import start_draft

    return start_draft(procedure(code))


def give_eform(version):
    from motcua.eforms.models import EForm

    return EForm.objects.create(procedure_version=version, title="Tờ khai", schema=[FIELD])


def certificate(agency, *, days: int = 365, active: bool = True):
    from motcua.signing.models import AgencyCertificate

    now = timezone.now()
    return AgencyCertificate.objects.create(
        agency=agency, label="Chứng thư UBND phường", active=active,
        valid_from=now - dt.timedelta(days=1), valid_to=now + dt.timedelta(days=days),
    )


def test_level_3_needs_components_and_an_eform(admins):
    from motcua.catalog.validation import level_gaps, level_requirements

    draft = draft_of(CERTIFIED_COPY)
    assert level_requirements(draft, 1) == level_requirements(draft, 2) == []
    (gap,) = level_gaps(draft, 3)
    assert gap.section == "bieu-mau" and gap.url == f"{BASE}{CERTIFIED_COPY}/ban-nhap/bieu-mau/"
    give_eform(draft)
    assert level_requirements(draft, 3) == []
    draft.components.all().delete()
    (missing,) = level_requirements(draft, 3)
    assert "ít nhất một thành phần" in missing


def test_level_3_needs_every_required_component_named(admins):
    from motcua.catalog.validation import level_requirements

    draft = draft_of(CERTIFIED_COPY)
    give_eform(draft)
    component = draft.components.order_by("order").first()
    component.name = ""
    component.required = True
    component.save()
    (missing,) = level_requirements(draft, 3)
    assert "bắt buộc số 1 chưa có tên" in missing


def test_level_4_needs_a_signing_certificate_of_the_agency(admins):
    from motcua.catalog.validation import level_requirements

    draft = draft_of(EXTRACT)
    give_eform(draft)
    (missing,) = level_requirements(draft, 4)
    assert "chứng thư số" in missing and admins.commune.name in missing
    certificate(admins.commune, active=False)
    certificate(admins.commune, days=-2)  # expired
    assert len(level_requirements(draft, 4)) == 1
    certificate(admins.commune)
    assert level_requirements(draft, 4) == []


def test_level_4_needs_online_payment_only_where_there_are_fees(admins, settings):
    from motcua.catalog.validation import level_requirements

    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"
    settings.MOTCUA_PAYMENT_HASH_SECRET = ""
    certificate(admins.commune)
    draft = draft_of(EXTRACT)  # 8.000 đ
    give_eform(draft)
    (missing,) = level_requirements(draft, 4)
    assert "thanh toán trực tuyến" in missing and "MOTCUA_PAYMENT_HASH_SECRET" in missing
    free = draft_of(MARRIAGE)  # free of charge: no payment needed
    give_eform(free)
    assert level_requirements(free, 4) == []
    settings.MOTCUA_PAYMENT_HASH_SECRET = "khoa-bi-mat-cua-cong"
    assert level_requirements(draft, 4) == []
    settings.MOTCUA_PAYMENT_PROVIDER = "khong-co"
    assert "không tồn tại" in level_requirements(draft, 4)[0]


def test_the_page_lists_what_is_missing_with_links(admins, admin_client):
    page = admin_client.get(f"{BASE}{BIRTH}/muc-do/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mức độ 4: trực tuyến toàn trình" in html
    assert "Còn thiếu 2 điều" in html  # level 4: the e-form and the certificate
    assert "Còn thiếu 1 điều" in html  # level 3: the e-form
    assert f'href="{BASE}{BIRTH}/ban-nhap/bieu-mau/"' in html
    assert "chứng thư số" in html
    assert "Tạo bản nháp và đặt mức độ" in html  # no draft yet


def test_raising_is_refused_with_what_is_missing_and_the_choice_kept(admins, admin_client):
    from motcua.catalog.models import ProcedureVersion

    response = admin_client.post(f"{BASE}{CERTIFIED_COPY}/muc-do/", {"level": "3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa nâng được lên mức độ 3" in html and "biểu mẫu điện tử" in html
    assert 'value="3" id="id_level_2" checked' in html
    assert not ProcedureVersion.objects.filter(procedure__code=CERTIFIED_COPY, state="draft").exists()


def test_raising_sets_the_level_in_the_draft_with_a_change_log_row(admins, admin_client):
    from motcua.audit.models import ChangeLog

    draft = draft_of(CERTIFIED_COPY)
    give_eform(draft)
    response = admin_client.post(f"{BASE}{CERTIFIED_COPY}/muc-do/", {"level": "3"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{CERTIFIED_COPY}/ban-nhap/kiem-tra/"
    draft.refresh_from_db()
    assert draft.level == 3
    assert procedure(CERTIFIED_COPY).published.level == 2  # applied when the draft is published
    row = ChangeLog.objects.get(action="update", object_id=str(draft.pk))
    assert (row.before["level"], row.after["level"]) == (2, 3) and row.actor == admins.commune_admin
    # Then publishing applies it.
    assert admin_client.post(f"{BASE}{CERTIFIED_COPY}/ban-nhap/cong-bo/", {"note": "Lên mức độ 3"}).status_code == 302
    assert procedure(CERTIFIED_COPY).published.level == 3


def test_lowering_is_always_allowed_and_starts_a_draft(admins, admin_client):
    from motcua.audit.models import ChangeLog

    response = admin_client.post(f"{BASE}{BIRTH}/muc-do/", {"level": "2"})
    assert response.status_code == 302
    draft = procedure(BIRTH).versions.get(state="draft")
    assert draft.level == 2 and draft.number == 2
    assert ChangeLog.objects.filter(object_id=str(draft.pk), action="create").exists()
    # Level 2 has no extra requirements: the draft of a level 4 procedure without an e-form can now be published.
    assert admin_client.post(f"{BASE}{BIRTH}/ban-nhap/cong-bo/", {"note": "Tạm hạ mức độ"}).status_code == 302
    assert procedure(BIRTH).published.level == 2


def test_bad_level_input_is_a_message_not_a_500(admins, admin_client):
    response = admin_client.post(f"{BASE}{BIRTH}/muc-do/", {"level": "9"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'id="level-error"' in html
    assert not procedure(BIRTH).versions.filter(state="draft").exists()
