"""Four eyes in the admin pages (#18): the agency setting, proposing on the check page, the lock on
every draft page while the proposal waits, approving by another admin and sending back with a reason.
The rules themselves are tested on the actions (tests/catalog/test_four_eyes.py)."""

from __future__ import annotations

import re

import pytest

from motcua.agencies.models import Agency
from motcua.audit.models import ChangeAction, ChangeLog
from motcua.catalog.models import Procedure, ProcedureVersion
from tests.administration.conftest import MARRIAGE, signed_in

pytestmark = pytest.mark.django_db

BASE = f"/can-bo/quan-tri/thu-tuc/{MARRIAGE}/ban-nhap/"
SETTINGS = "/can-bo/quan-tri/co-quan/giay-to/"
FIELD = {"key": "ho_ten", "label": "Họ và tên người yêu cầu", "type": "text", "required": True}


@pytest.fixture
def draft(admins):
    from motcua.catalog.actions import start_draft
    from motcua.eforms.models import EForm

    version = start_draft(Procedure.objects.get(code=MARRIAGE))
    EForm.objects.update_or_create(procedure_version=version, defaults={"title": "Tờ khai", "schema": [FIELD]})
    return version


@pytest.fixture
def second_client(admins):
    from motcua.accounts.models import Membership, Role, User

    user = User.objects.create_user("qt_tanthanh_2", full_name="Phó quản trị Tân Thành")
    Membership.objects.create(user=user, agency=admins.commune, role=Role.AGENCY_ADMIN)
    return signed_in(user)


def _token(client) -> str:
    """The proposal's identity as the check page gives it to the approve and send-back forms."""
    html = client.get(f"{BASE}kiem-tra/").content.decode()
    found = re.search(r'name="expected" value="([0-9a-f]{64})"', html)
    assert found, "the check page carries the proposal's identity"
    return found.group(1)


def _turn_on(client, agency) -> None:
    response = client.post(SETTINGS, {"agency": agency.pk, "section": "publication",
                                      "cong-bo-publication_review": "on"})
    assert response.status_code == 302 and response["Location"].endswith("#cong-bo")


def test_the_agency_admin_turns_four_eyes_on_only_a_higher_admin_turns_it_off(admins, admin_client,
                                                                             province_client):
    page = admin_client.get(SETTINGS).content.decode()
    assert "Cần người thứ hai duyệt khi công bố thủ tục" in page
    _turn_on(admin_client, admins.commune)
    assert Agency.objects.get(pk=admins.commune.pk).publication_review is True
    row = ChangeLog.objects.filter(object_type="agencies.agency", object_id=str(admins.commune.pk)).latest("pk")
    assert row.actor == admins.commune_admin and row.after == {"publication_review": True}
    assert 'name="cong-bo-publication_review" class="form-check-input"' in admin_client.get(SETTINGS).content.decode()
    # The agency's own admin (a proposer, maybe) cannot switch it off to publish alone ...
    logged = ChangeLog.objects.count()
    refused = admin_client.post(SETTINGS, {"agency": admins.commune.pk, "section": "publication"})  # unchecked
    assert refused.status_code == 400
    assert "Chỉ quản trị của cơ quan cấp trên" in refused.content.decode()
    assert Agency.objects.get(pk=admins.commune.pk).publication_review is True
    assert ChangeLog.objects.count() == logged
    # ... the provincial admin can.
    off = province_client.post(SETTINGS, {"agency": admins.commune.pk, "section": "publication"})
    assert off.status_code == 302
    assert Agency.objects.get(pk=admins.commune.pk).publication_review is False
    # the other sections are untouched by this form, and another agency is refused
    assert Agency.objects.get(pk=admins.commune.pk).soon_share == 25
    refused = admin_client.post(SETTINGS, {"agency": admins.other_commune.pk, "section": "publication",
                                           "cong-bo-publication_review": "on"})
    assert refused.status_code == 403 and not Agency.objects.get(pk=admins.other_commune.pk).publication_review


def test_setting_off_the_check_page_publishes_as_today(draft, admin_client):
    html = admin_client.get(f"{BASE}kiem-tra/").content.decode()
    assert f'action="{BASE}cong-bo/"' in html and "de-nghi-cong-bo" not in html


def test_proposed_the_draft_is_locked_and_only_another_admin_approves(draft, admins, admin_client, second_client):
    _turn_on(admin_client, admins.commune)
    html = admin_client.get(f"{BASE}kiem-tra/").content.decode()
    assert f'action="{BASE}de-nghi-cong-bo/"' in html and f'action="{BASE}cong-bo/"' not in html
    # Publishing directly is refused whatever the page shows.
    refused = admin_client.post(f"{BASE}cong-bo/", {"note": "Thẳng"}, follow=True)
    assert "yêu cầu người thứ hai duyệt" in refused.content.decode()
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.DRAFT

    response = admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}kiem-tra/"
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review

    # Locked: every draft page says so, and a change is refused (nothing written).
    page = admin_client.get(f"{BASE}bieu-mau/").content.decode()
    assert "Bản nháp đang chờ duyệt công bố nên bị khóa" in page
    logged = ChangeLog.objects.count()
    for url, data in ((f"{BASE}chung/", {"name": "Tên khác"}),
                      (f"{BASE}bieu-mau/truong/ho_ten/di-chuyen/", {"huong": "xuong"}),
                      (f"{BASE}bieu-mau/them/", {"type": "text", "label": "Ghi chú"}),
                      (f"{BASE}quy-trinh/", {"new-name": "Bước"})):
        locked = second_client.post(url, data)
        assert locked.status_code == 302 and locked["Location"] == f"{BASE}kiem-tra/", url
    assert ChangeLog.objects.count() == logged
    assert ProcedureVersion.objects.get(pk=draft.pk).name == draft.name
    # The preview still answers (it saves nothing).
    assert second_client.post(f"{BASE}bieu-mau/xem-truoc/", {"_refresh": "1"}).status_code == 200

    # The proposer sees no approve button, and approving by a forged POST is refused.
    mine = admin_client.get(f"{BASE}kiem-tra/").content.decode()
    assert "duyet-cong-bo" not in mine and "Rút đề nghị để sửa tiếp" in mine
    assert "Ghi chú khi rút đề nghị (không bắt buộc)" in mine
    forged = admin_client.post(f"{BASE}duyet-cong-bo/", follow=True)
    assert "không tự duyệt được" in forged.content.decode()
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review

    for url in ("/can-bo/quan-tri/", f"/can-bo/quan-tri/thu-tuc/{MARRIAGE}/"):  # the list and overview
        assert "Chờ duyệt công bố" in second_client.get(url).content.decode(), url
    theirs = second_client.get(f"{BASE}kiem-tra/").content.decode()
    assert f'action="{BASE}duyet-cong-bo/"' in theirs and "Cán bộ qt_tanthanh đề nghị công bố" in theirs
    approved = second_client.post(f"{BASE}duyet-cong-bo/", {"expected": _token(second_client)})
    assert approved.status_code == 302
    version = ProcedureVersion.objects.get(pk=draft.pk)
    assert version.state == ProcedureVersion.State.PUBLISHED
    assert (version.review_requested_by, version.approved_by.username) == (admins.commune_admin, "qt_tanthanh_2")


def test_sent_back_with_a_reason_the_proposer_reads_it_and_edits_again(draft, admins, admin_client, second_client):
    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    empty = second_client.post(f"{BASE}tra-lai/", {"reason": "  ", "expected": _token(second_client)})
    assert empty.status_code == 400 and "Lý do trả lại" in empty.content.decode()
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    back = second_client.post(f"{BASE}tra-lai/", {"reason": "Thiếu ngày sinh của người yêu cầu",
                                                   "expected": _token(second_client)})
    assert back.status_code == 302
    assert not ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    page = admin_client.get(f"{BASE}kiem-tra/").content.decode()
    assert "Phó quản trị Tân Thành trả lại lúc" in page and "Thiếu ngày sinh của người yêu cầu" in page
    assert "Bản nháp đang chờ duyệt" not in page
    added = admin_client.post(f"{BASE}bieu-mau/them/", {"type": "date", "label": "Ngày sinh", "key": "ngay_sinh"})
    assert added.status_code == 302 and added["Location"] == f"{BASE}bieu-mau/"
    from motcua.eforms.models import EForm

    assert [f["key"] for f in EForm.objects.get(procedure_version=draft).schema] == ["ho_ten", "ngay_sinh"]
    assert ChangeLog.objects.filter(action=ChangeAction.RETURN, actor__username="qt_tanthanh_2").exists()
    # The agency's change log page lists the proposal and the sending back, each with its person.
    log = admin_client.get("/can-bo/quan-tri/nhat-ky/").content.decode()
    assert "Đề nghị công bố" in log and "Trả lại đề nghị công bố của Cán bộ qt_tanthanh" in log
    assert "Phó quản trị Tân Thành" in log and "Cán bộ qt_tanthanh" in log


def test_an_admin_of_another_agency_cannot_reach_the_approval(draft, admins, admin_client, other_admin_client):
    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    for url in ("duyet-cong-bo/", "tra-lai/"):
        assert other_admin_client.post(f"{BASE}{url}", {"reason": "x"}).status_code == 403
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review


def test_a_provincial_admin_approves_a_commune_proposal(draft, admins, admin_client, province_client):
    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    assert province_client.post(f"{BASE}duyet-cong-bo/", {"expected": _token(province_client)}).status_code == 302
    assert ProcedureVersion.objects.get(pk=draft.pk).approved_by == admins.province_admin


def test_the_proposer_withdraws_without_a_reason_and_edits_again(draft, admins, admin_client):
    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    response = admin_client.post(f"{BASE}tra-lai/", {"reason": "", "expected": _token(admin_client)})
    assert response.status_code == 302
    assert not ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    row = ChangeLog.objects.filter(action=ChangeAction.RETURN).get()
    assert row.actor == admins.commune_admin and row.note.endswith("Rút đề nghị công bố")


# --- review fixes (#18 review) ----------------------------------------------------------------------------


def test_the_reviewers_old_page_publishes_nothing_after_a_withdraw_edit_and_new_proposal(draft, admins, admin_client,
                                                                                      second_client):
    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    old = _token(second_client)  # the reviewer opens the check page ...
    # ... meanwhile the proposer withdraws, changes the form and proposes again
    assert admin_client.post(f"{BASE}tra-lai/", {"reason": "", "expected": _token(admin_client)}).status_code == 302
    assert admin_client.post(f"{BASE}bieu-mau/them/", {"type": "text", "label": "Ghi chú", "key": "ghi_chu"}
                             ).status_code == 302
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    logged = ChangeLog.objects.count()
    stale = second_client.post(f"{BASE}duyet-cong-bo/", {"expected": old}, follow=True)
    assert "Đề nghị công bố đã thay đổi từ khi bạn mở trang" in stale.content.decode()
    stale_back = second_client.post(f"{BASE}tra-lai/", {"reason": "Không", "expected": old}, follow=True)
    assert "Đề nghị công bố đã thay đổi" in stale_back.content.decode()
    forged = second_client.post(f"{BASE}duyet-cong-bo/", follow=True)  # no identity at all
    assert "Đề nghị công bố đã thay đổi" in forged.content.decode()
    assert ChangeLog.objects.count() == logged
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    assert second_client.post(f"{BASE}duyet-cong-bo/", {"expected": _token(second_client)}).status_code == 302
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.PUBLISHED


@pytest.fixture
def district(admins):
    """A district between Tân Thành and the province (the sample data has none), with its own admin."""
    from motcua.accounts.models import Membership, Role, User

    district = Agency.objects.create(unit_code="000.21.00.H12", name="Ủy ban nhân dân quận Một",
                                     kind=admins.commune.kind, parent=admins.province)
    Agency.objects.filter(pk=admins.commune.pk).update(parent=district)
    user = User.objects.create_user("qt_quan", full_name="Quản trị quận Một")
    Membership.objects.create(user=user, agency=district, role=Role.AGENCY_ADMIN)
    return user


def test_the_review_pages_admit_exactly_whom_may_review_admits(draft, admins, district, admin_client):
    from motcua.catalog.actions import may_review

    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    commune = Agency.objects.get(pk=admins.commune.pk)
    people = [admins.commune_admin, admins.other_admin, admins.province_admin, admins.officer, district]
    for person in people:
        page = signed_in(person).get(f"{BASE}kiem-tra/")
        assert (page.status_code == 200) == may_review(person, commune), person.username
        assert page.status_code in (200, 403), person.username
    # The district (a non-root parent) reviews: it sees the button and its approval publishes.
    reviewer = signed_in(district)
    html = reviewer.get(f"{BASE}kiem-tra/").content.decode()
    assert f'action="{BASE}duyet-cong-bo/"' in html
    assert f'action="{BASE}cong-bo/"' not in html and "de-nghi-cong-bo" not in html  # it edits nothing here
    assert reviewer.post(f"{BASE}duyet-cong-bo/", {"expected": _token(reviewer)}).status_code == 302
    version = ProcedureVersion.objects.get(pk=draft.pk)
    assert version.state == ProcedureVersion.State.PUBLISHED and version.approved_by == district


def test_the_district_sends_back_and_the_other_commune_is_refused(draft, admins, district, admin_client,
                                                                  other_admin_client):
    _turn_on(admin_client, admins.commune)
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm trường họ tên"})
    reviewer = signed_in(district)
    assert reviewer.post(f"{BASE}tra-lai/", {"reason": "Thiếu ngày sinh", "expected": _token(reviewer)}
                         ).status_code == 302
    assert not ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    assert other_admin_client.get(f"{BASE}kiem-tra/").status_code == 403


def test_an_admin_who_edited_the_draft_sees_why_they_cannot_approve(draft, admins, admin_client, second_client):
    _turn_on(admin_client, admins.commune)
    assert second_client.post(f"{BASE}bieu-mau/them/", {"type": "text", "label": "Ghi chú", "key": "ghi_chu"}
                              ).status_code == 302
    admin_client.post(f"{BASE}de-nghi-cong-bo/", {"note": "Thêm ghi chú"})
    html = second_client.get(f"{BASE}kiem-tra/").content.decode()
    assert "Bạn đã sửa bản nháp này từ lần công bố trước" in html and "duyet-cong-bo" not in html
    refused = second_client.post(f"{BASE}duyet-cong-bo/", {"expected": _token(second_client)}, follow=True)
    assert "Bạn đã sửa bản nháp này" in refused.content.decode()
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
