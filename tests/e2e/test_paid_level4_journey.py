"""A level-4 procedure with a fee due at submission, paid online, to the signed result returned by
itself and the rating (#17), in a real browser.

2.000635 (bản sao trích lục hộ tịch, the ward Tân Thành, level 4): 8.000 đồng a copy, collected
when the dossier is submitted. On a 390×844 phone the citizen sees the rule and the amount on the
procedure step, declares three copies on the first step (24.000 đồng), sees the fees again on the
review page, submits with "nhận kết quả điện tử", pays from the confirmation page through the
sandbox gateway ("Chờ nộp phí" -> "Đã thanh toán" -> "Đã nộp phí"). The counter sees "Đã nộp phí"
in the online queue and receives; the hand-overs go through the action layer; the clerk completes
with a result file in the back office, which signs it with the ward's development certificate and
returns it at once (status 10, `result_delivered`). The citizen downloads the signed result and
rates. axe: no serious or critical violation on each page (phone), and on the key desktop pages.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, open_part, run_axe
from tests.signing.conftest import minimal_pdf

pytestmark = pytest.mark.browser

COPY = "2.000635"
WARD = "000.21.01.H12"
PASSWORD = "motcua-e2e-pw-2026"


@pytest.fixture
def ward(site, settings, tmp_path):
    from django.core.management import call_command

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    settings.MOTCUA_OIDC_ISSUER = ""
    settings.MOTCUA_PUBLIC_URL = site.url
    settings.MOTCUA_PAYMENT_PROVIDER = "sandbox"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True
    settings.MOTCUA_PAYMENT_HASH_SECRET = "motcua-e2e-secret-0123456789"
    settings.MOTCUA_PAYMENT_IPN_ALLOWED_IPS = []
    settings.MOTCUA_PAYMENT_SANDBOX_IPN_URL = ""
    settings.MOTCUA_JOBS_MODE = "worker"
    settings.MOTCUA_SIGNING_CERT_DIR = tmp_path / "certs"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    settings.MOTCUA_SIGNING_TRUST_DEV_CA = True
    call_command("dev_certificate", "--agency", WARD, stdout=io.StringIO())
    agency = Agency.objects.get(unit_code=WARD)
    people = {}
    for username, role in [("tiepnhan", "receptionist"), ("chuyenvien", "officer"), ("lanhdao", "leader"),
                           ("vanthu", "clerk")]:
        people[username] = User.objects.create_user(username, password=PASSWORD, full_name=username.title())
        Membership.objects.create(user=people[username], agency=agency, role=role)
    people["congdan"] = User.objects.create_user(  # made by staff: may submit online
        "congdan", password=PASSWORD, full_name="Nguyễn Văn Công Dân", id_number="096090001234",
        date_of_birth=dt.date(1990, 5, 17), phone="0987654321", email="congdan@example.invalid",
        address="Khóm 2, Phường Tân Thành, tỉnh Cà Mau",
    )
    return {"base": site.url, "people": people}


def sign_in(new_page, base: str, username: str, options: dict, next_url: str):
    page = new_page(**options)
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOT_DIR / f"paid-level4-{name}.png"), full_page=True)


def no_violation(page) -> None:
    violations = run_axe(page)
    assert violations == [], (page.url, violations)


def test_a_paid_level4_dossier_from_submission_to_the_signed_result_and_the_rating(ward, new_page, tmp_path):
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions
    from motcua.dossiers.models import Dossier, Event
    from motcua.feedback.models import Rating
    from motcua.jobs.runner import run_pending
    from motcua.payments.models import Payment
    from motcua.signing.models import SignedResult

    base, people = ward["base"], ward["people"]
    version = Procedure.objects.get(code=COPY).published
    assert version.level == 4
    fee = version.fees.get()
    assert (fee.basis, fee.amount_vnd, fee.collected) == ("copy", 8000, "at_reception")

    # --- 1. the procedure step, on a phone: the rule, the amount of one copy, when it is due -----------------
    phone = sign_in(new_page, base, "congdan", PHONE, f"/nop-ho-so/{COPY}/")
    start = phone.locator("main").inner_text()
    assert "8.000 đồng mỗi bản" in start and "nộp khi nộp hồ sơ" in start
    no_violation(phone)
    shot(phone, "1-procedure")

    # --- 2. the first part of the page to fill asks the copies; the amount follows -----------------------------
    phone.get_by_label("Số bản cần cấp").fill("0")
    phone.get_by_role("button", name="Xem lại hồ sơ").click()
    phone.locator("#error-summary").wait_for()
    assert "Số bản phải là số nguyên từ 1 đến 1000" in phone.locator("main").inner_text()  # a form error
    no_violation(phone)
    phone.get_by_label("Số bản cần cấp").fill("3")
    phone.get_by_role("button", name="Tính lại lệ phí").click()
    phone.wait_for_load_state()
    fees = phone.locator(".fill-section.is-open [data-testid=wizard-fees]").inner_text()
    assert "24.000 đ" in fees and "8.000 đồng × 3 bản" in fees
    no_violation(phone)
    shot(phone, "2-fee-step")

    # --- 3. the generic application, prefilled from the account ------------------------------------------------
    open_part(phone, "#id-f-applicant_address-commune")
    if phone.locator("#id-f-applicant_address-commune").input_value() != "32025":
        phone.locator("#id-f-applicant_address-province").select_option("96")
        phone.wait_for_selector("#id-f-applicant_address-commune option[value='32025']", state="attached")
        phone.locator("#id-f-applicant_address-commune").select_option("32025")
    open_part(phone, "#id-f-request")
    phone.locator("#id-f-request").fill("Cấp 3 bản sao trích lục khai sinh cho tôi.")
    assert phone.locator("#delivery-online").is_checked()  # asked once, in the last part
    phone.get_by_role("button", name="Xem lại hồ sơ").click()

    # --- 4. the review page: the fees again, with when they are due --------------------------------------------
    phone.wait_for_url(re.compile(r"/xem-lai/$"))
    review = phone.locator("main").inner_text()
    assert "24.000 đ" in review and "khi nộp hồ sơ" in review
    assert "bạn thanh toán trực tuyến ngay sau khi bấm «Nộp hồ sơ»" in review
    assert "Nhận kết quả điện tử (có chữ ký số) trên Cổng" in review
    no_violation(phone)
    shot(phone, "3-review")
    phone.get_by_label(re.compile("Tôi cam đoan")).check()
    phone.get_by_role("button", name="Nộp hồ sơ").click()

    # --- 5. the confirmation page: "Chờ nộp phí", pay now ------------------------------------------------------
    phone.wait_for_url(re.compile(r"/nop-ho-so/da-nop/"))
    code = phone.locator("[data-dossier-code]").inner_text().strip()
    done = phone.locator("main").inner_text()
    assert "Đã nộp hồ sơ" in done and "Chờ nộp phí" in done and "24.000 đ" in done
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.fee_inputs, dossier.delivery) == (1, {"copies": 3}, "online")
    no_violation(phone)
    shot(phone, "4-confirmation")
    phone.get_by_role("button", name="Thanh toán lệ phí ngay").click()
    phone.wait_for_url(re.compile(r"/thanh-toan/sandbox/paymentv2/vpcpay\.html\?"))
    assert "24.000" in phone.locator("main").inner_text()
    phone.get_by_role("button", name="Thanh toán", exact=True).click()
    phone.wait_for_url(re.compile(r"/thanh-toan/ket-qua/sandbox/"))
    payment = Payment.objects.get(dossier=dossier)
    assert payment.amount_vnd == 24_000
    run_pending()  # the gateway's IPN (a background job)
    payment.refresh_from_db()
    assert payment.state == "paid"
    phone.reload()
    result = phone.locator("main").inner_text()
    assert "Thanh toán thành công" in result and "Đã thanh toán" in result
    assert phone.locator("meta[http-equiv=refresh]").count() == 0
    no_violation(phone)
    shot(phone, "5-payment-result")
    phone.goto(f"{base}/ho-so-cua-toi/{code}/")
    assert "Đã nộp phí" in phone.locator(".dossier-head").inner_text()
    no_violation(phone)
    assert Dossier.objects.get(pk=dossier.pk).status == 1  # the national status code stays 1

    # --- 6. the counter sees "Đã nộp phí" and receives (desktop) ------------------------------------------------
    counter = sign_in(new_page, base, "tiepnhan", DESKTOP, "/can-bo/cho-tiep-nhan/")
    row = counter.locator("tr", has_text=code)
    assert "Đã nộp phí" in row.inner_text()
    no_violation(counter)
    shot(counter, "6-counter-queue")
    row.get_by_role("link", name=re.compile("Kiểm tra")).click()
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/cho-tiep-nhan/{code}/") + "$"))
    check = counter.locator("main").inner_text()
    assert "Đã nộp phí" in check and "24.000 đ" in check
    no_violation(counter)
    for box in counter.locator("input[name=present]").all():
        box.check()
    counter.get_by_role("button", name="Tiếp nhận", exact=True).click()
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/ho-so/{code}/") + "$"))
    assert Dossier.objects.get(pk=dossier.pk).status == 2

    # Hand-overs through the action layer, the result file at the clerk's step.
    for giver, taker in (("tiepnhan", "chuyenvien"), ("chuyenvien", "lanhdao"), ("lanhdao", "vanthu")):
        actions.handover(Dossier.objects.get(pk=dossier.pk), actor=people[giver], to_user=people[taker])
    actions.add_file(Dossier.objects.get(pk=dossier.pk), actor=people["vanthu"],
                     upload=io.BytesIO(minimal_pdf("Ban sao trich luc")), name="ban-sao-trich-luc.pdf", kind="result")

    # --- 7. the clerk completes: signed and returned at once -----------------------------------------------------
    clerk = sign_in(new_page, base, "vanthu", DESKTOP, "/can-bo/")
    clerk.goto(f"{base}/can-bo/ho-so/{code}/")
    fees_fact = clerk.locator("[data-fees]").inner_text()
    assert "24.000 đ" in fees_fact and "8.000 đồng × 3 bản" in fees_fact
    no_violation(clerk)
    complete = clerk.locator("#thao-tac-complete")
    if complete.get_attribute("open") is None:
        complete.locator("summary").click()
    complete.get_by_role("button", name="Hoàn thành xử lý").click()
    clerk.wait_for_load_state()
    assert "10. Đã trả kết quả" in clerk.locator(".bo-summary").inner_text()
    returned = Dossier.objects.get(pk=dossier.pk)
    assert returned.status == 10
    assert Event.objects.get(dossier=returned, kind="result_delivered").actor is None
    signed = SignedResult.objects.get(dossier=returned)

    # --- 8. the citizen downloads the signed result and rates ----------------------------------------------------
    phone.goto(f"{base}/ho-so-cua-toi/{code}/")
    assert "Đã trả kết quả" in phone.locator(".dossier-head").inner_text()
    no_violation(phone)
    shot(phone, "7-result")
    result_panel = phone.locator("#ket-qua")
    assert "Đã ký số" in result_panel.inner_text()
    with phone.expect_download() as info:
        result_panel.get_by_role("link", name=re.compile("ban-sao-trich-luc")).click()
    download = info.value
    assert download.suggested_filename == signed.signed_file.original_name
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and b"/ByteRange" in saved.read_bytes()
    rate = phone.locator("#danh-gia")
    rate.locator("summary").click()
    criteria = rate.locator("fieldset.criterion")
    for i in range(criteria.count()):
        criteria.nth(i).locator("input[type=radio]").first.check()
    rate.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    assert f"Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ {code}" in phone.locator("main").inner_text()
    assert Rating.objects.filter(dossier=returned).count() == 1
    assert Event.objects.filter(dossier=returned, kind="rated").count() == 1
    no_violation(phone)

    # Desktop: the key citizen pages too.
    desk = sign_in(new_page, base, "congdan", DESKTOP, f"/ho-so-cua-toi/{code}/")
    no_violation(desk)
    desk.goto(f"{base}/nop-ho-so/{COPY}/")  # the page to fill, its fee part open
    no_violation(desk)
    shot(desk, "8-fee-step-desktop")


def test_the_agency_admin_sets_the_payment_terms_on_a_phone(ward, new_page):
    """The ward's admin chooses 2 working days, a reminder 4 working hours before, and an automatic
    refusal when the deadline passes, on the agency settings page (phone and desktop, axe)."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    base = ward["base"]
    agency = Agency.objects.get(unit_code=WARD)
    admin = User.objects.create_user("quantri", password=PASSWORD, full_name="Quản Trị Phường")
    Membership.objects.create(user=admin, agency=agency, role="agency_admin")
    phone = sign_in(new_page, base, "quantri", PHONE, "/can-bo/quan-tri/co-quan/giay-to/")
    section = phone.locator("form", has=phone.locator("input[name=section]"))
    section.get_by_label("hạn nộp phí sau khi nộp hồ sơ").fill("0")
    section.get_by_role("button", name="Lưu thiết lập nộp phí").click()
    phone.wait_for_load_state()
    assert "error-summary" in phone.content()
    no_violation(phone)
    section = phone.locator("form", has=phone.locator("input[name=section]"))
    section.get_by_label("hạn nộp phí sau khi nộp hồ sơ").fill("2")
    section.get_by_label("đơn vị hạn nộp phí").select_option("working_days")
    section.get_by_label("nhắc nộp phí trước hạn (giờ làm việc)").fill("4")
    section.get_by_label("khi quá hạn nộp phí").select_option("refuse")
    section.get_by_role("button", name="Lưu thiết lập nộp phí").click()
    phone.wait_for_load_state()
    assert "Đã lưu thiết lập nộp phí" in phone.locator("main").inner_text()
    agency.refresh_from_db()
    assert (agency.fee_deadline_amount, agency.fee_deadline_unit, agency.fee_reminder_hours,
            agency.fee_expiry_action) == (2, "working_days", 4, "refuse")
    no_violation(phone)
    phone.locator("#phi").scroll_into_view_if_needed()
    shot(phone, "9-agency-terms")
    desk = sign_in(new_page, base, "quantri", DESKTOP, "/can-bo/quan-tri/co-quan/giay-to/")
    no_violation(desk)
