"""A two-item supplement on phones: the officer ticks a component of the procedure with what to
supplement and adds a free item; the citizen sees one upload box per item with its reason and
supplies both. No serious or critical axe violation on either page."""

from __future__ import annotations

import re

import pytest

from tests.citizen.helpers import PDF, fresh, received
from tests.dossiers.conftest import PASSWORD, people  # noqa: F401  (fixture)

from .conftest import PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str, landing: str) -> None:
    page.goto(base + f"/dang-nhap/?next={landing}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf"{re.escape(landing)}$"))


def test_an_officer_asks_for_two_items_and_the_citizen_supplies_both(site, people, new_page, tmp_path):  # noqa: F811
    from motcua.dossiers import actions

    d = received(people)
    actions.handover(d, actor=people.receptionist, to_user=people.officer)
    components = list(d.procedure_version.components.order_by("order", "id"))
    birth_paper = components[1]

    officer = new_page(**PHONE)
    sign_in(officer, site.url, people.officer.username, "/can-bo/")
    officer.goto(site.url + f"/can-bo/ho-so/{d.code}/")
    officer.locator("#thao-tac-request_supplement summary").click()
    panel = officer.locator("#thao-tac-request_supplement")
    panel.locator(f"#id_request_supplement-c{birth_paper.pk}").check()
    panel.locator(f"#id_request_supplement-c{birth_paper.pk}_reason").fill("Ảnh chụp bị mờ, không đọc được số")
    panel.get_by_label("Giấy tờ khác 1", exact=True).fill("Giấy xác nhận cư trú")
    panel.get_by_label("Nội dung cần bổ sung của giấy tờ khác 1").fill("Cần bản do công an xã cấp")
    assert officer.evaluate("document.documentElement.scrollWidth") <= 390
    officer.screenshot(path=str(SCREENSHOT_DIR / "motcua-supplement-request-phone.png"), full_page=True)
    assert run_axe(officer) == []
    panel.get_by_role("button", name="Gửi yêu cầu bổ sung (mẫu 02)").click()
    officer.wait_for_url(re.compile(rf"/can-bo/ho-so/{re.escape(d.code)}/$"))
    assert "Đã yêu cầu bổ sung" in officer.locator("main").inner_text()
    assert fresh(d).status == 5

    citizen = new_page(**PHONE)
    sign_in(citizen, site.url, people.citizen.username, "/ho-so-cua-toi/")
    citizen.goto(site.url + f"/ho-so-cua-toi/{d.code}/")
    box = citizen.locator("#bo-sung")
    assert box.locator("fieldset.supply-row").count() == 2
    text = box.inner_text()
    assert "Ảnh chụp bị mờ, không đọc được số" in text and "Cần bản do công an xã cấp" in text
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    citizen.screenshot(path=str(SCREENSHOT_DIR / "motcua-supplement-items-phone.png"), full_page=True)
    assert run_axe(citizen) == []
    first, second = tmp_path / "chung-sinh.pdf", tmp_path / "cu-tru.pdf"
    first.write_bytes(PDF)
    second.write_bytes(PDF)
    citizen.set_input_files("#tep-1", str(first))
    citizen.set_input_files("#tep-2", str(second))
    citizen.locator("#giay-to-2").select_option(str(components[0].pk))
    citizen.get_by_role("button", name="Nộp bổ sung và gửi lại hồ sơ").click()
    citizen.wait_for_url(re.compile(rf"/ho-so-cua-toi/{re.escape(d.code)}/$"))
    assert "Đã nộp bổ sung 2 tệp" in citizen.locator("main").inner_text()
    d = fresh(d)
    assert d.status == 4 and d.files.filter(kind="supplement").count() == 2
