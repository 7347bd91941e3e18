"""A citizen on a phone signs up, mistypes, verifies, fills the profile: in Chromium, checked with axe-core."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import codes  # noqa: F401 (fixture)
from tests.e2e.conftest import PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser


def test_a_citizen_signs_up_and_verifies_on_a_phone(transactional_db, live_server, new_page, codes):  # noqa: F811
    from motcua.accounts.models import User

    page = new_page(**PHONE)
    page.goto(live_server.url + "/dang-nhap/")
    assert run_axe(page) == []
    page.get_by_role("link", name="Đăng ký bằng số điện thoại hoặc e-mail").click()

    # First try: a typo in the phone number and no consent. Errors are next to the fields; what was typed stays.
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại di động hoặc e-mail").fill("098 765 432")
    page.get_by_label("Mật khẩu", exact=True).fill("Motcua-thu-2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Motcua-thu-2026")
    page.get_by_role("button", name="Tạo tài khoản").click()
    assert page.locator("#error-summary").is_visible()
    contact = page.get_by_label("Số điện thoại di động hoặc e-mail")
    assert contact.input_value() == "098 765 432"
    assert contact.get_attribute("aria-invalid") == "true"
    assert "id_contact_error" in contact.get_attribute("aria-describedby")
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Văn An"
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-signup-errors-phone.png"), full_page=True)
    assert run_axe(page) == []

    contact.fill("0987 654 321")
    page.get_by_label("Mật khẩu", exact=True).fill("Motcua-thu-2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Motcua-thu-2026")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Tạo tài khoản").click()

    page.wait_for_url("**/xac-minh/**")
    assert "0987654321" in page.content()
    assert page.get_by_role("button", name="Gửi lại mã").is_disabled()  # the cool-down
    assert run_axe(page) == []
    page.get_by_label("Mã xác minh (6 chữ số)").fill(codes.last("0987654321").code)
    page.get_by_role("button", name="Xác nhận").click()

    page.wait_for_url("**/tai-khoan/")
    assert "Đã xác minh số điện thoại 0987654321" in page.content()
    assert User.objects.get(phone="0987654321").is_verified_citizen

    # The profile: a future birth year is refused next to the field, the rest stays typed.
    page.get_by_label("Số định danh cá nhân").fill("096090001234")
    page.get_by_label("Ngày", exact=True).fill("15")
    page.get_by_label("Tháng").fill("3")
    page.get_by_label("Năm", exact=True).fill("2990")
    page.get_by_role("button", name="Lưu thông tin").click()
    assert "Ngày sinh không thể sau ngày hôm nay" in page.content()
    assert page.get_by_label("Số định danh cá nhân").input_value() == "096090001234"
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-profile-errors-phone.png"), full_page=True)
    assert run_axe(page) == []
    page.get_by_label("Năm", exact=True).fill("1990")
    page.get_by_role("button", name="Lưu thông tin").click()
    assert "Đã lưu thông tin cá nhân" in page.content()
