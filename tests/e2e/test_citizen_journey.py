"""The whole citizen journey in a real browser, end to end.

A new citizen signs up on a phone (390×844) with the verification code the system sent, fills the
profile and submits a birth registration (1.001193, level 4) with two documents; the ward's counter
(desktop) receives it from the online queue; the officer pauses the clock for a fee (a fee row with
an amount is added to the procedure version, the sample's own fee being 0 đồng); the citizen pays on
the sandbox gateway from the dossier page and the gateway's IPN job resumes the dossier; the leader
hands it to the clerk, who attaches the result and completes, which signs it with the ward's
development certificate; the citizen downloads the signed result and the public verify page calls
the signature valid; the counter returns the result and the citizen rates all 9 criteria.

Pages: sign-up, verification, profile, the submission wizard, the online queue and check page, the
pause panel, the payment start page, the sandbox gateway, the payment result page, the clerk's
result upload and completion, the citizen's dossier page and result download, /xac-thuc/, the
return page, the rating form. Action layer: the hand-overs reception → officer → leader → clerk.
The IPN job: motcua.jobs.runner.run_pending() in the test thread."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, open_part
from tests.signing.conftest import minimal_pdf
from tests.submissions.conftest import PDF, PNG

pytestmark = pytest.mark.browser

BIRTH = "1.001193"
WARD = "000.21.01.H12"
STAFF_PASSWORD = "motcua-e2e-pw-2026"
CITIZEN_PASSWORD = "Motcua-thu-2026"
CITIZEN_PHONE = "0987654321"
FEE_VND = 50_000


@pytest.fixture
def journey(site, settings, tmp_path, monkeypatch):
    """The sample catalogue on a live server, the demo e-forms, the ward's staff, a dev certificate,
    the sandbox gateway, and the verification codes caught on their way out."""
    from django.core.management import call_command

    from motcua.accounts import messaging
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.eforms.services import load_demo_eforms

    settings.MOTCUA_OIDC_ISSUER = ""
    settings.MOTCUA_PUBLIC_URL = site.url
    # Payments: the built-in sandbox gateway; its IPN is a background job run by the test.
    settings.MOTCUA_PAYMENT_PROVIDER = "sandbox"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True
    settings.MOTCUA_PAYMENT_HASH_SECRET = "motcua-e2e-secret-0123456789"
    settings.MOTCUA_PAYMENT_IPN_ALLOWED_IPS = []
    settings.MOTCUA_PAYMENT_SANDBOX_IPN_URL = ""
    settings.MOTCUA_JOBS_MODE = "worker"
    # Signing: a development CA and certificate for the ward, trusted by the verify page.
    settings.MOTCUA_SIGNING_CERT_DIR = tmp_path / "certs"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    settings.MOTCUA_SIGNING_TRUST_DEV_CA = True
    settings.MOTCUA_SIGNING_VISIBLE = True

    load_demo_eforms()
    call_command("dev_certificate", "--agency", WARD, stdout=io.StringIO())

    codes = []

    def capture(destination, channel, purpose, code, *, link="", user=None):
        codes.append((destination, purpose, code))
        return messaging.Delivery(True, "test")

    monkeypatch.setattr(messaging, "send_code", capture)

    ward = Agency.objects.get(unit_code=WARD)
    staff = {}
    for username, full_name, role in [
        ("tiepnhan", "Nguyễn Thị Tiếp Nhận", "receptionist"),
        ("chuyenvien", "Trần Văn Chuyên", "officer"),
        ("lanhdao", "Phạm Văn Lãnh", "leader"),
        ("vanthu", "Võ Thị Văn", "clerk"),
    ]:
        user = User.objects.create_user(username, password=STAFF_PASSWORD, full_name=full_name)
        Membership.objects.create(user=user, agency=ward, role=role)
        staff[username] = user
    return {"base": site.url, "codes": codes, "staff": staff}


def staff_page(new_page, base: str, username: str):
    page = new_page(**DESKTOP)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/$"))
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOT_DIR / f"citizen-journey-{name}.png"), full_page=True)


def dossier_of(code: str):
    from motcua.dossiers.models import Dossier

    return Dossier.objects.get(code=code)


def test_a_new_citizen_signs_up_submits_pays_downloads_the_signed_result_and_rates(journey, new_page, tmp_path):
    from motcua.catalog.models import Fee, Procedure
    from motcua.dossiers import actions
    from motcua.dossiers.models import Event
    from motcua.jobs.runner import run_pending
    from motcua.payments.models import Payment
    from motcua.signing.models import SignedResult

    base, staff = journey["base"], journey["staff"]
    version = Procedure.objects.get(code=BIRTH).published
    assert all(f.amount_vnd == 0 for f in version.fees.all())  # the sample's fee is waived...
    Fee.objects.create(version=version, order=9, name="Phí cấp bản sao trích lục khai sinh",  # ...so add one
                       amount_vnd=FEE_VND, collected=Fee.When.AT_RETURN)

    # --- 1. sign up on a phone, with the code the system sent -------------------------------------------
    phone = new_page(**PHONE)
    phone.goto(base + "/dang-ky/")
    phone.get_by_label("Họ và tên").fill("Nguyễn Văn Công Dân")
    phone.get_by_label("Số điện thoại di động hoặc e-mail").fill("0987 654 321")
    phone.get_by_label("Mật khẩu", exact=True).fill(CITIZEN_PASSWORD)
    phone.get_by_label("Nhập lại mật khẩu").fill(CITIZEN_PASSWORD)
    phone.get_by_role("checkbox").check()
    phone.get_by_role("button", name="Tạo tài khoản").click()
    phone.wait_for_url("**/xac-minh/**")
    assert CITIZEN_PHONE in phone.locator("main").inner_text()
    sent = [c for c in journey["codes"] if c[0] == CITIZEN_PHONE]
    assert len(sent) == 1 and sent[0][1] == "signup" and re.fullmatch(r"\d{6}", sent[0][2])
    phone.get_by_label("Mã xác minh (6 chữ số)").fill(sent[0][2])
    phone.get_by_role("button", name="Xác nhận").click()
    phone.wait_for_url("**/tai-khoan/")
    assert f"Đã xác minh số điện thoại {CITIZEN_PHONE}" in phone.content()
    # The profile: the ID number is needed to submit; the address prefills the e-form.
    phone.get_by_label("Số định danh cá nhân").fill("096090001234")
    phone.get_by_label("Ngày", exact=True).fill("17")
    phone.get_by_label("Tháng").fill("5")
    phone.get_by_label("Năm", exact=True).fill("1990")
    phone.get_by_label("Địa chỉ thường trú").fill("Khóm 2, Phường Tân Thành, tỉnh Cà Mau")
    phone.get_by_role("button", name="Lưu thông tin").click()
    assert "Đã lưu thông tin cá nhân" in phone.content()
    shot(phone, "1-profile")

    # --- 2. submit the birth registration with two documents -------------------------------------------
    phone.goto(f"{base}/nop-ho-so/{BIRTH}/")  # the page to fill, in parts (one open at a time)
    assert phone.locator("#id-f-requester_name").input_value() == "Nguyễn Văn Công Dân"
    if phone.locator("#id-f-requester_address-commune").input_value() != "32025":
        phone.locator("#id-f-requester_address-province").select_option("96")
        phone.wait_for_selector("#id-f-requester_address-commune option[value='32025']", state="attached")
        phone.locator("#id-f-requester_address-commune").select_option("32025")
    phone.locator("#id-f-relationship-1").check()  # Cha
    open_part(phone, "#id-f-child_name")
    phone.locator("#id-f-child_name").fill("Nguyễn Ngọc Hân")
    phone.locator("#id-f-child_dob").fill("2026-03-01")
    phone.locator("#id-f-child_gender-1").check()  # Nữ
    phone.locator("#id-f-birth_place_kind-0").check()
    phone.locator("#id-f-birth_facility").fill("Bệnh viện Sản Nhi Cà Mau")
    phone.locator("#id-f-birth_place-province").select_option("96")
    phone.wait_for_selector("#id-f-birth_place-commune option[value='32002']", state="attached")
    phone.locator("#id-f-birth_place-commune").select_option("32002")
    open_part(phone, "#id-f-mother_name")
    phone.locator("#id-f-mother_name").fill("Trần Thị Mai")
    phone.locator("#id-f-mother_birth_year").fill("1995")
    phone.locator("#id-f-mother_address-province").select_option("96")
    phone.wait_for_selector("#id-f-mother_address-commune option[value='32025']", state="attached")
    phone.locator("#id-f-mother_address-commune").select_option("32025")
    open_part(phone, "#id-f-has_father-yes")
    phone.locator("#id-f-has_father-yes").check()
    phone.locator("#id-f-father_name").fill("Nguyễn Văn Công Dân")
    phone.locator("#id-f-father_birth_year").fill("1990")
    phone.locator("#id-f-father_address-province").select_option("96")
    phone.wait_for_selector("#id-f-father_address-commune option[value='32025']", state="attached")
    phone.locator("#id-f-father_address-commune").select_option("32025")
    open_part(phone, "#id-f-want_copies-no")
    phone.locator("#id-f-want_copies-no").check()

    open_part(phone, "[data-slot]")
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(PDF)
    mandate = tmp_path / "van-ban-uy-quyen.png"
    mandate.write_bytes(PNG)
    slots = phone.locator("[data-slot]")
    slots.filter(has_text="Giấy chứng sinh").locator("input[type=file]").set_input_files(str(certificate))
    slots.filter(has_text="Văn bản ủy quyền").locator("input[type=file]").set_input_files(str(mandate))
    expect(phone.locator(".file-item.is-done")).to_have_count(2)
    assert phone.locator(".file-item.is-error").count() == 0
    # This journey collects the result at the counter (paper, signed for there); an electronic result
    # is returned by the system at completion (#17, tests/e2e/test_electronic_result_journey.py).
    phone.locator("#delivery-counter").check()
    phone.get_by_role("button", name="Xem lại hồ sơ").click()

    phone.wait_for_url(re.compile(r"/xem-lai/$"))
    phone.get_by_text("Xem các mục đã khai dạng danh sách").click()
    review = phone.locator("main").inner_text()
    for text in ("Nguyễn Ngọc Hân", "giay-chung-sinh.pdf", "van-ban-uy-quyen.png", "Nhận tại nơi nộp hồ sơ"):
        assert text in review, text
    phone.get_by_label(re.compile("Tôi cam đoan")).check()
    phone.get_by_role("button", name="Nộp hồ sơ").click()
    phone.wait_for_url(re.compile(r"/nop-ho-so/da-nop/"))
    code = phone.locator("[data-dossier-code]").inner_text().strip()
    shot(phone, "2-submitted")
    dossier = dossier_of(code)
    assert dossier.status == 1 and dossier.channel == 2 and dossier.owner.phone == CITIZEN_PHONE
    uploaded = set(dossier.files.filter(kind="component").values_list("original_name", flat=True))
    assert {"giay-chung-sinh.pdf", "van-ban-uy-quyen.png"} <= uploaded

    # --- 3. the counter receives it from the online queue (desktop, own browser context) ----------------
    counter = staff_page(new_page, base, "tiepnhan")
    counter.goto(base + "/can-bo/cho-tiep-nhan/")
    row = counter.locator("tr", has_text=code)
    assert "Nguyễn Văn Công Dân" in row.inner_text()
    row.get_by_role("link", name=re.compile("Kiểm tra")).click()
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/cho-tiep-nhan/{code}/") + "$"))
    check = counter.locator("main").inner_text()
    assert "Kiểm tra hồ sơ trực tuyến" in check and "giay-chung-sinh.pdf" in check and "van-ban-uy-quyen.png" in check
    for box in counter.locator("input[name=present]").all():
        box.check()
    counter.get_by_role("button", name="Tiếp nhận", exact=True).click()
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/ho-so/{code}/") + "$"))
    assert f"Đã tiếp nhận hồ sơ {code}" in counter.locator(".bo-messages").inner_text()
    assert dossier_of(code).status == 2
    shot(counter, "3-received")

    # Hand-over to the officer (action layer).
    actions.handover(dossier_of(code), actor=staff["tiepnhan"], to_user=staff["chuyenvien"])

    # --- 4. the officer pauses the clock for the fee (page) ------------------------------------------------
    officer = staff_page(new_page, base, "chuyenvien")
    officer.goto(f"{base}/can-bo/ho-so/{code}/")
    pause = officer.locator("#thao-tac-pause")
    if pause.get_attribute("open") is None:
        pause.locator("summary").click()
    pause.get_by_label("Loại tạm dừng").select_option("payment")
    pause.get_by_label("Lý do tạm dừng").fill("Chờ nộp phí cấp bản sao trích lục khai sinh")
    pause.get_by_role("button", name="Tạm dừng").click()
    officer.wait_for_load_state()
    assert f"Đã tạm dừng tính thời gian hồ sơ {code}" in officer.locator(".bo-messages").inner_text()
    assert dossier_of(code).status == 6

    # --- 5. the citizen pays on the sandbox gateway from the dossier page ----------------------------------
    phone.goto(f"{base}/ho-so-cua-toi/{code}/")
    fee_panel = phone.locator("#phi")
    fee_text = fee_panel.inner_text()
    assert "Cần thực hiện nghĩa vụ tài chính" in fee_text and "50.000" in fee_text
    fee_panel.get_by_role("link", name="Thanh toán trực tuyến").click()
    phone.wait_for_url(re.compile(re.escape(f"/thanh-toan/ho-so/{code}/")))
    assert "Thanh toán phí, lệ phí" in phone.locator("main").inner_text()
    phone.get_by_role("button", name="Thanh toán 50.000 đồng").click()
    phone.wait_for_url(re.compile(r"/thanh-toan/sandbox/paymentv2/vpcpay\.html\?"))
    assert "Thanh toán giao dịch" in phone.locator("main").inner_text()
    shot(phone, "5-sandbox")
    phone.get_by_role("button", name="Thanh toán", exact=True).click()
    phone.wait_for_url(re.compile(r"/thanh-toan/ket-qua/sandbox/"))
    assert "Đang chờ xác nhận" in phone.locator("main").inner_text()
    payment = Payment.objects.get(dossier=dossier_of(code))
    assert payment.state == "pending" and payment.amount_vnd == FEE_VND
    # The gateway's IPN is a background job.
    run_pending()
    payment.refresh_from_db()
    assert payment.state == "paid"
    phone.reload()
    assert "Thanh toán thành công" in phone.locator("main").inner_text()
    shot(phone, "5-paid")
    resumed = dossier_of(code)
    assert resumed.status == 4 and resumed.paused_at is None  # the payment resumed the dossier

    # --- 6. leader and clerk (action layer); completion signs the result -----------------------------------
    actions.handover(dossier_of(code), actor=staff["chuyenvien"], to_user=staff["lanhdao"])
    actions.handover(dossier_of(code), actor=staff["lanhdao"], to_user=staff["vanthu"])
    # The clerk attaches the result and completes through the back office: completion signs with
    # pyHanko, which calls asyncio.run() and so cannot run in this thread (Playwright's loop runs here).
    clerk = staff_page(new_page, base, "vanthu")
    clerk.goto(f"{base}/can-bo/ho-so/{code}/")
    clerk.set_input_files("#result_files-files", files=[
        {"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf("Giay khai sinh")}])
    clerk.get_by_role("button", name="Tải lên tệp kết quả").click()
    clerk.wait_for_load_state()
    assert "Đã lưu 1 tệp" in clerk.locator(".bo-messages").inner_text()
    complete = clerk.locator("#thao-tac-complete")
    if complete.get_attribute("open") is None:
        complete.locator("summary").click()
    complete.get_by_role("button", name="Hoàn thành xử lý").click()
    clerk.wait_for_load_state()
    assert f"Đã hoàn thành xử lý hồ sơ {code}" in clerk.locator(".bo-messages").inner_text()
    assert dossier_of(code).status == 9
    completion = Event.objects.filter(dossier__code=code, kind="completed").last()
    assert completion.data.get("signed_results"), completion.data
    signed = SignedResult.objects.get(dossier=dossier_of(code))

    # --- 7. the citizen downloads the signed result ---------------------------------------------------------
    phone.goto(f"{base}/ho-so-cua-toi/{code}/")
    result_panel = phone.locator("#ket-qua")
    assert "Kết quả giải quyết" in result_panel.inner_text() and "Đã ký số" in result_panel.inner_text()
    shot(phone, "7-result")
    with phone.expect_download() as info:
        result_panel.get_by_role("link", name=re.compile("giay-khai-sinh")).click()
    download = info.value
    assert download.suggested_filename == signed.signed_file.original_name
    downloaded = tmp_path / download.suggested_filename
    download.save_as(downloaded)
    data = downloaded.read_bytes()
    assert data.startswith(b"%PDF") and b"/ByteRange" in data

    # --- 8. the public verify page says the signature is valid ----------------------------------------------
    result_panel.get_by_role("link", name="Kiểm tra chữ ký số của kết quả").click()
    phone.wait_for_url(re.compile(r"/xac-thuc/"))
    phone.locator("#verify-file").set_input_files(str(downloaded))
    phone.get_by_role("button", name="Kiểm tra tệp").click()
    phone.wait_for_load_state()
    verdict = " ".join(phone.locator("#ket-qua").inner_text().split())
    assert "Chữ ký hợp lệ" in verdict, verdict
    assert code in verdict and BIRTH in verdict
    shot(phone, "8-verified")

    # --- 9. the counter returns the result (page) ------------------------------------------------------------
    counter.get_by_role("link", name="Trả kết quả", exact=True).click()
    counter.wait_for_url(re.compile(r"/can-bo/tra-ket-qua/$"))
    assert code in counter.locator("main").inner_text()
    box = counter.get_by_label("Mã hồ sơ trên giấy tiếp nhận")
    box.fill(code)
    box.press("Enter")
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/ho-so/{code}/") + "$"))
    panel = counter.locator("#thao-tac-return_result")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.get_by_label("Đã đối chiếu bản chính với các tệp đã nộp").check()
    panel.get_by_label("Người nhận đã ký nhận kết quả").check()
    panel.get_by_label("Phí, lệ phí thu khi trả (đồng)").fill("0")  # already paid online
    panel.get_by_role("button", name="Xác nhận đã trả kết quả").click()
    counter.wait_for_load_state()
    assert f"Đã trả kết quả hồ sơ {code}" in counter.locator(".bo-messages").inner_text()
    assert "10. Đã trả kết quả" in counter.locator(".bo-summary").inner_text()
    returned = dossier_of(code)
    assert returned.status == 10 and returned.fee_collected == FEE_VND

    # --- 10. the citizen rates the service on all 9 criteria ------------------------------------------------
    phone.goto(f"{base}/ho-so-cua-toi/{code}/")
    rate = phone.locator("#danh-gia")
    assert "Đánh giá mức độ hài lòng" in rate.inner_text()
    rate.locator("summary").click()
    criteria = rate.locator("fieldset.criterion")
    assert criteria.count() == 9
    for i in range(9):
        criteria.nth(i).locator("input[type=radio]").first.check()
    rate.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    assert f"Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ {code}" in phone.locator("main").inner_text()
    assert "Đánh giá của bạn" in phone.locator("#danh-gia").inner_text()
    shot(phone, "10-rated")
    from motcua.feedback.models import Rating

    assert Rating.objects.filter(dossier=returned).count() == 1
