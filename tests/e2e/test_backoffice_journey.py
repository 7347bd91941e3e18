"""The one-stop back office in a real browser: a criminal-record dossier (2.000488, five steps) is
received at the service centre's counter with two scanned files, passed through Sở Tư pháp's
officer, department head, leader and clerk, and its result returned at the counter; the public
tracking then shows every step.

Screenshots (desktop 1280×800 and tablet 820×1180) of the reception page, the inbox and the
dossier page go to MOTCUA_SCREENSHOT_DIR (default /tmp)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from tests.backoffice.conftest import PDF, PNG

from .conftest import SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "has_touch": True}
CODE = "2.000488"


@pytest.fixture
def staff(site):
    """The demo's staff names, each with its role where 2.000488 needs it."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    centre = Agency.objects.get(unit_code="000.00.01.H12")
    justice = Agency.objects.get(unit_code="000.00.15.H12")
    people = {}
    for username, full_name, agency, role in [
        ("tiepnhan", "Nguyễn Thị Tiếp Nhận", centre, "receptionist"),
        ("chuyenvien", "Trần Văn Chuyên", justice, "officer"),
        ("truongphong", "Lê Thị Trưởng", justice, "department_head"),
        ("lanhdao", "Phạm Văn Lãnh", justice, "leader"),
        ("vanthu", "Võ Thị Văn", justice, "clerk"),
    ]:
        user = User.objects.create_user(username, password=PASSWORD, full_name=full_name)
        Membership.objects.create(user=user, agency=agency, role=role)
        people[username] = user
    return people


def sign_in(new_page, base: str, username: str, device=DESKTOP):
    page = new_page(**device)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/$"))
    return page


def no_serious_a11y(page, where: str):
    violations = run_axe(page)
    assert violations == [], (where, violations)


def hand_over(page, to_user=None, note: str = ""):
    panel = page.locator("#thao-tac-handover")
    if to_user is not None:
        panel.get_by_label("Chuyển cho").select_option(str(to_user.pk))
    if note:
        panel.get_by_label("Ý kiến, ghi chú khi chuyển (không bắt buộc)").fill(note)
    panel.get_by_role("button", name="Chuyển hồ sơ").click()
    page.wait_for_load_state()
    assert "Đã chuyển hồ sơ" in page.locator(".bo-messages").inner_text()


def open_by_barcode(page, base: str, code: str):
    """A barcode reader types the code into the inbox's search box and presses Enter."""
    page.goto(base + "/can-bo/")
    box = page.get_by_label("Mã hồ sơ, tên hoặc số định danh người nộp")
    box.fill(code)
    box.press("Enter")
    page.wait_for_url(re.compile(re.escape(f"/can-bo/ho-so/{code}/") + "$"))


def test_it_takes_a_criminal_record_dossier_from_the_counter_to_the_returned_result(site, staff, new_page):
    from motcua.catalog.models import Procedure

    base = site.url
    version = Procedure.objects.get(code=CODE).published
    form_component, id_component = list(version.components.order_by("order", "id"))

    # --- the counter receives the dossier with two scanned files ----------------------------------
    counter = sign_in(new_page, base, "tiepnhan")
    counter.get_by_role("link", name="Tiếp nhận", exact=True).click()
    counter.get_by_label("Bước 1. Tìm thủ tục hành chính").fill("ly lich tu phap")
    counter.get_by_label("Bước 1. Tìm thủ tục hành chính").press("Enter")
    counter.get_by_role("link", name=re.compile("^Cấp Phiếu lý lịch tư pháp")).click()
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/tiep-nhan/{CODE}/") + "$"))
    counter.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Nguyễn Văn An")
    counter.get_by_label("Số định danh cá nhân / mã số thuế").fill("096090001234")
    counter.get_by_label("Số điện thoại").fill("0912345678")
    counter.get_by_label("Thư điện tử").fill("an@example.invalid")
    counter.get_by_label("Địa chỉ").fill("Phường Tân Thành, tỉnh Cà Mau")
    counter.set_input_files(f"#files-{form_component.pk}", files=[
        {"name": "to-khai-lltp.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    counter.set_input_files(f"#files-{id_component.pk}", files=[
        {"name": "cccd-mat-truoc.png", "mimeType": "image/png", "buffer": PNG}])
    # Picking files ticks the component (progressive enhancement); the ticks are what count.
    assert counter.locator(f"#present-{form_component.pk}").is_checked()
    counter.locator(f"#present-{id_component.pk}").check()
    chosen = counter.locator(f".dropzone:has(#files-{form_component.pk}) .dropzone__list").inner_text()
    assert "to-khai-lltp.pdf" in chosen
    counter.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-reception-desktop.png"), full_page=True)
    no_serious_a11y(counter, "reception")
    tablet = sign_in(new_page, base, "tiepnhan", device=TABLET)
    tablet.goto(f"{base}/can-bo/tiep-nhan/{CODE}/")
    tablet.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-reception-tablet.png"), full_page=True)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 820
    counter.get_by_role("button", name="Tiếp nhận", exact=True).click()
    counter.wait_for_url(re.compile(r"/can-bo/ho-so/[^/]+/$"))
    code = counter.locator("[data-dossier-code]").inner_text().strip()
    assert code.startswith("000.00.01.H12-")
    messages = counter.locator(".bo-messages").inner_text()
    assert f"Đã tiếp nhận hồ sơ {code}" in messages and "Hẹn trả kết quả" in messages
    assert counter.locator("a[data-form='01']").get_attribute("href") == f"/can-bo/ho-so/{code}/mau/01.pdf"
    files = counter.locator("#s-files ~ .bo-components").inner_text()
    assert "to-khai-lltp.pdf" in files and "cccd-mat-truoc.png" in files
    counter.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-dossier-desktop.png"), full_page=True)
    no_serious_a11y(counter, "dossier")
    hand_over(counter, staff["chuyenvien"])

    # --- the officer at Sở Tư pháp finds it in the inbox and hands it to the department head --------
    officer = sign_in(new_page, base, "chuyenvien")
    row = officer.locator("tr", has=officer.get_by_role("link", name=code))
    assert "Trong hạn" in row.inner_text()
    officer.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-inbox-desktop.png"), full_page=True)
    no_serious_a11y(officer, "inbox")
    officer.get_by_role("link", name=code).click()
    hand_over(officer, staff["truongphong"], note="Hồ sơ hợp lệ, đề nghị cấp phiếu.")

    # --- the department head opens it with the barcode reader, passes it to the leaders' pool -----------
    head = sign_in(new_page, base, "truongphong")
    open_by_barcode(head, base, code)
    hand_over(head)  # to the role pool of leaders

    # --- the leader approves ------------------------------------------------------------------------------
    leader = sign_in(new_page, base, "lanhdao", device=TABLET)
    leader.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-inbox-tablet.png"), full_page=True)
    leader.get_by_role("link", name=code).click()
    leader.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-dossier-tablet.png"), full_page=True)
    hand_over(leader, staff["vanthu"], note="Đồng ý ký duyệt.")

    # --- the clerk attaches the signed result and completes ----------------------------------------------
    clerk = sign_in(new_page, base, "vanthu")
    open_by_barcode(clerk, base, code)
    clerk.set_input_files("#result_files-files", files=[
        {"name": "phieu-lltp-so-1.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    clerk.get_by_role("button", name="Tải lên tệp kết quả").click()
    clerk.wait_for_load_state()
    assert "Đã lưu 1 tệp" in clerk.locator(".bo-messages").inner_text()
    clerk.locator("#thao-tac-complete").get_by_role("button", name="Hoàn thành xử lý").click()
    clerk.wait_for_load_state()
    assert "Đã hoàn thành xử lý" in clerk.locator(".bo-messages").inner_text()

    # --- the counter returns the result ------------------------------------------------------------------
    counter.get_by_role("link", name="Trả kết quả", exact=True).click()
    counter.wait_for_url(re.compile(r"/can-bo/tra-ket-qua/$"))
    assert code in counter.locator("main").inner_text()
    box = counter.get_by_label("Mã hồ sơ trên giấy tiếp nhận")
    box.fill(code)
    box.press("Enter")
    counter.wait_for_url(re.compile(re.escape(f"/can-bo/ho-so/{code}/") + "$"))
    panel = counter.locator("#thao-tac-return_result")
    panel.get_by_label("Đã đối chiếu bản chính với các tệp đã nộp").check()
    panel.get_by_label("Người nhận đã ký nhận kết quả").check()
    panel.get_by_label("Phí, lệ phí thu khi trả (đồng)").fill("200000")
    panel.get_by_label("Số biên lai").fill("BL-000123")
    panel.get_by_role("button", name="Xác nhận đã trả kết quả").click()
    counter.wait_for_load_state()
    assert "Đã trả kết quả hồ sơ" in counter.locator(".bo-messages").inner_text()
    assert "10. Đã trả kết quả" in counter.locator(".bo-summary").inner_text()
    sheet = counter.locator("#s-events ~ .table-wrap").inner_text()
    for name in ("Nguyễn Thị Tiếp Nhận", "Trần Văn Chuyên", "Lê Thị Trưởng", "Phạm Văn Lãnh", "Võ Thị Văn"):
        assert name in sheet
    assert "BL-000123" in sheet

    # --- the public tracking shows every step -------------------------------------------------------------
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.originals_checked, dossier.applicant_signed) == (10, True, True)
    assert dossier.fee_collected == 200000 and dossier.receipt_number == "BL-000123"
    step_names = [s.name for s in dossier.case.steps.order_by("order", "id")]
    public = new_page(**DESKTOP)
    response = public.goto(f"{base}/tra-cuu/{code}?key={dossier.tracking_key}")
    if response is not None and response.status == 200:
        text = public.locator("main").inner_text()
        for name in step_names:
            assert name in text
    else:
        # The tracking page is not there yet: the public tracking API shows the same steps.
        with urllib.request.urlopen(f"{base}/api/v1/track/{code}?key={dossier.tracking_key}") as answer:  # noqa: S310
            body = json.load(answer)
        assert body["status_code"] == 10
        assert [s["name"] for s in body["steps"]] == step_names
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/api/v1/track/{code}?key=wrong")  # noqa: S310


def test_it_keeps_what_was_typed_when_a_scan_is_refused_on_a_tablet(site, staff, new_page):
    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier

    base = site.url
    form_component, id_component = list(Procedure.objects.get(code=CODE).published.components.order_by("order", "id"))
    page = sign_in(new_page, base, "tiepnhan", device=TABLET)
    page.goto(f"{base}/can-bo/tiep-nhan/{CODE}/")
    page.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Trần Thị Bình")
    page.get_by_label("Số định danh cá nhân / mã số thuế").fill("0960900012")
    page.get_by_label("Địa chỉ").fill("Xã Lý Văn Lâm")
    page.set_input_files(f"#files-{form_component.pk}", files=[
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": b"this is not a pdf"}])
    page.set_input_files(f"#files-{id_component.pk}", files=[
        {"name": "cccd.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator(f"#present-{form_component.pk}").check()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    text = summary.inner_text()
    assert "Tệp «to-khai.pdf» không phải PDF, JPEG, PNG hay TIFF" in text
    assert "phải gồm đúng 12 chữ số" in text
    assert page.get_by_label("Họ và tên (hoặc tên tổ chức)").input_value() == "Trần Thị Bình"
    assert page.get_by_label("Địa chỉ").input_value() == "Xã Lý Văn Lâm"
    assert page.locator(f"#present-{form_component.pk}").is_checked()
    assert page.get_by_label(re.compile("cccd.png")).is_checked()  # kept, not asked again
    page.screenshot(path=str(SCREENSHOT_DIR / "motcua-bo-reception-errors-tablet.png"), full_page=True)
    no_serious_a11y(page, "reception with errors")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name=re.compile("12 chữ số")).click()
    assert page.evaluate("document.activeElement.name") == "id_number"

    page.get_by_label("Số định danh cá nhân / mã số thuế").fill("096090001299")
    page.set_input_files(f"#files-{form_component.pk}", files=[
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    # (the browser keeps the #fragment of the summary link across the redirect)
    page.wait_for_url(re.compile(r"/can-bo/ho-so/[^/]+/(#.*)?$"))
    dossier = Dossier.objects.get(applicant_id_number="096090001299")
    assert sorted(dossier.files.values_list("original_name", flat=True)) == ["cccd.png", "to-khai.pdf"]


def test_it_receives_at_the_counter_without_javascript(site, staff, new_page):
    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier

    base = site.url
    form_component, id_component = list(Procedure.objects.get(code=CODE).published.components.order_by("order", "id"))
    page = new_page(java_script_enabled=False, **DESKTOP)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{base}/can-bo/tiep-nhan/{CODE}/")
    page.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Lê Văn Cường")
    page.get_by_label("Số định danh cá nhân / mã số thuế").fill("096090001277")
    page.set_input_files(f"#files-{form_component.pk}", files=[
        {"name": "trang-1.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "trang-2.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.locator(f"#present-{form_component.pk}").check()
    page.locator(f"#present-{id_component.pk}").check()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_url(re.compile(r"/can-bo/ho-so/[^/]+/$"))
    dossier = Dossier.objects.get(applicant_id_number="096090001277")
    assert dossier.status == 2 and dossier.files.count() == 2
