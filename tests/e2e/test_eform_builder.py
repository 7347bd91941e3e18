"""The e-form builder in a browser: an agency admin creates the draft's e-form, adds a yes/no question and a
field shown only on «Có», sees both in the citizen preview (the condition works there), and every page is
free of serious accessibility problems (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
CODE = "1.001193"
BASE = f"/can-bo/quan-tri/thu-tuc/{CODE}/ban-nhap/bieu-mau/"


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
    EForm.objects.filter(procedure_version=draft).delete()  # start from a draft with no e-form of its own
    return user


def no_serious_a11y(page, where: str):
    assert run_axe(page) == [], where


def test_it_adds_fields_and_shows_them_in_the_citizen_preview(admin, site, new_page):
    # axe is injected as an inline script, which the site's Content-Security-Policy (rightly) blocks; the
    # templates' own CSP cleanliness is checked in tests/administration/test_eform_builder_views.py.
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site.url}/dang-nhap/?next={BASE}")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(BASE) + "$"))
    no_serious_a11y(page, "create page")
    page.get_by_label("Tên tờ khai").fill("Tờ khai đăng ký khai sinh")
    page.get_by_label("Bắt đầu với các trường của đơn đề nghị chung").uncheck()
    page.get_by_role("button", name="Tạo biểu mẫu").click()
    page.get_by_text("Đã tạo biểu mẫu điện tử").wait_for()

    # A yes/no question; the key is suggested from the label while typing.
    page.get_by_role("link", name="Thêm trường").first.click()
    no_serious_a11y(page, "type picker")
    page.get_by_label("Có/Không").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state("load")  # the deferred script that suggests the key
    page.get_by_label("Câu hỏi (nhãn người dân thấy)").fill("Trẻ có cha")
    expect(page.get_by_label("Mã trường")).to_have_value("tre_co_cha")
    page.get_by_role("button", name="Thêm trường").click()
    page.get_by_text("Đã thêm trường «Trẻ có cha»").wait_for()

    # A text field shown only when the answer is «Có»; a broken pattern first, refused and kept.
    page.get_by_role("link", name="Thêm trường").first.click()
    page.get_by_label("Văn bản một dòng").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Câu hỏi (nhãn người dân thấy)").fill("Họ tên cha")
    page.get_by_label("Mẫu kiểm tra (biểu thức chính quy)").fill("[A-Z")
    page.get_by_label("Chỉ hiện khi trường").select_option("tre_co_cha")
    page.get_by_label("có câu trả lời là").fill("Có")
    page.get_by_role("button", name="Thêm trường").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Biểu thức kiểm tra «[A-Z» bị lỗi" in summary.inner_text()
    assert page.get_by_label("Câu hỏi (nhãn người dân thấy)").input_value() == "Họ tên cha"
    no_serious_a11y(page, "field form with errors")
    page.screenshot(path=str(SCREENSHOT_DIR / "eform-builder-field-errors.png"), full_page=True)
    page.get_by_label("Mẫu kiểm tra (biểu thức chính quy)").fill("")
    page.get_by_role("button", name="Thêm trường").click()
    page.get_by_text("Đã thêm trường «Họ tên cha»").wait_for()
    assert page.get_by_text("Chỉ hiện khi «Trẻ có cha» là «Có»").is_visible()
    no_serious_a11y(page, "field list")
    page.screenshot(path=str(SCREENSHOT_DIR / "eform-builder-list.png"), full_page=True)

    # The preview: the citizen's form, with the condition working as in the wizard.
    page.get_by_role("link", name="Xem trước như người dân thấy").click()
    question = page.get_by_role("group", name="Trẻ có cha")
    question.wait_for()
    page.wait_for_selector("html.js")  # eform.js has run: conditions apply
    father = page.locator('[data-field="f-ho_ten_cha"]')
    expect(father).to_be_hidden()
    question.get_by_label("Có").check()
    father.wait_for(state="visible")
    no_serious_a11y(page, "preview")
    page.screenshot(path=str(SCREENSHOT_DIR / "eform-builder-preview.png"), full_page=True)
    page.get_by_role("button", name="Kiểm tra thử").click()
    page.get_by_text("Các câu trả lời đã điền hợp lệ").wait_for()


    # On a phone nothing is wider than the screen: the list and the field form.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (BASE, f"{BASE}truong/ho_ten_cha/", f"{BASE}them/?loai=choice"):
        page.goto(site.url + url)
        width = page.evaluate("() => document.querySelector('main').scrollWidth")
        assert width <= 390, (url, width)
    no_serious_a11y(page, "choice form on a phone")
