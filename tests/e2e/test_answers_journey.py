"""An officer on a phone (390 px) opens the online queue: two birth registrations by one parent are
told apart by the child's name (the dossier's subject), and the check page shows what the citizen
typed in the sections of the form. No serious or critical axe violation on either page.

Screenshots go to MOTCUA_SCREENSHOT_DIR (default /tmp): answers-queue-phone.png, answers-check-phone.png,
answers-check-desktop.png."""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
BIRTH = "1.001193"


@pytest.fixture
def births(site):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions
    from motcua.eforms.services import load_demo_eforms
    from tests.answers import valid_answers

    load_demo_eforms()
    receptionist = User.objects.create_user("tiepnhan", password=PASSWORD, full_name="Nguyễn Thị Tiếp Nhận")
    Membership.objects.create(user=receptionist, agency=Agency.objects.get(unit_code="000.21.01.H12"),
                              role="receptionist")
    citizen = User.objects.create_user("congdan", full_name="Nguyễn Văn An")
    version = Procedure.objects.get(code=BIRTH).published
    made = []
    for child in ("Nguyễn Thị Bé", "Nguyễn Văn Út"):
        made.append(actions.create_dossier(
            actor=citizen, version=version, channel=2,
            applicant=actions.Applicant(name="Nguyễn Văn An", id_number="096090001234", phone="0912345678"),
            form_data=valid_answers(version, child_name=child, hometown=None),
        ).dossier)
    return made


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_officer_reads_the_answers_on_a_phone(births, new_page, site):
    page = new_page(**PHONE)
    page.goto(site.url + "/dang-nhap/?next=/can-bo/cho-tiep-nhan/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/cho-tiep-nhan/$"))

    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_by_text("Đối tượng: Nguyễn Thị Bé").is_visible()
    assert rows.nth(1).get_by_text("Đối tượng: Nguyễn Văn Út").is_visible()
    assert _fits(page)
    page.screenshot(path=str(SCREENSHOT_DIR / "answers-queue-phone.png"), full_page=True)
    assert run_axe(page) == [], "online queue"

    rows.nth(0).get_by_role("link", name=re.compile("Kiểm tra")).click()
    page.wait_for_url(re.compile(rf"/can-bo/cho-tiep-nhan/{births[0].code}/$"))
    panel = page.get_by_role("region", name="Nội dung tờ khai")
    panel.get_by_role("heading", name="II. Người được đăng ký khai sinh").scroll_into_view_if_needed()
    child = panel.locator(".bo-answers__item", has=page.locator("dt", has_text="Họ, chữ đệm, tên")).nth(1)
    assert child.locator("dd").inner_text() == "Nguyễn Thị Bé"
    hometown = panel.locator(".bo-answers__item", has=page.locator("dt", has_text="Quê quán"))
    assert hometown.locator("dd").inner_text().startswith("—")
    assert _fits(page)
    page.screenshot(path=str(SCREENSHOT_DIR / "answers-check-phone.png"), full_page=True)
    assert run_axe(page) == [], "online check"

    page.set_viewport_size({"width": 1280, "height": 900})  # the same page at the counter's desk
    page.screenshot(path=str(SCREENSHOT_DIR / "answers-check-desktop.png"), full_page=True)
    assert run_axe(page) == [], "online check, desktop"
