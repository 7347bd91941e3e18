"""Search that understands people (#18), as a citizen sees it on a phone: a colloquial query finds
the procedure; a word that matches nothing says so, with the closest procedures apart, as
suggestions. axe finds no serious or critical violation, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser


@pytest.fixture
def searchable(site):
    """A browser test may start from a flushed database (without the seeded defaults): the colloquial
    name an admin would add."""
    from motcua.accounts.models import User
    from motcua.catalog import search_actions
    from motcua.catalog.models import ColloquialName, Procedure

    if not ColloquialName.objects.filter(procedure_code="1.001193", key="giay khai sinh").exists():
        admin = User.objects.create_user("qt_tim", full_name="Quản trị tìm kiếm")
        search_actions.add_colloquial_name(Procedure.objects.get(code="1.001193"), actor=admin, name="giấy khai sinh")
    return site


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_colloquial_query_finds_the_procedure(searchable, new_page, device):
    page = new_page(**(PHONE if device == "phone" else DESKTOP))
    page.goto(searchable.url + "/")
    page.get_by_label("Bạn cần làm thủ tục gì?").fill("lam giay khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"/thu-tuc/\?q=lam\+giay\+khai\+sinh"))
    assert page.locator(".result__title a").first.inner_text() == "Đăng ký khai sinh"
    assert "Tìm thấy" in page.locator(".result-count").inner_text()
    assert page.locator(".suggestions").count() == 0
    assert run_axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOT_DIR / f"motcua-search-found-{device}.png"), full_page=True)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_word_that_matches_nothing_says_so_and_suggests(searchable, new_page, device):
    page = new_page(**(PHONE if device == "phone" else DESKTOP))
    page.goto(searchable.url + "/thu-tuc/?q=dang+ky+khai+tu")
    heading = page.locator(".no-results h2")
    assert heading.inner_text() == "Không tìm thấy thủ tục «dang ky khai tu»"
    assert page.locator(".result-count").count() == 0  # no result is presented as a match
    suggestions = page.get_by_role("region", name="Gợi ý: thủ tục gần giống")
    assert suggestions.is_visible()
    titles = suggestions.locator(".result__title a").all_inner_texts()
    assert 1 <= len(titles) <= 5
    assert "không khớp" in suggestions.locator(".suggestions__note").inner_text()
    assert run_axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOT_DIR / f"motcua-search-suggestions-{device}.png"), full_page=True)


def test_the_kiosk_searches_the_same_way(searchable, new_page):
    page = new_page(viewport={"width": 1080, "height": 1920})
    page.goto(searchable.url + "/kiosk/linh-vuc/")
    page.get_by_label("Tìm thủ tục: gõ tên thủ tục hoặc giấy tờ bạn cần").fill("khai tu")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url(re.compile(r"/kiosk/tim-thu-tuc/\?q=khai\+tu"))
    assert page.locator("h1").inner_text() == "Không tìm thấy thủ tục «khai tu»"
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-kiosk-search.png"), full_page=True)


def test_an_agency_admin_reads_the_synonym_table_on_a_phone(site, new_page):
    """The province-wide table is the provincial admin's: an agency admin reads it, without the add
    form or the edit buttons, and is told where to add colloquial names."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    password = "motcua-e2e-pw-2026"
    admin = User.objects.create_user("qt_xa_tim", password=password, full_name="Quản trị xã")
    Membership.objects.create(user=admin, agency=Agency.objects.get(unit_code="000.21.01.H12"), role="agency_admin")
    page = new_page(**PHONE)
    page.goto(f"{site.url}/dang-nhap/?next=/can-bo/quan-tri/tim-kiem/")
    page.get_by_label("Tên đăng nhập").fill("qt_xa_tim")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/quan-tri/tim-kiem/$"))
    main = page.locator("main").inner_text()
    assert "Chỉ quản trị cấp tỉnh được sửa bảng này" in main
    assert page.locator('input[name="add-phrase"]').count() == 0
    assert page.get_by_role("button", name=re.compile("^Xóa")).count() == 0
    assert run_axe(page) == []
    if SCREENSHOT_DIR:
        page.get_by_text("Chỉ quản trị cấp tỉnh được sửa bảng này").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOT_DIR / "search-admin-synonyms-agency-phone.png"))
