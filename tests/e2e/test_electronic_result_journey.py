"""An electronic result closes the dossier by itself (#17), in a real browser.

A citizen's online birth registration (1.001193, level 4) chose "nhận kết quả điện tử"; the clerk
completes it in the back office (desktop), which signs the result with the ward's development
certificate and returns it at once: no counter step. On a phone the citizen sees "Đã trả kết quả",
downloads the signed result and rates at once; axe finds no serious or critical violation there.
The steps before the last one go through the action layer."""

from __future__ import annotations

import io
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe
from tests.signing.conftest import minimal_pdf

pytestmark = pytest.mark.browser

BIRTH = "1.001193"
WARD = "000.21.01.H12"
PASSWORD = "motcua-e2e-pw-2026"


@pytest.fixture
def ward(site, settings, tmp_path):
    from django.core.management import call_command

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    settings.MOTCUA_OIDC_ISSUER = ""
    settings.MOTCUA_PUBLIC_URL = site.url
    settings.MOTCUA_SIGNING_CERT_DIR = tmp_path / "certs"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    settings.MOTCUA_SIGNING_TRUST_DEV_CA = True
    call_command("dev_certificate", "--agency", WARD, stdout=io.StringIO())
    agency = Agency.objects.get(unit_code=WARD)
    people = {}
    for username, role in [("tiepnhan", "receptionist"), ("chuyenvien", "officer"), ("lanhdao", "leader"),
                           ("vanthu", "clerk"), ("congdan", None)]:
        people[username] = User.objects.create_user(username, password=PASSWORD, full_name=username.title())
        if role:
            Membership.objects.create(user=people[username], agency=agency, role=role)
    return {"base": site.url, "people": people}


def sign_in(new_page, base: str, username: str, options: dict, next_url: str):
    page = new_page(**options)
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))
    return page


def test_an_electronic_result_is_returned_at_completion_and_rated_at_once(ward, new_page, tmp_path):
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions
    from motcua.dossiers.models import Dossier, Event
    from motcua.feedback.models import Rating
    from motcua.signing.models import SignedResult
    from tests.answers import valid_answers

    base, people = ward["base"], ward["people"]
    version = Procedure.objects.get(code=BIRTH).published
    assert version.level == 4
    dossier = actions.create_dossier(
        actor=people["congdan"], version=version, channel=2, form_data=valid_answers(version), delivery="online",
        applicant=actions.Applicant(name="Nguyễn Văn Công Dân", id_number="096090001234", phone="0987654321"),
    ).dossier
    actions.receive(dossier, actor=people["tiepnhan"])
    for giver, taker in (("tiepnhan", "chuyenvien"), ("chuyenvien", "lanhdao"), ("lanhdao", "vanthu")):
        actions.handover(Dossier.objects.get(pk=dossier.pk), actor=people[giver], to_user=people[taker])
    actions.add_file(dossier, actor=people["vanthu"], upload=io.BytesIO(minimal_pdf("Giay khai sinh")),
                     name="giay-khai-sinh.pdf", kind="result")
    code = dossier.code

    # The clerk completes in the back office (pyHanko signs there, outside Playwright's thread).
    clerk = sign_in(new_page, base, "vanthu", DESKTOP, "/can-bo/")
    clerk.goto(f"{base}/can-bo/ho-so/{code}/")
    complete = clerk.locator("#thao-tac-complete")
    assert "kết quả được trả ngay trên Cổng Dịch vụ công" in complete.inner_text()
    complete.get_by_role("button", name="Hoàn thành xử lý").click()
    clerk.wait_for_load_state()
    assert "kết quả điện tử đã được trả cho người nộp" in clerk.locator(".bo-messages").inner_text()
    assert "10. Đã trả kết quả" in clerk.locator(".bo-summary").inner_text()
    returned = Dossier.objects.get(pk=dossier.pk)
    assert returned.status == 10
    assert Event.objects.get(dossier=returned, kind="result_delivered").actor is None
    signed = SignedResult.objects.get(dossier=returned)

    # The citizen, on a phone: returned, the signed result, the rating at once.
    phone = sign_in(new_page, base, "congdan", PHONE, f"/ho-so-cua-toi/{code}/")
    head = phone.locator(".dossier-head").inner_text()
    assert "Đã trả kết quả" in head
    assert "ký nhận" not in phone.locator("main").inner_text()
    assert run_axe(phone) == []
    phone.screenshot(path=str(SCREENSHOT_DIR / "electronic-result-phone.png"), full_page=True)
    result_panel = phone.locator("#ket-qua")
    assert "Đã ký số" in result_panel.inner_text()
    with phone.expect_download() as info:
        result_panel.get_by_role("link", name=re.compile("giay-khai-sinh")).click()
    download = info.value
    assert download.suggested_filename == signed.signed_file.original_name
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and b"/ByteRange" in saved.read_bytes()
    assert Event.objects.filter(dossier=returned, kind="result_downloaded", actor=people["congdan"]).count() == 1

    rate = phone.locator("#danh-gia")
    rate.locator("summary").click()
    criteria = rate.locator("fieldset.criterion")
    assert criteria.count() == 9
    for i in range(9):
        criteria.nth(i).locator("input[type=radio]").first.check()
    rate.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    assert f"Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ {code}" in phone.locator("main").inner_text()
    assert Rating.objects.filter(dossier=returned).count() == 1
    assert Event.objects.filter(dossier=returned, kind="rated").count() == 1
    assert run_axe(phone) == []
