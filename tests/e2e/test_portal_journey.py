"""A citizen on a phone finds a procedure without typing diacritics and downloads its form."""

from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser


def test_it_finds_the_procedure_and_downloads_its_form_on_a_phone(site, new_page, tmp_path):
    page = new_page(**PHONE)
    page.goto(site.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-home-phone.png"), full_page=True)

    page.get_by_label("Bạn cần làm thủ tục gì?").fill("ly lich tu phap")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"/thu-tuc/\?q=ly\+lich\+tu\+phap"))
    first = page.locator(".result__title a").first
    assert first.inner_text().startswith("Cấp Phiếu lý lịch tư pháp")
    first.click()
    page.wait_for_url(re.compile(r"/thu-tuc/2\.000488/$"))
    assert page.locator("h1").inner_text().startswith("Cấp Phiếu lý lịch tư pháp")
    main = page.locator("main").inner_text()
    assert "200.000 đồng" in main  # money and weekdays written the one Vietnamese way
    assert re.search(r"(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật), \d\d/\d\d/\d{4} \d\d:\d\d", main)
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-procedure-phone.png"), full_page=True)

    # The page's width fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    with page.expect_download() as info:
        page.locator("#bieu-mau a.download").first.click()
    download = info.value
    assert download.suggested_filename == "to-khai-ly-lich-tu-phap.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    import docx

    assert "lý lịch tư pháp" in docx.Document(str(saved)).paragraphs[0].text


def test_it_searches_without_javascript(site, new_page):
    page = new_page(java_script_enabled=False, **PHONE)
    page.goto(site.url + "/")
    page.get_by_label("Bạn cần làm thủ tục gì?").fill("ket hon")
    page.get_by_label("Bạn cần làm thủ tục gì?").press("Enter")
    page.wait_for_url(re.compile(r"/thu-tuc/\?q=ket\+hon"))
    assert page.locator(".result__title a").first.inner_text() == "Đăng ký kết hôn"


def test_it_shows_the_skip_link_first_on_keyboard_focus(site, new_page):
    page = new_page(**DESKTOP)
    page.goto(site.url + "/thu-tuc/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#noi-dung"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0  # moved into view when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"


def test_it_switches_language_with_the_header_buttons(site, new_page):
    page = new_page(**PHONE)
    page.goto(site.url + "/thu-tuc/2.000488/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/thu-tuc/2.000488/")
    assert "Documents to submit" in page.locator("main").inner_text()
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"


def test_it_folds_the_filters_on_phones_and_opens_them_on_wide_screens(site, new_page):
    url = site.url + "/thu-tuc/?sector=HT"
    phone = new_page(**PHONE)
    phone.goto(url)
    assert phone.locator("details.filters").get_attribute("open") is None
    assert phone.locator(".result").first.is_visible()
    desktop = new_page(**DESKTOP)
    desktop.goto(url)
    assert desktop.locator("details.filters").get_attribute("open") is not None
    assert desktop.get_by_label("Lĩnh vực").input_value() == "HT"


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "path",
    ["/", "/thu-tuc/", "/thu-tuc/?q=ly+lich+tu+phap&sector=LLTP", "/thu-tuc/?q=zzqx",
     "/thu-tuc/2.000488/", "/thu-tuc/1.001193/", "/co-quan/", "/co-quan/000.00.01.H12/",
     "/thu-tuc/khong-co/"],
)
def test_it_has_no_serious_accessibility_violations(site, new_page, path, device):
    page = new_page(**device)
    page.goto(site.url + path)
    violations = run_axe(page)
    assert violations == [], violations
