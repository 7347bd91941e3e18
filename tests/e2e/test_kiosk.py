"""The kiosk in a real browser: a barcode reader types the code and Enter into the focused input;
the status and steps show with no personal data; keyboard-only use; back to the start when idle,
also under a strict Content-Security-Policy (no inline script)."""

from __future__ import annotations

import re

import pytest

from tests.citizen.helpers import APPLICANT_ID, APPLICANT_NAME, APPLICANT_PHONE, fresh, received
from tests.dossiers.conftest import people  # noqa: F401  (fixture)

from .conftest import SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PORTRAIT = {"viewport": {"width": 1080, "height": 1920}, "has_touch": True}
LANDSCAPE = {"viewport": {"width": 1920, "height": 1080}, "has_touch": True}
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@pytest.fixture
def dossier(site, people):  # noqa: F811
    from motcua.dossiers import actions

    d = received(people)
    actions.handover(d, actor=people.receptionist)
    return fresh(d)


def scan(page, code: str) -> None:
    """What a USB barcode reader does: type the characters, then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def test_it_shows_a_scanned_dossier_without_personal_data(site, dossier, new_page):
    page = new_page(**PORTRAIT)
    page.goto(site.url + "/kiosk/")
    assert page.evaluate("document.activeElement.id") == "scan"  # focused, ready for the reader
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-kiosk-portrait-start.png"))
    assert run_axe(page) == []

    scan(page, dossier.code)
    page.wait_for_url(re.compile(r"/kiosk/ho-so/\?ma="))
    main = page.locator("main").inner_text()
    assert dossier.code in main and "Đang xử lý" in main and "Hẹn trả kết quả" in main
    steps = page.locator(".steps-k__name").all_inner_texts()
    assert steps == ["Tiếp nhận hồ sơ", "Thẩm tra, xử lý"]
    body = page.content()
    for secret in (APPLICANT_NAME, APPLICANT_ID, APPLICANT_PHONE, dossier.tracking_key, "N***** V** A*"):
        assert secret not in body
    # The input is focused again, for the next receipt.
    assert page.evaluate("document.activeElement.id") == "scan"
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-kiosk-portrait-result.png"))
    assert run_axe(page) == []

    # The receipt's QR code: the tracking URL with its key shows the same.
    scan(page, f"{site.url}/tra-cuu/{dossier.code}?key={dossier.tracking_key}")
    page.wait_for_url(re.compile(r"\?ma=http"))
    assert page.locator(".steps-k__name").all_inner_texts() == steps


def test_it_is_usable_with_the_keyboard_only_and_browses_the_catalogue(site, new_page):
    page = new_page(**LANDSCAPE)
    page.goto(site.url + "/kiosk/")
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-kiosk-landscape-start.png"))
    page.keyboard.press("Tab")  # from the scan input to its button
    page.keyboard.press("Tab")  # to the catalogue tile
    assert "Thủ tục hành chính" in page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kiosk/linh-vuc/$"))
    # Targets are large enough for a finger.
    for box in (page.locator(".tile-k").first.bounding_box(), page.locator(".scan__button").bounding_box(),
                page.locator(".kbtn").first.bounding_box()):
        assert box["height"] >= 48 and box["width"] >= 48
    page.get_by_role("link", name=re.compile("^Lý lịch tư pháp")).click()
    page.get_by_role("link", name=re.compile("^Cấp Phiếu lý lịch tư pháp")).click()
    page.wait_for_url(re.compile(r"/kiosk/thu-tuc/2\.000488/$"))
    main = page.locator("main").inner_text()
    assert "Giấy tờ cần nộp" in main and "200.000 đ" in main and "10 ngày làm việc" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-kiosk-landscape-procedure.png"), full_page=True)
    assert run_axe(page) == []


def test_a_scan_typed_while_a_button_has_focus_still_lands_in_the_input(site, dossier, new_page):
    page = new_page(**PORTRAIT)
    page.goto(site.url + "/kiosk/linh-vuc/")
    page.locator(".tile-k").first.focus()
    scan(page, dossier.code)
    page.wait_for_url(re.compile(r"/kiosk/ho-so/\?ma="))
    assert "Đang xử lý" in page.locator("main").inner_text()


def test_it_goes_back_to_the_start_screen_when_idle_under_a_strict_csp(site, dossier, new_page, settings):
    settings.MOTCUA_KIOSK_IDLE_SECONDS = 2
    page = new_page(**PORTRAIT)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    def with_csp(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route(re.compile(r".*/kiosk/.*"), with_csp)
    page.goto(site.url + f"/kiosk/ho-so/?ma={dossier.code}")
    assert "Đang xử lý" in page.locator("main").inner_text()
    assert page.get_attribute("body", "data-idle-seconds") == "2"
    page.locator("[data-idle-notice]").wait_for(state="visible", timeout=5_000)
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=8_000)
    assert page.locator("#scan").input_value() == ""
    assert page.evaluate("document.activeElement.id") == "scan"
    assert violations == []

    # A touch before the time is up keeps the page.
    page.goto(site.url + "/kiosk/linh-vuc/")
    for _ in range(3):
        page.wait_for_timeout(1_000)
        page.mouse.move(10, 10)
        page.mouse.down()
        page.mouse.up()
    assert page.url.endswith("/kiosk/linh-vuc/")
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=8_000)
