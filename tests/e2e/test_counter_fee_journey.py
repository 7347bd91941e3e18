"""The counter collects a fee with the reception (#17, "counter reception with a fee and a
receipt"): the receptionist receives an in-person criminal-record dossier (2.000488, 200.000 đồng
due at submission), records the fee with its method and receipt number in the same submit; form
01 prints it, the ledger (page and form 07) shows it. Phone and desktop, no serious or critical axe
violation."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from .conftest import SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
CODE = "2.000488"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def pdf_text(pdf: bytes, tmp_path, mode: str = "-layout") -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", mode, str(path), "-"], capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", out.stdout.decode()).split())


@pytest.fixture
def receptionist(site):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    centre = Agency.objects.get(unit_code="000.00.01.H12")
    user = User.objects.create_user("tiepnhan", password=PASSWORD, full_name="Nguyễn Thị Tiếp Nhận")
    Membership.objects.create(user=user, agency=centre, role="receptionist")
    return user


def sign_in(new_page, base: str, device=DESKTOP):
    page = new_page(**device)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/$"))
    return page


def test_the_counter_receives_with_a_fee_and_a_receipt(site, receptionist, new_page, tmp_path):
    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier

    base = site.url
    version = Procedure.objects.get(code=CODE).published
    components = list(version.components.order_by("order", "id"))

    # The phone first: the form with its fee section fits and passes axe.
    phone = sign_in(new_page, base, PHONE)
    phone.goto(f"{base}/can-bo/tiep-nhan/{CODE}/")
    fees = phone.locator("#thu-phi")
    assert "Số phải thu lúc này: 200.000 đồng" in fees.inner_text()
    assert phone.get_by_label("Số tiền thu (đồng)").input_value() == "200000"  # the rule's amount, prefilled
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    fees.screenshot(path=str(SCREENSHOT_DIR / "h17-counter-fee-phone.png"))
    assert run_axe(phone) == []

    # The desktop: the applicant, the checklist, the fee collected now (transfer, receipt 0000789).
    counter = sign_in(new_page, base)
    counter.goto(f"{base}/can-bo/tiep-nhan/{CODE}/")
    counter.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Nguyễn Văn An")
    counter.get_by_label("Số định danh cá nhân / mã số thuế").fill("096090001234")
    counter.get_by_label("Số điện thoại").fill("0912345678")
    counter.get_by_label("Địa chỉ").fill("Phường Tân Thành, tỉnh Cà Mau")
    for component in components:
        counter.locator(f"#present-{component.pk}").check()
    counter.get_by_label("Thu phí, lệ phí ngay khi tiếp nhận").check()
    counter.get_by_label("Hình thức thu").select_option("transfer")
    # Forgetting the receipt number: the page says so and nothing is written.
    counter.get_by_role("button", name="Tiếp nhận", exact=True).click()
    counter.wait_for_load_state()
    assert "Đã thu phí thì cần nhập số biên lai." in counter.locator("main").inner_text()
    assert not Dossier.objects.exists()
    assert run_axe(counter) == []
    for component in components:  # the ticks come back as typed
        assert counter.locator(f"#present-{component.pk}").is_checked()
    counter.get_by_label("Số biên lai").fill("0000789")
    counter.screenshot(path=str(SCREENSHOT_DIR / "h17-counter-fee-desktop.png"), full_page=True)
    counter.get_by_role("button", name="Tiếp nhận", exact=True).click()
    counter.wait_for_url(re.compile(r"/can-bo/ho-so/[^/]+/$"))
    code = counter.locator("[data-dossier-code]").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.fee_collected, dossier.receipt_number) == (2, 200_000, "0000789")
    assert "Đã thu tại quầy: 200.000 đồng (chuyển khoản), biên lai số 0000789" in counter.locator(
        "#phi-le-phi").inner_text()
    assert run_axe(counter) == []

    # Form 01 prints the fee and its receipt number.
    href = counter.locator('a[data-form="01"]').get_attribute("href")
    receipt = pdf_text(counter.request.get(base + href).body(), tmp_path)
    assert "Phí cung cấp thông tin lý lịch tư pháp: 200.000 đồng" in receipt
    assert "Đã nộp: 200.000 đồng (chuyển khoản, biên lai số 0000789)" in receipt

    # The ledger (page on the phone, and form 07) shows it with the method and the receipt.
    phone.goto(base + "/can-bo/so-theo-doi/")
    row = phone.locator("tr", has=phone.get_by_role("link", name=code))
    assert "200.000 đồng (chuyển khoản, biên lai số 0000789)" in row.inner_text()
    phone.screenshot(path=str(SCREENSHOT_DIR / "h17-counter-fee-ledger-phone.png"), full_page=True)
    assert run_axe(phone) == []
    ledger = pdf_text(phone.request.get(base + phone.locator('a[data-form="07"]').get_attribute("href")).body(),
                      tmp_path, "-raw")  # the table's cells in reading order
    assert code in ledger and "200.000 đồng (chuyển khoản, biên lai số 0000789)" in ledger
