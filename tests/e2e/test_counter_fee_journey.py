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
from playwright.sync_api import expect

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


def test_refunds_receipt_settings_and_the_citizen_view_on_a_phone(site, receptionist, new_page):
    """A paid dossier withdrawn waits for its refund: the counter records it on a phone; the
    agency admin sets the e-receipt series; the citizen sees what they paid and the refund."""
    from django.utils import timezone

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions
    from motcua.payments.models import Payment, Refund
    from motcua.payments.receipts import issue_for
    from tests.answers import valid_answers
    from tests.dossiers.conftest import applicant

    centre = Agency.objects.get(unit_code="000.00.01.H12")
    admin = User.objects.create_user("quantri", password=PASSWORD, full_name="Hồ Thị Quản")
    Membership.objects.create(user=admin, agency=centre, role="agency_admin")
    citizen = User.objects.create_user("congdan", password=PASSWORD, full_name="Nguyễn Văn An", phone="0912345678")
    version = Procedure.objects.get(code=CODE).published
    base = site.url

    # The admin sets the centre's e-receipt form number and series (phone).
    page = new_page(**PHONE)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/"))
    page.goto(base + "/can-bo/quan-tri/co-quan/bien-lai/")
    page.get_by_label("Mẫu số biên lai").fill("01BLP0-001")
    page.get_by_label("Ký hiệu biên lai").fill("TT-26E")
    page.get_by_role("button", name="Lưu thiết lập").click()
    page.wait_for_load_state()
    assert "Đã lưu thiết lập biên lai điện tử" in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "h17-receipt-settings-phone.png"), full_page=True)
    assert run_axe(page) == []

    # An online dossier paid through the gateway (as the payments app leaves it), then withdrawn.
    d = actions.create_dossier(actor=citizen, version=version, channel=2, applicant=applicant(),
                               form_data=valid_answers(version)).dossier
    now = timezone.now()
    payment = Payment.objects.create(
        dossier=d, merchant_ref="2612070000000042", provider="sandbox", amount_vnd=200_000, state="paid",
        paid_at=now, deadline=now, provider_txn_ref="14999042",
        fees=[{"fee_id": version.fees.get().pk, "name": version.fees.get().name, "amount_vnd": 200_000}])
    actions.record_payment(d, amount_vnd=200_000, reference=payment.merchant_ref, provider="sandbox", paid_at=now,
                           fees=payment.fees)
    issue_for(payment, now=now)
    actions.withdraw(d, actor=citizen, reason="Nộp nhầm thủ tục")
    assert Refund.objects.get(dossier=d).state == "pending"

    # The citizen sees the payment (gateway reference, the numbered receipt) and "Chờ hoàn phí".
    mine = new_page(**PHONE)
    mine.goto(base + "/dang-nhap/")
    mine.get_by_label(re.compile("Tên đăng nhập|Số điện thoại")).first.fill("congdan")
    mine.get_by_label("Mật khẩu").fill(PASSWORD)
    mine.get_by_role("button", name="Đăng nhập").click()
    mine.wait_for_load_state()
    mine.goto(f"{base}/ho-so-cua-toi/{d.code}/")
    paid = mine.locator("#da-nop-phi").inner_text()
    assert "14999042" in paid and "TT-26E 0000001" in paid and "Chờ hoàn phí" in paid
    assert mine.evaluate("document.documentElement.scrollWidth") <= 390
    mine.locator("#da-nop-phi").screenshot(path=str(SCREENSHOT_DIR / "h17-citizen-paid-phone.png"))
    assert run_axe(mine) == []
    pdf = mine.request.get(base + mine.locator("#da-nop-phi a.download").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    # The counter: the pending list, then the refund recorded on the dossier page (phone).
    counter = sign_in(new_page, base, PHONE)
    counter.goto(base + "/can-bo/hoan-phi/")
    assert d.code in counter.locator("main").inner_text()
    counter.screenshot(path=str(SCREENSHOT_DIR / "h17-refunds-phone.png"), full_page=True)
    assert run_axe(counter) == []
    counter.get_by_role("link", name=d.code).click()
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/ho-so/{d.code}/")))
    panel = counter.locator("#thao-tac-refund")
    panel.get_by_label("Hình thức hoàn").select_option("gateway")
    panel.get_by_label("Số chứng từ hoặc mã giao dịch hoàn").fill("HT-14999042")
    panel.screenshot(path=str(SCREENSHOT_DIR / "h17-refund-panel-phone.png"))
    assert run_axe(counter) == []
    panel.get_by_role("button", name="Ghi nhận đã hoàn phí").click()
    counter.wait_for_load_state()
    assert "Đã ghi nhận hoàn phí" in counter.locator(".bo-messages").inner_text()
    assert Refund.objects.get(dossier=d).state == "done"
    mine.reload()
    assert "Đã hoàn phí" in mine.locator("#da-nop-phi").inner_text()


def test_the_counter_enters_pages_and_copies_and_collects_what_they_give(site, new_page):
    """2.000815 (chứng thực bản sao, per page with tiers: 2.000 đồng a page, from page 3 1.000): the
    receptionist types 2 copies of 3 pages; the amount to collect follows at once (the form's script)
    and after "Tính lại lệ phí" (without it); received, the dossier keeps the inputs and the fee."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier

    commune = Agency.objects.get(unit_code="000.21.01.H12")
    user = User.objects.create_user("tiepnhanxa", password=PASSWORD, full_name="Lê Văn Xã")
    Membership.objects.create(user=user, agency=commune, role="receptionist")
    code = "2.000815"
    components = list(Procedure.objects.get(code=code).published.components.order_by("order", "id"))
    base = site.url

    phone = new_page(**PHONE)
    phone.goto(base + "/dang-nhap/?next=/can-bo/")
    phone.get_by_label("Tên đăng nhập").fill("tiepnhanxa")
    phone.get_by_label("Mật khẩu").fill(PASSWORD)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(re.compile(r"/can-bo/$"))
    phone.goto(f"{base}/can-bo/tiep-nhan/{code}/")
    amount = phone.get_by_label("Số tiền thu (đồng)")
    assert amount.input_value() == "2000"  # one copy of one page until told otherwise
    phone.get_by_label("Số bản cần cấp").fill("2")
    phone.get_by_label("Số trang mỗi bản").fill("3")
    expect(amount).to_have_value("10000")
    assert "Số phải thu lúc này: 10.000 đồng" in phone.locator("#thu-phi").inner_text()
    assert "Số phải thu khi tiếp nhận: 10.000 đồng" in phone.locator("[data-fee-live]").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator(".bo-fee-inputs").screenshot(path=str(SCREENSHOT_DIR / "h17-counter-fee-inputs-phone.png"))
    assert run_axe(phone) == []

    # Without the script: "Tính lại lệ phí" sends the form and comes back with the amount, nothing lost.
    plain = new_page(java_script_enabled=False, **DESKTOP)
    plain.context.add_cookies(phone.context.cookies())
    plain.goto(f"{base}/can-bo/tiep-nhan/{code}/")
    plain.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Nguyễn Văn An")
    plain.get_by_label("Số bản cần cấp").fill("2")
    plain.get_by_label("Số trang mỗi bản").fill("3")
    plain.get_by_role("button", name="Tính lại lệ phí").click()
    plain.wait_for_load_state()
    assert plain.get_by_label("Số tiền thu (đồng)").input_value() == "10000"
    assert "Số phải thu lúc này: 10.000 đồng" in plain.locator("#thu-phi").inner_text()
    assert plain.get_by_label("Họ và tên (hoặc tên tổ chức)").input_value() == "Nguyễn Văn An"
    assert not Dossier.objects.exists()

    # The desktop: "Tính lại lệ phí" too, then received with the fee collected.
    desk = new_page(**DESKTOP)
    desk.context.add_cookies(phone.context.cookies())
    desk.goto(f"{base}/can-bo/tiep-nhan/{code}/")
    desk.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Nguyễn Văn An")
    desk.get_by_label("Số định danh cá nhân / mã số thuế").fill("096090001234")
    desk.get_by_label("Số bản cần cấp").fill("2")
    desk.get_by_label("Số trang mỗi bản").fill("3")
    desk.get_by_role("button", name="Tính lại lệ phí").click()
    desk.wait_for_load_state()
    expect(desk.get_by_label("Số tiền thu (đồng)")).to_have_value("10000")
    assert run_axe(desk) == []
    for component in components:
        desk.locator(f"#present-{component.pk}").check()
    desk.get_by_label("Thu phí, lệ phí ngay khi tiếp nhận").check()
    desk.get_by_label("Số biên lai").fill("0000815")
    desk.screenshot(path=str(SCREENSHOT_DIR / "h17-counter-fee-inputs-desktop.png"), full_page=True)
    desk.get_by_role("button", name="Tiếp nhận", exact=True).click()
    desk.wait_for_url(re.compile(r"/can-bo/ho-so/[^/]+/$"))
    dossier = Dossier.objects.get()
    assert dossier.fee_inputs == {"copies": 2, "pages": 3} and dossier.fee_collected == 10_000
    assert "Đã thu tại quầy: 10.000 đồng" in desk.locator("#phi-le-phi").inner_text()
    assert run_axe(desk) == []
