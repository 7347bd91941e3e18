"""The e-form builder with the keyboard (#18), on a phone and a desktop: a field is inserted before a chosen
one, and «Lên»/«Xuống» move a field without a page load — the focus stays on the moved field's button, the
live region says «Đã chuyển … lên vị trí N», and the order is saved. axe: no serious or critical problem."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
CODE = "1.001193"
BASE = f"/can-bo/quan-tri/thu-tuc/{CODE}/ban-nhap/bieu-mau/"
SCHEMA = [
    {"key": "ho_ten", "label": "Họ và tên", "type": "text", "required": True,
     "pdf": {"section": "I. Người yêu cầu"}},
    {"key": "ngay_sinh", "label": "Ngày sinh", "type": "date", "pdf": {"section": "I. Người yêu cầu"}},
    {"key": "noi_sinh", "label": "Nơi sinh", "type": "text", "pdf": {"section": "II. Nơi sinh"}},
]


@pytest.fixture
def admin(site, settings):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.actions import start_draft
    from motcua.catalog.models import Procedure
    from motcua.eforms.models import EForm

    settings.MOTCUA_STAFF_2FA = "optional"
    user = User.objects.create_user("quantri", password=PASSWORD, full_name="Quản Trị Tân Thành")
    Membership.objects.create(user=user, agency=Agency.objects.get(unit_code="000.21.01.H12"), role="agency_admin")
    draft = start_draft(Procedure.objects.get(code=CODE))
    EForm.objects.update_or_create(procedure_version=draft, defaults={"title": "Tờ khai thử", "schema": SCHEMA})
    return draft


def _keys(draft) -> list[str]:
    from motcua.eforms.models import EForm

    return [s["key"] for s in EForm.objects.get(procedure_version=draft).schema]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_inserting_and_reordering_with_the_keyboard_without_a_page_load(admin, site, new_page, device):
    page = new_page(**(PHONE if device == "phone" else DESKTOP))
    page.goto(f"{site.url}/dang-nhap/?next={BASE}")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(BASE) + "$"))

    # Insert before «Nơi sinh», in the section chosen from the list.
    page.get_by_role("link", name="Chèn trường trước «Nơi sinh»").click()
    page.get_by_text("Trường mới sẽ được chèn trước «Nơi sinh»").wait_for()
    page.get_by_label("Văn bản một dòng").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_label("Vị trí trong biểu mẫu")).to_have_value("noi_sinh")
    page.get_by_label("Câu hỏi (nhãn người dân thấy)").fill("Quốc tịch")
    page.wait_for_selector("html.js", state="attached")
    section = page.get_by_label("Mục trên tờ khai PDF")
    new_section = page.get_by_label("Tên mục mới")
    expect(new_section).to_be_hidden()  # shown only for «+ Mục mới»
    section.select_option("__moi__")
    expect(new_section).to_be_visible()
    expect(new_section).to_be_focused()
    section.select_option("I. Người yêu cầu")
    expect(new_section).to_be_hidden()
    assert run_axe(page) == [], "field form"
    page.screenshot(path=str(SCREENSHOT_DIR / f"eform-insert-{device}.png"), full_page=True)
    page.get_by_role("button", name="Thêm trường").click()
    page.get_by_text("Đã thêm trường «Quốc tịch»").wait_for()
    assert _keys(admin) == ["ho_ten", "ngay_sinh", "quoc_tich", "noi_sinh"]

    # Reorder with the keyboard: no page load (a marker on window survives), focus kept, announced.
    page.evaluate("() => { window.__samePage = true; }")
    up = page.get_by_role("button", name="Lên «Quốc tịch»")
    up.focus()
    page.keyboard.press("Enter")
    live = page.locator("#eb-live")
    expect(live).to_have_text("Đã chuyển «Quốc tịch» lên vị trí 2.")
    expect(up).to_be_focused()
    expect(page.locator("li[data-key]").nth(1)).to_have_attribute("data-key", "quoc_tich")
    expect(page.locator("#truong-quoc_tich .eb-field__n")).to_have_text("2.")
    page.keyboard.press("Enter")  # up again: first, so «Lên» is disabled and the focus moves to «Xuống»
    expect(live).to_have_text("Đã chuyển «Quốc tịch» lên vị trí 1.")
    expect(up).to_be_disabled()
    expect(page.get_by_role("button", name="Xuống «Quốc tịch»")).to_be_focused()
    page.keyboard.press("Space")
    expect(live).to_have_text("Đã chuyển «Quốc tịch» xuống vị trí 2.")
    assert page.evaluate("() => window.__samePage === true")
    assert _keys(admin) == ["ho_ten", "quoc_tich", "ngay_sinh", "noi_sinh"]
    assert run_axe(page) == [], "list after moves"
    page.screenshot(path=str(SCREENSHOT_DIR / f"eform-reorder-{device}.png"), full_page=True)
    if device == "phone":
        width = page.evaluate("() => document.querySelector('main').scrollWidth")
        assert width <= 390, width

    # After a reload the order is the saved one.
    page.reload()
    assert page.locator("li[data-key]").evaluate_all("els => els.map(e => e.dataset.key)") == [
        "ho_ten", "quoc_tich", "ngay_sinh", "noi_sinh"]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_four_eyes_pages_have_no_serious_accessibility_problem(admin, site, new_page, device):
    """The touched publication pages (#18): the agency's «Công bố thủ tục» setting, and the check page of a
    draft waiting for approval as its proposer sees it (locked, «Rút đề nghị»)."""
    from motcua.agencies.models import Agency
    from motcua.catalog import actions

    page = new_page(**(PHONE if device == "phone" else DESKTOP))
    page.goto(f"{site.url}/dang-nhap/?next=/can-bo/quan-tri/co-quan/giay-to/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Công bố thủ tục").wait_for()
    page.get_by_label("Cần người thứ hai duyệt khi công bố thủ tục").check()
    page.get_by_role("button", name="Lưu cách công bố").click()
    page.get_by_text("Đã lưu cách công bố thủ tục").wait_for()
    assert Agency.objects.get(unit_code="000.21.01.H12").publication_review
    assert run_axe(page) == [], "agency settings"
    page.locator("#cong-bo").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT_DIR / f"four-eyes-setting-{device}.png"))

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion

    ProcedureVersion.objects.filter(pk=admin.pk).update(level=3)  # level 4 needs a signing certificate here
    actions.submit_for_review(admin, actor=User.objects.get(username="quantri"), note="Thêm quốc tịch")
    page.goto(f"{site.url}/can-bo/quan-tri/thu-tuc/{CODE}/ban-nhap/kiem-tra/")
    page.get_by_text("Bạn là người đề nghị nên không tự duyệt được").wait_for()
    assert run_axe(page) == [], "check page, waiting"
    page.screenshot(path=str(SCREENSHOT_DIR / f"four-eyes-waiting-{device}.png"), full_page=True)
    page.goto(site.url + BASE)
    page.get_by_text("Bản nháp đang chờ duyệt công bố nên bị khóa").wait_for()
    assert run_axe(page) == [], "locked e-form page"


def test_a_stale_list_reloads_when_the_answer_says_another_place(admin, site, new_page):
    """Another admin inserted a field meanwhile (#18 review): the server's answer (position 2 of 4) does not
    match the page (3 rows), so the page loads again rather than show a wrong order."""
    from motcua.accounts.models import User
    from motcua.eforms import actions as eform_actions

    page = new_page(**PHONE)
    page.goto(f"{site.url}/dang-nhap/?next={BASE}")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(BASE) + "$"))
    page.wait_for_selector("html.js", state="attached")
    page.evaluate("() => { window.__samePage = true; }")
    eform_actions.add_field(admin, actor=User.objects.get(username="quantri"), before="ho_ten",
                            spec={"key": "quoc_tich", "label": "Quốc tịch", "type": "text"})
    page.get_by_role("button", name="Lên «Ngày sinh»").click()
    page.wait_for_function("() => window.__samePage !== true")  # a new page
    expect(page.locator("li[data-key]")).to_have_count(4)
    assert page.locator("li[data-key]").evaluate_all("els => els.map(e => e.dataset.key)") == [
        "quoc_tich", "ngay_sinh", "ho_ten", "noi_sinh"]
    assert _keys(admin) == ["quoc_tich", "ngay_sinh", "ho_ten", "noi_sinh"]
    page.screenshot(path=str(SCREENSHOT_DIR / "eform-reorder-stale-phone.png"), full_page=True)
