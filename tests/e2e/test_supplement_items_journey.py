"""A two-item supplement end to end (#17): the officer, at a desk, asks for one component of the
procedure and one free item, each with its reason; the citizen sees two upload boxes with their
reasons on a phone and uploads both; the officer sees the files; form 02 prints both items with
every column filled (pdftotext). No serious or critical axe violation, on desktop and phone."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from tests.citizen.helpers import PDF, fresh, received
from tests.dossiers.conftest import PASSWORD, people  # noqa: F401  (fixture)

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

REASON_1 = "Ảnh chụp bị mờ, không đọc được số"
FREE_ITEM, REASON_2 = "Giấy xác nhận cư trú", "Cần bản do công an xã cấp"


def sign_in(page, base: str, username: str, landing: str) -> None:
    page.goto(base + f"/dang-nhap/?next={landing}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf"{re.escape(landing)}$"))


def layout_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "form-02.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode())


def test_two_items_each_with_its_reason_from_the_desk_to_the_phone_and_form_02(site, people, new_page,  # noqa: F811
                                                                               tmp_path):
    from motcua.dossiers import actions

    d = received(people)
    actions.handover(d, actor=people.receptionist, to_user=people.officer)
    components = list(d.procedure_version.components.order_by("order", "id"))
    birth_paper = components[1]
    base = site.url

    officer = new_page(**DESKTOP)
    sign_in(officer, base, people.officer.username, "/can-bo/")
    officer.goto(base + f"/can-bo/ho-so/{d.code}/")
    officer.locator("#thao-tac-request_supplement summary").click()
    panel = officer.locator("#thao-tac-request_supplement")
    panel.locator(f"#id_request_supplement-c{birth_paper.pk}").check()
    panel.locator(f"#id_request_supplement-c{birth_paper.pk}_reason").fill(REASON_1)
    panel.get_by_label("Giấy tờ khác 1", exact=True).fill(FREE_ITEM)
    panel.get_by_label("Nội dung cần bổ sung của giấy tờ khác 1").fill(REASON_2)
    officer.screenshot(path=str(SCREENSHOT_DIR / "k4-supplement-request-desktop.png"), full_page=True)
    assert run_axe(officer) == []
    panel.get_by_role("button", name="Gửi yêu cầu bổ sung (mẫu 02)").click()
    officer.wait_for_url(re.compile(rf"/can-bo/ho-so/{re.escape(d.code)}/$"))
    assert "Đã yêu cầu bổ sung" in officer.locator("main").inner_text()
    assert run_axe(officer) == []
    items = fresh(d).events.get(kind="supplement_requested").data["items"]
    assert [(i["component"], i["reason"]) for i in items] == [(birth_paper.pk, REASON_1), (None, REASON_2)]

    # Form 02, as the officer prints it: both items, every column filled.
    href = officer.locator('a[data-form="02"]').get_attribute("href")
    layout = layout_text(officer.request.get(base + href).body(), tmp_path)
    flat = " ".join(layout.split())
    for header in ("TT", "Thành phần hồ sơ cần bổ", "Loại giấy tờ", "Số lượng", "Nội dung cần bổ sung"):
        assert header in flat, header
    rows = {int(m.group(1)): re.split(r"\s{2,}", m.group(0).strip())
            for m in re.finditer(r"(?m)^\s*([1-2])\s{2,}\S.*$", layout)}
    assert sorted(rows) == [1, 2], layout
    assert all(len(columns) == 5 and all(columns) for columns in rows.values()), rows
    assert rows[1][2:4] == [birth_paper.get_paper_display(), f"{birth_paper.copies:02d}"]
    assert rows[1][4].startswith("Ảnh chụp bị mờ") and rows[2][1:4] == [FREE_ITEM, "—", "—"]
    assert rows[2][4].startswith("Cần bản do công an")
    assert re.search(r"Số: \d+/HDHS", flat) and re.search(r"Cà Mau, ngày \d\d tháng \d\d? năm \d{4}", flat)

    citizen = new_page(**PHONE)
    sign_in(citizen, base, people.citizen.username, "/ho-so-cua-toi/")
    citizen.goto(base + f"/ho-so-cua-toi/{d.code}/")
    box = citizen.locator("#bo-sung")
    assert box.locator("fieldset.supply-row").count() == 2
    text = box.inner_text()
    assert REASON_1 in text and REASON_2 in text and FREE_ITEM in text
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    citizen.screenshot(path=str(SCREENSHOT_DIR / "k4-supplement-items-phone.png"), full_page=True)
    assert run_axe(citizen) == []
    first, second = tmp_path / "chung-sinh-ro.pdf", tmp_path / "xac-nhan-cu-tru.pdf"
    first.write_bytes(PDF)
    second.write_bytes(PDF)
    citizen.set_input_files("#tep-1", str(first))
    citizen.set_input_files("#tep-2", str(second))
    citizen.locator("#giay-to-2").select_option(str(components[0].pk))
    citizen.get_by_role("button", name="Nộp bổ sung và gửi lại hồ sơ").click()
    citizen.wait_for_url(re.compile(rf"/ho-so-cua-toi/{re.escape(d.code)}/$"))
    assert "Đã nộp bổ sung 2 tệp" in citizen.locator("main").inner_text()
    assert run_axe(citizen) == []

    # The officer sees the two files on the dossier page.
    officer.goto(base + f"/can-bo/ho-so/{d.code}/")
    main = officer.locator("main").inner_text()
    assert "chung-sinh-ro.pdf" in main and "xac-nhan-cu-tru.pdf" in main
    assert fresh(d).status == 4
    assert run_axe(officer) == []
