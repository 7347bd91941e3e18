"""The official forms in a real browser (#17): Sở Tư pháp's leader extends a criminal-record dossier
and form 04 names the head of Sở Tư pháp (from its settings), not the leader who clicked; the
counter reprints form 01 after a back-dated dossier was imported, and its number has not moved."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata

import pytest
from django.utils import timezone

from .conftest import SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode())


@pytest.fixture
def setting(site):
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    centre = Agency.objects.get(unit_code="000.00.01.H12")
    justice = Agency.objects.get(unit_code="000.00.15.H12")
    Agency.objects.filter(pk=justice.pk).update(head_name="Đỗ Minh Giám", head_title="Giám đốc", abbreviation="STP")
    people = {}
    for username, full_name, agency, role in [
        ("tiepnhan", "Nguyễn Thị Tiếp Nhận", centre, "receptionist"),
        ("lanhdao", "Phạm Văn Lãnh", justice, "leader"),
        ("quantri", "Hồ Thị Quản", justice, "agency_admin"),
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


def criminal_record(receptionist, at: dt.datetime):
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions
    from tests.dossiers.conftest import applicant

    version = Procedure.objects.get(code="2.000488").published
    return actions.create_dossier(actor=receptionist, version=version, channel=1, applicant=applicant(), at=at).dossier


def test_form_04_names_the_head_and_form_01_keeps_its_number(site, setting, new_page, tmp_path):
    from motcua.dossiers import actions

    now = timezone.now()
    d = criminal_record(setting["tiepnhan"], now - dt.timedelta(minutes=30))
    actions.handover(d, actor=setting["tiepnhan"], at=now - dt.timedelta(minutes=20))  # to Sở Tư pháp
    base = site.url

    # The counter prints form 01: its number, given at reception.
    counter = sign_in(new_page, base, "tiepnhan")
    counter.goto(f"{base}/can-bo/ho-so/{d.code}/")
    link = counter.locator('a[data-form="01"]')
    first = pdf_text(counter.request.get(base + link.get_attribute("href")).body(), tmp_path)
    number = re.search(r"Số: (\d+)/TNHS", first).group(1)

    # A paper dossier received last week is typed in now (back-dated): it takes the next number.
    earlier_at = now - dt.timedelta(days=7)
    if timezone.localtime(earlier_at).year != timezone.localtime(now).year:  # the first days of January
        earlier_at = now - dt.timedelta(hours=1)
    earlier = criminal_record(setting["tiepnhan"], earlier_at)
    assert earlier.reception_number == int(number) + 1
    counter.reload()
    again = pdf_text(counter.request.get(base + link.get_attribute("href")).body(), tmp_path)
    assert f"Số: {number}/TNHS" in again and f"Số thứ tự: {number}" in again

    # Sở Tư pháp's leader extends on a phone; form 04 is signed by the head of Sở Tư pháp.
    leader = sign_in(new_page, base, "lanhdao", PHONE)
    leader.goto(f"{base}/can-bo/ho-so/{d.code}/")
    panel = leader.locator("#thao-tac-extend")
    panel.locator("summary").click()
    new_due = timezone.localtime(d.due_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    panel.get_by_label("Thời hạn trả kết quả mới").fill(new_due)
    panel.get_by_label("Lý do chậm và lời xin lỗi").fill("Chờ kết quả xác minh của Công an tỉnh")
    panel.get_by_role("button", name="Gia hạn").click()
    leader.wait_for_load_state()
    assert "Đã gia hạn hồ sơ" in leader.locator(".bo-messages").inner_text()
    assert run_axe(leader) == []
    href = leader.locator('a[data-form="04"]').get_attribute("href")
    letter = pdf_text(leader.request.get(base + href).body(), tmp_path)
    flat = " ".join(letter.split())
    assert "GIÁM ĐỐC" in flat and "Đỗ Minh Giám" in flat
    assert "Phạm Văn Lãnh" not in flat  # never the leader who clicked
    assert "Số: 1/STP" in flat and "Sở Tư pháp thành thật xin lỗi" in flat
    assert "Chờ kết quả xác minh của Công an tỉnh" in flat


def test_the_ledger_and_the_agency_settings_on_a_phone(site, setting, new_page):
    """The ledger page names the book it prints; the admin sets who signs. Both pass axe at 390 px."""
    criminal_record(setting["tiepnhan"], timezone.now() - dt.timedelta(minutes=5))
    base = site.url
    counter = sign_in(new_page, base, "tiepnhan", PHONE)
    counter.goto(base + "/can-bo/so-theo-doi/")
    assert "Sổ của Trung tâm Phục vụ hành chính công tỉnh Cà Mau" in counter.locator("main").inner_text()
    assert counter.locator('a[data-form="07"]').get_attribute("href").count("agency=") == 1
    counter.screenshot(path=str(SCREENSHOT_DIR / "h17-ledger-phone.png"), full_page=True)
    assert run_axe(counter) == []
    admin = sign_in(new_page, base, "quantri", PHONE)
    admin.goto(base + "/can-bo/quan-tri/co-quan/giay-to/")
    assert admin.get_by_label("Họ tên thủ trưởng").input_value() == "Đỗ Minh Giám"
    admin.get_by_label("Địa danh").fill("Cà Mau")
    admin.get_by_role("button", name="Lưu thiết lập", exact=True).click()
    admin.wait_for_load_state()
    assert "Đã lưu thiết lập giấy tờ" in admin.locator("main").inner_text()
    admin.screenshot(path=str(SCREENSHOT_DIR / "h17-agency-forms-phone.png"), full_page=True)
    assert run_axe(admin) == []
