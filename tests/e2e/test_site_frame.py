"""The frame of the portal and of the back office, as a person sees it (issue #18): on a phone the
header is one row with a «Menu» disclosure that opens by keyboard and without a script; the
menu and the footer lead to transparency, feedback, result verification and sign-up; the
transparency table fits 390 px; the shared file picker shows no browser-language «Choose Files»
button; staff reach their account page and two-factor settings from the back office."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.citizen.helpers import received
from tests.dossiers.conftest import PASSWORD, people  # noqa: F401  (fixture)

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

LINKS = ["/minh-bach/", "/gop-y/", "/xac-thuc/"]


def no_serious_a11y(page, where: str) -> None:
    violations = run_axe(page)
    assert violations == [], (where, violations)


def sign_in(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def picker_replaces_the_native_button(page, selector: str) -> None:
    """The input is there (labelled, focusable) but transparent; the styled face shows instead."""
    box = page.locator(selector).locator("xpath=ancestor::*[@data-file-picker]")
    assert "file-picker--enhanced" in (box.get_attribute("class") or "")
    assert page.locator(selector).evaluate("e => getComputedStyle(e).opacity") == "0"
    face = box.locator(".file-picker__face")
    assert face.is_visible() and face.inner_text().startswith("+ Chọn tệp")
    # The face and the input share one box: a tap anywhere on the face lands on the input.
    f, i = face.bounding_box(), page.locator(selector).bounding_box()
    assert abs(f["x"] - i["x"]) < 1 and abs(f["width"] - i["width"]) < 1 and abs(f["height"] - i["height"]) < 1
    # WCAG 2.5.3: the words on the face are part of the input's name (the page's label, then the face).
    label = page.locator(f'label[for="{selector[1:]}"]').first.inner_text().strip()
    expect(page.locator(selector)).to_have_accessible_name(re.compile(
        "^" + re.escape(label.removesuffix("*").strip()) + r".*\s" + re.escape(face.inner_text().strip()) + "$"))


DROP = """(target, many) => {
  const dt = new DataTransfer();
  dt.items.add(new File(["%PDF-1.4"], "tha-vao.pdf", {type: "application/pdf"}));
  if (many) { dt.items.add(new File(["%PDF-1.4"], "them.pdf", {type: "application/pdf"})); }
  const over = new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true});
  const drop = new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true});
  target.dispatchEvent(over);
  target.dispatchEvent(drop);
  return [over.defaultPrevented, drop.defaultPrevented];
}"""


def a_drop_beside_the_input_reaches_it(page, selector: str) -> None:
    """Files dropped on the picker's names line (outside the input) go to the input: the browser
    does not open them in place of the page; a single-file input takes one."""
    box = page.locator(selector).locator("xpath=ancestor::*[@data-file-picker]")
    names = box.locator("[data-file-picker-names]")
    assert names.evaluate(DROP, True) == [True, True]  # both cancelled: the page stays
    assert page.locator(selector).evaluate("e => Array.from(e.files).map(f => f.name)") == ["tha-vao.pdf"]
    assert names.inner_text() == "Đã chọn: tha-vao.pdf"


def header_is_one_row(page, where: str) -> None:
    """Below 1200 px: brand, language and «Menu» side by side; from 1200 px the full bar, one row."""
    width = page.viewport_size["width"]
    if width < 1200:
        assert not page.locator(".site-nav--wide").is_visible(), where
        tops = [page.locator(s).bounding_box() for s in (".site-brand", ".lang-switch", ".site-menu__toggle")]
        assert max(b["y"] for b in tops) < min(b["y"] + b["height"] for b in tops), (where, tops)
        assert page.locator(".site-header").bounding_box()["height"] <= 84, where
    else:
        assert not page.locator(".site-menu").is_visible(), where
        items = page.locator(".site-nav--wide li")
        rows = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
        widths = items.evaluate_all("lis => lis.map(li => li.getBoundingClientRect().width)")
        bar = page.locator(".site-nav--wide ul").evaluate("e => e.clientWidth")
        assert items.count() >= 9 and len(rows) == 1, (where, rows, bar, sum(widths), widths)
    no_sideways_scroll(page)


def test_the_portal_frame_on_a_phone_and_a_desktop(site, people, new_page, tmp_path):  # noqa: F811
    received(people, when=timezone.now() - dt.timedelta(hours=3))  # a row for the transparency table
    base = site.url

    # A signed-in citizen on a phone: the most menu items, still one header row.
    phone = new_page(**PHONE)
    sign_in(phone, base, "congdan1", "/ho-so-cua-toi/")
    phone.screenshot(path=str(SCREENSHOT_DIR / "frame-phone-signed-in.png"))
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 72, header  # one row (it was three, ~210 px)
    tops = [phone.locator(s).bounding_box() for s in (".site-brand", ".lang-switch", ".site-menu__toggle")]
    assert max(b["y"] for b in tops) < min(b["y"] + b["height"] for b in tops)  # side by side
    assert not phone.locator(".site-nav--wide").is_visible()
    menu = phone.get_by_role("navigation", name="Điều hướng chính")
    assert not menu.is_visible()
    # The keyboard opens it: <summary> is a button with its expanded state.
    phone.locator(".site-menu__toggle").focus()
    main_top = phone.locator("main").bounding_box()["y"]
    phone.keyboard.press("Enter")
    assert menu.is_visible()
    # Opened, it is part of the header: the page moves down below it instead of being covered.
    panel, header = phone.locator(".site-menu__panel").bounding_box(), phone.locator(".site-header").bounding_box()
    assert panel["y"] + panel["height"] <= header["y"] + header["height"] + 1
    assert phone.locator("main").bounding_box()["y"] >= main_top + panel["height"] - 1
    assert panel["x"] == 0 and panel["width"] == 390
    tops = [phone.locator(s).bounding_box() for s in (".site-brand", ".lang-switch", ".site-menu__toggle")]
    assert max(b["y"] for b in tops) < min(b["y"] + b["height"] for b in tops)  # the toggle stays in its row
    for link in LINKS + ["/ho-so-cua-toi/", "/tai-khoan/"]:
        assert menu.locator(f'a[href="{link}"]').is_visible(), link
    phone.screenshot(path=str(SCREENSHOT_DIR / "frame-phone-menu.png"))
    no_serious_a11y(phone, "phone menu open")
    menu.get_by_role("link", name="Công khai kết quả").click()
    phone.wait_for_url(re.compile(r"/minh-bach/$"))
    assert phone.locator(".rp-stack tbody tr").count() >= 1
    no_sideways_scroll(phone)
    card = phone.locator(".rp-stack tbody tr").first
    labels = card.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert labels[2] == '"Năm nay – Tiếp nhận"', labels  # each figure shows its column's label
    phone.screenshot(path=str(SCREENSHOT_DIR / "frame-phone-transparency.png"), full_page=True)
    no_serious_a11y(phone, "transparency on a phone")
    footer = phone.locator("footer")
    for link in LINKS:
        assert footer.locator(f'a[href="{link}"]').count() == 1, link

    # Result verification: the shared file picker, no native «Choose Files» button.
    phone.goto(base + "/xac-thuc/")
    picker_replaces_the_native_button(phone, "#verify-file")
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    phone.locator("#verify-file").set_input_files(str(pdf))
    assert phone.locator("[data-file-picker-names]").inner_text() == "Đã chọn: ket-qua.pdf"
    a_drop_beside_the_input_reaches_it(phone, "#verify-file")
    phone.locator("#verify-file").focus()  # the focus ring shows on the face
    phone.screenshot(path=str(SCREENSHOT_DIR / "frame-phone-file-picker.png"), full_page=True)
    no_serious_a11y(phone, "verification page on a phone")

    # Signed in (the longest menu) at the widths between a phone and a wide screen, in both languages.
    phone.goto(base + "/ho-so-cua-toi/")
    for lang in ("vi", "en"):
        if lang == "en":
            phone.locator('.lang-switch a[hreflang="en"]').click()
            phone.wait_for_url(re.compile(r"/ho-so-cua-toi/$"))
            assert phone.locator("html").get_attribute("lang") == "en"
        for width in (768, 1024, 1200):
            phone.set_viewport_size({"width": width, "height": 900})
            header_is_one_row(phone, f"{lang} {width}px")
    phone.screenshot(path=str(SCREENSHOT_DIR / "frame-1200-en-signed-in.png"))

    # Signed out on a desktop: the full bar, in one row, with sign-up.
    desktop = new_page(**DESKTOP)
    desktop.goto(base + "/minh-bach/")
    assert not desktop.locator(".site-menu").is_visible()
    bar = desktop.locator(".site-nav--wide")
    items = bar.locator("li")
    assert items.count() >= 9
    assert len({round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}) == 1
    for link in LINKS + ["/dang-ky/", "/dang-nhap/"]:
        assert bar.locator(f'a[href^="{link}"]').is_visible(), link
    assert bar.locator('a[href="/minh-bach/"]').get_attribute("aria-current") == "page"
    no_sideways_scroll(desktop)
    desktop.screenshot(path=str(SCREENSHOT_DIR / "frame-desktop-transparency.png"))
    no_serious_a11y(desktop, "transparency on a desktop")
    desktop.set_viewport_size({"width": 768, "height": 900})  # the smallest width with the table itself
    assert desktop.locator(".rp-stack thead").is_visible()
    assert desktop.locator(".rp-stack-wrap").evaluate("e => e.scrollWidth <= e.clientWidth")
    no_sideways_scroll(desktop)
    header_is_one_row(desktop, "signed out, 768px")
    desktop.set_viewport_size(DESKTOP["viewport"])

    # Without JavaScript: the menu still opens (it is a <details>), the native file input shows.
    bare = new_page(**PHONE, java_script_enabled=False)
    bare.goto(base + "/xac-thuc/")
    bare.locator(".site-menu__toggle").click()
    assert bare.get_by_role("navigation", name="Điều hướng chính").locator('a[href="/gop-y/"]').is_visible()
    assert bare.locator("#verify-file").evaluate("e => getComputedStyle(e).opacity") == "1"
    assert not bare.locator(".file-picker__face").is_visible()


def back_office_header_is_one_row(page, where: str) -> None:
    """Below 1200 px: the brand and «Menu» side by side; from 1200 px the name, agency switch and
    sign-out beside the brand, and the full menu bar, each on one row."""
    width = page.viewport_size["width"]
    brand = page.locator(".bo-header .site-brand").bounding_box()
    if width < 1200:
        assert not page.locator(".site-nav--wide").is_visible(), where
        assert not page.locator(".bo-header__user--wide").is_visible(), where
        toggle = page.locator(".site-menu__toggle").bounding_box()
        assert toggle["y"] < brand["y"] + brand["height"] and brand["y"] < toggle["y"] + toggle["height"], where
        assert page.locator(".site-header").bounding_box()["height"] <= 84, where
    else:
        assert not page.locator(".site-menu").is_visible(), where
        items = page.locator(".site-nav--wide li")
        rows = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
        assert items.count() == 10 and len(rows) == 1, (where, rows)
        parts = page.locator(".bo-header__user--wide > *")
        boxes = [parts.nth(i).bounding_box() for i in range(parts.count())] + [brand]
        assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes), (where, boxes)
    no_sideways_scroll(page)


def test_staff_reach_their_account_and_two_factor_from_the_back_office(site, people, new_page):  # noqa: F811
    from motcua.accounts.models import Membership

    # The busiest staff: receptionist, leader and agency admin of the ward, officer elsewhere (the
    # agency switch): ten menu items.
    for role in ("leader", "agency_admin"):
        Membership.objects.create(user=people.receptionist, agency=people.commune, role=role)
    Membership.objects.create(user=people.receptionist, agency=people.other_commune, role="officer")
    phone = new_page(**PHONE)
    sign_in(phone, site.url, "tn_xa", "/can-bo/")
    # One header row on a phone (it was four, with the agency switch and sign-out): brand and «Menu».
    phone.screenshot(path=str(SCREENSHOT_DIR / "staff-frame-phone.png"))
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 72, header
    back_office_header_is_one_row(phone, "phone")
    staff_menu = phone.get_by_role("navigation", name="Điều hướng cán bộ")
    assert staff_menu.count() == 0  # neither menu is shown until asked for
    assert phone.get_by_role("navigation", name="Điều hướng chính").count() == 0  # not the portal's
    # The keyboard opens it; opened, it pushes the page down instead of covering it.
    phone.locator(".site-menu__toggle").focus()
    main_top = phone.locator("main").bounding_box()["y"]
    phone.keyboard.press("Enter")
    expect(staff_menu).to_be_visible()
    panel, header = phone.locator(".site-menu__panel").bounding_box(), phone.locator(".site-header").bounding_box()
    assert panel["y"] + panel["height"] <= header["y"] + header["height"] + 1
    assert phone.locator("main").bounding_box()["y"] >= main_top + panel["height"] - 1
    assert panel["x"] == 0 and panel["width"] == 390
    assert staff_menu.get_by_role("link").count() == 10
    assert staff_menu.get_by_role("link", name="Hộp hồ sơ").get_attribute("aria-current") == "page"
    in_menu = phone.locator(".bo-menu__user")  # the agency switch, the name and sign-out
    assert in_menu.get_by_label("Cơ quan").is_visible() and in_menu.get_by_role("button", name="Đăng xuất").is_visible()
    phone.screenshot(path=str(SCREENSHOT_DIR / "staff-frame-phone-menu.png"), full_page=True)
    no_serious_a11y(phone, "back-office menu open on a phone")
    phone.keyboard.press("Enter")  # the focus stayed on «Menu»: closes it again
    expect(staff_menu).to_have_count(0)
    # The widths between a phone and a wide screen, in both languages.
    for lang in ("vi", "en"):
        if lang == "en":
            phone.goto(site.url + "/ngon-ngu/en/?next=/can-bo/")
            assert phone.locator("html").get_attribute("lang") == "en"
        for width in (768, 1024, 1200, 1280):
            phone.set_viewport_size({"width": width, "height": 900})
            back_office_header_is_one_row(phone, f"{lang} {width}px")
            phone.screenshot(path=str(SCREENSHOT_DIR / f"staff-frame-{lang}-{width}.png"))
    no_serious_a11y(phone, "back office, 1280px, English")
    phone.goto(site.url + "/ngon-ngu/vi/?next=/can-bo/")
    phone.set_viewport_size(PHONE["viewport"])
    phone.locator(".site-menu__toggle").click()
    staff_menu.get_by_role("link", name="Tài khoản", exact=True).click()
    phone.wait_for_url(re.compile(r"/can-bo/tai-khoan/$"))
    main = phone.locator("main")
    assert "Tài khoản cán bộ" in main.inner_text() and "nộp hồ sơ" not in main.inner_text().lower()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOT_DIR / "staff-account-phone.png"), full_page=True)
    no_serious_a11y(phone, "staff account page")
    main.get_by_role("link", name="Bật xác thực hai bước").click()
    phone.wait_for_url(re.compile(r"/tai-khoan/xac-thuc-hai-buoc/$"))
    secret = phone.locator(".two-factor-secret")
    assert re.fullmatch(r"[A-Z2-7 ]+", secret.inner_text())
    assert secret.evaluate("e => getComputedStyle(e).color") == "rgb(29, 35, 41)"  # the ink, 14:1 on its panel
    # The back office's frame: its menu with «Tài khoản» current, a breadcrumb back to the staff account.
    phone.locator(".site-menu__toggle").click()
    assert staff_menu.get_by_role("link", name="Tài khoản", exact=True).get_attribute("aria-current") == "page"
    assert phone.get_by_role("navigation", name="Điều hướng chính").count() == 0  # not the portal's
    phone.locator(".site-menu__toggle").click()
    phone.screenshot(path=str(SCREENSHOT_DIR / "staff-two-factor-phone.png"), full_page=True)
    no_serious_a11y(phone, "two-factor set-up")  # includes colour contrast (wcag2aa)
    phone.get_by_role("navigation", name="Vị trí").get_by_role("link", name="Tài khoản cán bộ").click()
    phone.wait_for_url(re.compile(r"/can-bo/tai-khoan/$"))
    # A back-office form with a file: the same picker (the Django widget).
    phone.get_by_role("link", name="Xem, thay chứng thư").click()
    phone.wait_for_url(re.compile(r"/can-bo/chung-thu-so-ca-nhan/$"))
    picker_replaces_the_native_button(phone, "#id_file")
    a_drop_beside_the_input_reaches_it(phone, "#id_file")
    no_serious_a11y(phone, "personal certificate page")

    # Without JavaScript the back office's menu opens too (a <details>).
    bare = new_page(**PHONE, java_script_enabled=False)
    sign_in(bare, site.url, "tn_xa", "/can-bo/")
    bare.locator(".site-menu__toggle").click()
    bare_menu = bare.get_by_role("navigation", name="Điều hướng cán bộ")
    expect(bare_menu.get_by_role("link", name="Quản trị")).to_be_visible()
