"""A citizen submits a birth registration (1.001193, level 4) on a phone (390×844): from the
procedure page, through sign-in, the page to fill (the e-form in parts saved as each is left,
prefilled, conditional fields, the address picker, "same as" addresses; the documents uploaded
by the page's script with progress bars), the review, to the confirmation with the dossier
code. Screenshots of each step go to MOTCUA_SCREENSHOT_DIR (default /tmp)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.submissions.conftest import PDF, PNG

from .conftest import PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
BIRTH = "1.001193"


@pytest.fixture
def citizen(site, settings):
    from motcua.accounts.models import User
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    return User.objects.create_user(
        "congdan", password=PASSWORD, full_name="Nguyễn Văn Công Dân", id_number="096090001234",
        date_of_birth=dt.date(1990, 5, 17), address="Khóm 2, Phường Tân Thành, tỉnh Cà Mau",
        phone="0912345678", email="congdan@example.invalid",
    )


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOT_DIR / f"submission-phone-{name}.png"), full_page=True)


def no_serious_a11y(page, where: str) -> None:
    assert run_axe(page) == [], where


def test_a_citizen_submits_a_birth_registration_on_a_phone(site, citizen, new_page, tmp_path):
    from motcua.dossiers.models import Dossier

    base = site.url
    page = new_page(**PHONE)
    page.goto(f"{base}/thu-tuc/{BIRTH}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(re.compile(r"/dang-nhap/"))
    page.get_by_label("Tên đăng nhập").fill("congdan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf"/nop-ho-so/{re.escape(BIRTH)}/$"))
    # No intro screen: the page to fill, its first section open, the requester prefilled.
    shot(page, "1-start")
    assert page.locator("#id-f-requester_name").input_value() == "Nguyễn Văn Công Dân"
    assert page.locator("#id-f-requester_address-commune").input_value() == "32025"
    assert page.locator("#id-f-child_name").is_hidden()  # in part 2, closed
    no_serious_a11y(page, "form")
    # Send the page too early: the errors are listed on top, the first part with one is opened.
    page.locator(".fill-section.is-open [data-fill-next]").click()
    page.locator("#id-f-child_name").fill("Bé 123")
    page.get_by_role("button", name="Xem lại hồ sơ").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert re.search(r"/nhap/[0-9a-f-]+/to-khai/$", page.url)  # the first save made the draft
    assert summary.is_visible() and "«Họ, chữ đệm, tên của trẻ»: chỉ gồm chữ cái" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("Họ, chữ đệm, tên của trẻ")).click()
    assert page.locator("#id-f-child_name").is_visible()
    assert page.locator("#id-f-child_name").input_value() == "Bé 123"  # kept as typed
    no_serious_a11y(page, "form with errors")
    page.screenshot(path=str(SCREENSHOT_DIR / "submission-phone-2a-form-errors.png"))
    page.get_by_role("button", name=re.compile("Phần 1.6")).click()
    page.locator("#id-f-relationship-1").check()  # Cha
    page.get_by_role("button", name=re.compile("Phần 2.6")).click()
    page.locator("#id-f-child_name").fill("Nguyễn Ngọc Hân")
    page.locator("#id-f-child_dob").fill("2026-03-01")
    page.locator("#id-f-child_gender-1").check()  # Nữ
    page.locator("#id-f-birth_place_kind-0").check()  # a health facility...
    page.locator("#id-f-birth_facility").fill("Bệnh viện Sản Nhi Cà Mau")  # ...whose name now shows
    page.locator("#id-f-birth_place-province").select_option("96")
    page.wait_for_selector("#id-f-birth_place-commune option[value='32002']", state="attached")
    page.locator("#id-f-birth_place-commune").select_option("32002")
    page.locator(".fill-section.is-open [data-fill-next]").click()
    page.locator("#id-f-mother_name").fill("Trần Thị Mai")
    page.locator("#id-f-mother_birth_year").fill("1995")
    page.locator("#id-f-mother_address-province").select_option("96")
    page.wait_for_selector("#id-f-mother_address-commune option[value='32025']", state="attached")
    page.locator("#id-f-mother_address-commune").select_option("32025")
    page.locator(".fill-section.is-open [data-fill-next]").click()
    page.locator("#id-f-has_father-yes").check()
    assert page.locator("#id-f-father_name").is_visible()
    assert page.locator("#id-f-father_name").input_value() == "Nguyễn Văn Công Dân"  # the requester is the father
    page.locator("#id-f-father_address-same").check()  # "giống nơi cư trú của mẹ"
    assert page.locator("#id-f-father_address-province").is_hidden()
    page.locator(".fill-section.is-open [data-fill-next]").click()
    # The phone loses the network while part 5 is left: nothing is lost, it is sent when back online.
    page.context.set_offline(True)
    page.locator("#id-f-want_copies-no").check()
    assert page.locator("[data-field='f-copies']").is_hidden()
    shot(page, "2-form")
    page.locator(".fill-section.is-open [data-fill-next]").click()
    expect(page.locator("[data-saved-status]")).to_contain_text("Chưa lưu được (mất kết nối)")
    page.context.set_offline(False)
    expect(page.locator("[data-saved-status]")).to_contain_text("Đã tự lưu nháp lúc")

    # Each part was saved as it was left: the draft has the answers before the page is sent.
    from motcua.submissions.models import Draft

    for _ in range(50):  # the saves are sent in the background, one after the other
        data = Draft.objects.get().form_data
        if data.get("want_copies") == "no":
            break
        page.wait_for_timeout(100)
    assert data["mother_name"] == "Trần Thị Mai" and data["father_address"]["same"] == "1"
    assert data["want_copies"] == "no"

    # The documents, the last part of the same page: each file goes up on its own request.
    certificate = tmp_path / "giấy chứng sinh.pdf"
    certificate.write_bytes(PDF)
    mandate = tmp_path / "văn bản ủy quyền.png"
    mandate.write_bytes(PNG)
    slots = page.locator("[data-slot]")
    slots.filter(has_text="Giấy chứng sinh").locator("input[type=file]").set_input_files(str(certificate))
    slots.filter(has_text="Văn bản ủy quyền").locator("input[type=file]").set_input_files(str(mandate))
    expect(page.locator(".file-item.is-done")).to_have_count(2)
    assert page.locator(".file-item.is-error").count() == 0

    # The connection drops during one upload: only that file fails, and "Thử lại" sends it again.
    page.route("**/giay-to/tai-len/", lambda route: route.abort("connectionreset"))
    second_page = tmp_path / "trang-2.png"
    second_page.write_bytes(PNG)
    slots.filter(has_text="Giấy chứng sinh").locator("input[type=file]").set_input_files(str(second_page))
    failed = page.locator(".file-item.is-error", has_text="trang-2.png")
    failed.wait_for()
    assert "Mất kết nối" in failed.inner_text()
    # A file that is not a document is refused with the rule and its name.
    fake = tmp_path / "ho-khau.pdf"
    fake.write_bytes(b"PK\x03\x04 not a pdf" * 10)
    page.unroute("**/giay-to/tai-len/")
    slots.filter(has_text="Văn bản ủy quyền").locator("input[type=file]").set_input_files(str(fake))
    refused = page.locator(".file-item.is-error", has_text="ho-khau.pdf")
    refused.wait_for()
    assert "«ho-khau.pdf» không được nhận" in refused.inner_text()
    shot(page, "3a-errors")
    failed.get_by_role("button", name="Thử lại tệp trang-2.png").click()
    refused.get_by_role("button", name="Bỏ qua tệp ho-khau.pdf").click()
    expect(page.locator(".file-item.is-done")).to_have_count(3)
    assert page.locator(".file-item.is-error").count() == 0
    no_serious_a11y(page, "files")
    shot(page, "3-files")
    page.get_by_role("button", name="Xem lại hồ sơ").click()

    # Review, pledge, submit.
    page.wait_for_url(re.compile(r"/xem-lai/$"))
    page.get_by_text("Xem các mục đã khai dạng danh sách").click()
    review = page.locator("main").inner_text()
    for text in ("Nguyễn Ngọc Hân", "01/03/2026", "Bệnh viện Sản Nhi Cà Mau", "giấy chứng sinh.pdf"):
        assert text in review, text
    no_serious_a11y(page, "review")
    shot(page, "4-review")
    page.get_by_label(re.compile("Tôi cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    page.wait_for_url(re.compile(r"/nop-ho-so/da-nop/"))
    dossier = Dossier.objects.get()
    assert page.locator("[data-dossier-code]").inner_text() == dossier.code
    assert page.locator("[data-tracking-key]").inner_text() == dossier.tracking_key
    no_serious_a11y(page, "done")
    shot(page, "5-done")
    assert dossier.status == 1 and dossier.files.count() == 4

    # A level-2 procedure has no wizard: the page says where to submit in person.
    page.goto(f"{base}/nop-ho-so/2.000815/")
    assert "chưa nhận hồ sơ trực tuyến" in page.locator("main").inner_text()
    no_serious_a11y(page, "level 2")
    shot(page, "6-level2")
    assert dossier.form_data["father_name"] == "Nguyễn Văn Công Dân" and "copies" not in dossier.form_data
