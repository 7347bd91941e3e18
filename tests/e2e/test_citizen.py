"""A citizen on a phone: signs in, opens "Hồ sơ của tôi", supplies a missing document online,
and rates a returned dossier."""

from __future__ import annotations

import re

import pytest

from tests.citizen.helpers import PDF, fresh, online_dossier, received, returned
from tests.dossiers.conftest import PASSWORD, people  # noqa: F401  (fixture)

from .conftest import PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/dang-nhap/?next=/ho-so-cua-toi/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/ho-so-cua-toi/$"))


def test_a_citizen_supplies_a_missing_document_from_a_phone(site, people, new_page, tmp_path):  # noqa: F811
    from motcua.dossiers import actions

    d = received(people)
    actions.handover(d, actor=people.receptionist)
    actions.request_supplement(d, actor=people.officer, note="Giấy chứng sinh bị mờ, không đọc được số.",
                               missing=["Giấy chứng sinh hoặc văn bản thay thế Giấy chứng sinh"])
    online_dossier(people, owner=people.citizen2)  # someone else's: never listed

    page = new_page(**PHONE)
    sign_in(page, site.url, people.citizen.username)
    assert page.locator(".my-dossier").count() == 1
    assert "Cần bổ sung giấy tờ" in page.locator(".my-dossier").inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-citizen-list-phone.png"), full_page=True)
    page.get_by_role("link", name=d.code).click()
    page.wait_for_url(re.compile(rf"/ho-so-cua-toi/{re.escape(d.code)}/$"))
    assert "Giấy chứng sinh bị mờ" in page.locator("#bo-sung").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-citizen-dossier-phone.png"), full_page=True)
    assert run_axe(page) == []

    # A file that is not a PDF or image is refused, naming it; nothing changes.
    bad = tmp_path / "chung-sinh.pdf"
    bad.write_bytes(b"PK\x03\x04 a zip, not a pdf")
    page.set_input_files("#tep-1", str(bad))
    page.get_by_role("button", name="Nộp bổ sung và gửi lại hồ sơ").click()
    page.wait_for_load_state()
    assert "Tệp «chung-sinh.pdf» không phải PDF, JPEG, PNG hay TIFF" in page.locator("#bo-sung").inner_text()
    assert fresh(d).status == 5

    good = tmp_path / "giay-chung-sinh.pdf"
    good.write_bytes(PDF)
    page.set_input_files("#tep-1", str(good))
    page.get_by_label("Ghi chú gửi cán bộ (không bắt buộc)").fill("Đã chụp lại rõ hơn")
    page.get_by_role("button", name="Nộp bổ sung và gửi lại hồ sơ").click()
    page.wait_for_url(re.compile(rf"/ho-so-cua-toi/{re.escape(d.code)}/$"))
    assert "Đã nộp bổ sung 1 tệp" in page.locator("main").inner_text()
    assert fresh(d).status == 4
    history = page.locator(".history").inner_text()
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ" in history and "Đã nộp bổ sung" in history
    assert "Đã chụp lại rõ hơn" in history


def test_a_citizen_rates_a_returned_dossier_from_a_phone(site, people, new_page):  # noqa: F811
    d = returned(people)
    page = new_page(**PHONE)
    sign_in(page, site.url, people.citizen.username)
    page.get_by_role("link", name=d.code).click()
    page.get_by_text("Mở phiếu đánh giá").click()
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-citizen-rating-phone.png"), full_page=True)
    assert run_axe(page) == []
    # Submitting with nothing chosen names what is missing.
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Chưa chọn mức đánh giá cho chỉ số 1" in page.locator("main").inner_text()
    for number in range(1, 8):
        page.locator(f"input[name='c{number}'][value='2']").check()
    page.locator("input[name='c8'][value='1']").check()
    page.locator("input[name='c9'][value='2']").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url(re.compile(rf"/ho-so-cua-toi/{re.escape(d.code)}/$"))
    main = page.locator("main").inner_text()
    assert "Cảm ơn bạn đã đánh giá" in main and "Đánh giá của bạn" in main
    from motcua.feedback.models import Rating

    assert Rating.objects.get(dossier=d).score == 14


def test_anyone_sends_feedback_and_reads_published_answers(site, new_page):
    from motcua.feedback import services

    item = services.submit_feedback(name="Phạm Minh Đức", phone="0912000111", category="progress",
                                    title="Hồ sơ đất đai chậm", content="Hồ sơ của tôi quá hạn. Số tôi 0912 000 111.")
    services.answer_feedback(item, by=None, answer="Đã đôn đốc; hồ sơ được trả kết quả ngày 20/03/2026.")

    page = new_page(**PHONE)
    page.goto(site.url + "/gop-y/")
    answered = page.locator(".pakn").first.inner_text()
    assert "P*** M*** Đ**" in answered and "Đã đôn đốc" in answered
    assert "Phạm Minh Đức" not in page.content() and "0912 000 111" not in page.content()
    page.get_by_label("Họ và tên").fill("Võ Thị Hoa")
    page.get_by_label("Thư điện tử").fill("hoa@example.invalid")
    page.locator("#id_category").select_option("suggestion")
    page.get_by_label("Tiêu đề").fill("Thêm máy tra cứu")
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill("Đề nghị đặt thêm máy tra cứu ở tầng 2.")
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    page.wait_for_load_state()
    assert "Đã nhận phản ánh, kiến nghị số PAKN-" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-feedback-phone.png"), full_page=True)
    assert run_axe(page) == []


def test_the_dossier_page_on_a_desktop(site, people, new_page):  # noqa: F811
    from .conftest import DESKTOP

    d = returned(people)
    page = new_page(**DESKTOP)
    sign_in(page, site.url, people.citizen.username)
    page.goto(site.url + f"/ho-so-cua-toi/{d.code}/")
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-citizen-dossier-desktop.png"), full_page=True)
    assert run_axe(page) == []
