"""An agency admin changes a procedure with no code, publishes it, and the next online dossier uses it.

The admin of phường Tân Thành signs in, opens the marriage registration (1.000894, level 3, same-day:
4 steps of 1 + 4 + 2 + 1 = 8 working hours), starts a draft, adds a component («Ảnh chân dung»),
creates the e-form and adds a field («Nghề nghiệp»), shortens «Thẩm tra, xử lý» from 4 to 3 hours and
inserts a step «Kiểm tra chéo hồ sơ» of 1 hour (the editor shows the remaining budget: an insertion
before the shortening would be over the legal time), checks the draft (valid, with the diff), and
publishes version 2. A citizen then submits online in the browser: the form asks the new field, the
files step asks the new component, and the dossier is on version 2; a dossier received at the counter
before the change keeps version 1, its case and its four steps. Screenshots go to MOTCUA_SCREENSHOT_DIR."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.submissions.conftest import PNG

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, open_part, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
MARRIAGE = "1.000894"
WARD = "000.21.01.H12"
ADMIN = "/can-bo/quan-tri/"


@pytest.fixture
def people(site, settings):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    ward = Agency.objects.get(unit_code=WARD)
    admin = User.objects.create_user("quantri", password=PASSWORD, full_name="Lê Văn Quản Trị")
    Membership.objects.create(user=admin, agency=ward, role="agency_admin")
    receptionist = User.objects.create_user("tiepnhan", password=PASSWORD, full_name="Nguyễn Thị Tiếp Nhận")
    Membership.objects.create(user=receptionist, agency=ward, role="receptionist")
    citizen = User.objects.create_user(
        "congdan", password=PASSWORD, full_name="Nguyễn Văn Công Dân", id_number="096090001234",
        date_of_birth=dt.date(1990, 5, 17), address="Khóm 2, Phường Tân Thành, tỉnh Cà Mau",
        phone="0912345678", email="congdan@example.invalid",
    )
    return {"admin": admin, "receptionist": receptionist, "citizen": citizen}


def sign_in(new_page, base: str, username: str, next_url: str, device=DESKTOP, **options):
    page = new_page(**device, **options)
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOT_DIR / f"admin-journey-{name}.png"), full_page=True)


def message(page) -> str:
    return page.locator(".bo-messages").inner_text()


def tab(page, label: str) -> None:
    page.locator(".adm-tabs").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def test_an_agency_admin_changes_a_procedure_and_new_dossiers_use_it(site, people, new_page, tmp_path):
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions
    from motcua.dossiers.models import Dossier

    base = site.url
    v1 = Procedure.objects.get(code=MARRIAGE).published
    v1_case = v1.cases.get()
    v1_steps = list(v1_case.steps.order_by("order").values_list("name", "quota_hours"))
    assert [str(h) for _n, h in v1_steps] == ["0.25", "1.00", "0.50", "0.25"]
    received = actions.create_dossier(
        actor=people["receptionist"], version=v1, channel=1,
        applicant=actions.Applicant(name="Trần Thị Bình", id_number="096190004321", phone="0912345679",
                                    email="", address="Phường Tân Thành, Cà Mau"),
    ).dossier

    # --- the admin opens the procedure and starts a draft -----------------------------------------------
    page = sign_in(new_page, base, "quantri", ADMIN)
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.get_by_role("link", name=re.compile("Đăng ký kết hôn")).first.click()
    page.wait_for_url(re.compile(re.escape(f"{ADMIN}thu-tuc/{MARRIAGE}/") + "$"))
    page.get_by_role("button", name="Tạo bản nháp để sửa").click()
    page.wait_for_load_state()
    assert "Đã tạo bản nháp phiên bản 2" in message(page)

    # --- a component ---------------------------------------------------------------------------------------
    tab(page, "Thành phần hồ sơ")
    page.locator("main").get_by_role("link", name=re.compile("^Thêm ")).first.click()
    page.get_by_label("Tên giấy tờ").fill("Ảnh chân dung 4x6 của hai bên")
    page.locator("main form.panel").get_by_role("button", name=re.compile("^Thêm ")).click()
    page.wait_for_load_state()
    assert "Ảnh chân dung 4x6 của hai bên" in page.locator("main table").inner_text()

    # --- the e-form and a field ------------------------------------------------------------------------------
    tab(page, "Biểu mẫu điện tử")
    page.get_by_label("Bắt đầu với các trường của đơn đề nghị chung").uncheck()
    page.get_by_role("button", name="Tạo biểu mẫu").click()
    page.wait_for_load_state()
    page.locator("main").get_by_role("link", name="Thêm trường").first.click()
    page.get_by_label("Văn bản một dòng").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state()
    page.get_by_label("Câu hỏi (nhãn người dân thấy)").fill("Nghề nghiệp hiện nay")
    page.get_by_label("Mã trường").fill("nghe_nghiep")
    page.get_by_label("Bắt buộc phải điền").check()
    page.locator("#field-form").get_by_role("button", name="Thêm trường").click()
    page.wait_for_load_state()
    assert "Nghề nghiệp hiện nay" in page.locator("main").inner_text()
    shot(page, "1-eform")

    # --- the workflow: shorten one step, then insert another -------------------------------------------------
    tab(page, "Quy trình xử lý")
    assert "Còn lại 0 giờ làm việc" in page.locator("#ngan-sach").inner_text()
    page.locator("tr", has_text="Thẩm tra, xử lý").get_by_role("link", name=re.compile("^Sửa")).click()
    page.wait_for_url(re.compile(r"/quy-trinh/buoc/\d+/$"))
    page.get_by_label("Số giờ hoặc số ngày").fill("0.5")
    page.get_by_role("button", name="Lưu bước").click()
    page.wait_for_load_state()
    assert "Còn lại 0.5 giờ làm việc" in page.locator("#ngan-sach").inner_text()
    page.locator("tr", has_text="Ký duyệt").get_by_role("link", name=re.compile("^Chèn bước trước")).click()
    form = page.locator("#them-buoc form")
    form.get_by_label("Tên bước").fill("Kiểm tra chéo hồ sơ")
    form.get_by_label("Vai trò thực hiện").select_option("officer")
    form.get_by_label("Số giờ hoặc số ngày").fill("0.5")
    form.get_by_role("button", name="Thêm bước").click()
    page.wait_for_load_state()
    steps = page.locator("#cac-buoc tbody tr").all_inner_texts()
    assert [s.split("\t")[1].strip() for s in steps] == [
        "Tiếp nhận hồ sơ", "Thẩm tra, xử lý", "Kiểm tra chéo hồ sơ", "Ký duyệt", "Vào sổ, trả kết quả"]
    assert "Còn lại 0 giờ làm việc" in page.locator("#ngan-sach").inner_text()
    shot(page, "2-workflow")

    # --- check and publish -------------------------------------------------------------------------------------
    tab(page, "Kiểm tra và công bố")
    check = page.locator("main").inner_text()
    assert "Bản nháp hợp lệ" in check
    for text in ("Ảnh chân dung 4x6 của hai bên", "Nghề nghiệp hiện nay", "Kiểm tra chéo hồ sơ", "0,5 giờ làm việc"):
        assert text in check, text
    shot(page, "3-check")
    # axe is injected as an inline script, which the Content-Security-Policy forbids: a second
    # context that bypasses CSP runs it on the same page.
    audit = sign_in(new_page, base, "quantri", f"{ADMIN}thu-tuc/{MARRIAGE}/ban-nhap/kiem-tra/")
    assert run_axe(audit) == []
    page.get_by_label("Nội dung thay đổi").fill("Thêm ảnh chân dung, nghề nghiệp; thêm bước kiểm tra chéo")
    page.get_by_role("button", name="Công bố phiên bản 2").click()
    page.wait_for_url(re.compile(re.escape(f"{ADMIN}thu-tuc/{MARRIAGE}/") + "$"))
    assert "Đã công bố phiên bản 2" in message(page)
    assert csp_errors == []  # the admin pages need no inline script or style
    v2 = Procedure.objects.get(code=MARRIAGE).published
    assert v2.number == 2 and v2.pk != v1.pk

    # --- a citizen submits online: the new field and the new component are asked -------------------------
    phone = sign_in(new_page, base, "congdan", f"/nop-ho-so/{MARRIAGE}/", device=PHONE)
    job = phone.get_by_label(re.compile("Nghề nghiệp hiện nay"))  # on the page to fill, in its part
    open_part(phone, job)
    job.fill("Giáo viên")
    open_part(phone, "[data-slot]")
    photo = tmp_path / "anh-chan-dung.png"
    photo.write_bytes(PNG)
    slot = phone.locator("[data-slot]").filter(has_text="Ảnh chân dung 4x6 của hai bên")
    slot.locator("input[type=file]").set_input_files(str(photo))
    expect(phone.locator(".file-item.is-done")).to_have_count(1)  # (no wait_for_function: CSP forbids eval)
    phone.get_by_role("button", name="Xem lại hồ sơ").click()
    phone.wait_for_url(re.compile(r"/xem-lai/$"))
    phone.get_by_text("Xem các mục đã khai dạng danh sách").click()
    review = phone.locator("main").inner_text()
    assert "Giáo viên" in review and "anh-chan-dung.png" in review
    phone.get_by_label(re.compile("Tôi cam đoan")).check()
    phone.get_by_role("button", name="Nộp hồ sơ").click()
    phone.wait_for_url(re.compile(r"/nop-ho-so/da-nop/"))
    code = phone.locator("[data-dossier-code]").inner_text().strip()
    shot(phone, "4-submitted")

    new = Dossier.objects.select_related("case").get(code=code)
    assert new.channel == 2 and new.procedure_version_id == v2.pk and new.case.version_id == v2.pk
    assert new.form_data.get("nghe_nghiep") == "Giáo viên"
    assert new.files.filter(component__name="Ảnh chân dung 4x6 của hai bên", original_name="anh-chan-dung.png").exists()
    assert list(new.case.steps.order_by("order").values_list("name", flat=True))[2] == "Kiểm tra chéo hồ sơ"

    # --- the dossier received before keeps version 1 --------------------------------------------------------
    received.refresh_from_db()
    assert received.procedure_version_id == v1.pk and received.case_id == v1_case.pk
    assert list(received.case.steps.order_by("order").values_list("name", "quota_hours")) == v1_steps


def test_an_admin_of_another_agency_is_refused_in_the_browser(site, people, new_page):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    other = User.objects.create_user("quantri2", password=PASSWORD, full_name="Quản trị xã khác")
    Membership.objects.create(user=other, agency=Agency.objects.get(unit_code="000.22.01.H12"), role="agency_admin")
    page = sign_in(new_page, site.url, "quantri2", ADMIN)
    response = page.goto(f"{site.url}{ADMIN}thu-tuc/{MARRIAGE}/ban-nhap/kiem-tra/")
    assert response.status == 403
    assert "cơ quan mình" in page.locator("main").inner_text()


def test_the_publishing_pages_are_accessible(site, people, new_page):
    """The service level page (with what is missing), a refused raise, the retire confirmation and the
    import page with a file's errors pass axe (WCAG 2.1 AA); axe needs CSP bypassed to be injected."""
    base = site.url
    page = sign_in(new_page, base, "quantri", ADMIN)
    page.goto(f"{base}{ADMIN}thu-tuc/{MARRIAGE}/muc-do/")
    assert "Còn thiếu" in page.locator("main").inner_text()
    assert run_axe(page) == []
    page.get_by_label("Mức độ 4: trực tuyến toàn trình").check()
    page.get_by_role("button", name="Tạo bản nháp và đặt mức độ").click()
    page.wait_for_load_state()
    assert "Chưa nâng được lên mức độ 4" in page.locator("main").inner_text()
    assert page.get_by_label("Mức độ 4: trực tuyến toàn trình").is_checked()
    assert run_axe(page) == []
    shot(page, "5-level")
    page.goto(f"{base}{ADMIN}thu-tuc/{MARRIAGE}/phien-ban/1/ngung/")
    assert run_axe(page) == []
    page.goto(f"{base}{ADMIN}nhap-xuat/")
    page.get_by_label("Tệp danh mục (JSON)").set_input_files(
        files=[{"name": "hong.json", "mimeType": "application/json", "buffer": b'{"procedures": [{"code": "1.x"}]}'}])
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "hong.json" in text and "không có gì được ghi" in text
    assert run_axe(page) == []
    shot(page, "6-import-errors")
