"""The leader approves and signs with a personal certificate (#17), in a real browser (PostgreSQL).

The ward's birth registration gets a new version whose leader step is an approval step (catalogue
actions: draft, mark, publish). The officer attaches the result and hands over in the back office
(desktop). On a phone, the leader uploads their personal certificate on «Chứng thư số cá nhân»,
opens the dossier, sees the result's pages as images, types a wrong PIN (an error on the field),
then the right one: «Duyệt và ký số». The clerk completes (desktop): the number and date are
filled and the ward's certificate countersigns. The final PDF has two intact signatures (pyHanko)
and pdfsig names the leader. axe finds no serious or critical violation, phone and desktop."""

from __future__ import annotations

import concurrent.futures
import io
import re
import subprocess

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe
from tests.signing.conftest import minimal_pdf
from tests.signing.personal_ca import LEADER_NAME, PIN, make_ca

pytestmark = pytest.mark.browser

BIRTH = "1.001193"
WARD = "000.21.01.H12"
PASSWORD = "motcua-e2e-pw-2026"


@pytest.fixture
def ward(site, settings, tmp_path):
    from django.core.management import call_command

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog import actions as catalog_actions
    from motcua.catalog.models import Procedure

    settings.MOTCUA_OIDC_ISSUER = ""
    settings.MOTCUA_PUBLIC_URL = site.url
    settings.MOTCUA_SIGNING_CERT_DIR = tmp_path / "certs"
    settings.MOTCUA_SIGNING_TRUST_DEV_CA = True
    authority = make_ca(tmp_path / "personal-ca")
    settings.MOTCUA_SIGNING_PERSONAL_CA = [str(authority.cert_path)]
    settings.MOTCUA_SIGNING_PERSONAL_CRL = str(authority.write_crl())
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(authority.cert_path)]
    settings.DATA_DIR = tmp_path / "data"
    call_command("dev_certificate", "--agency", WARD, stdout=io.StringIO())
    agency = Agency.objects.get(unit_code=WARD)
    people = {}
    for username, role in [("tiepnhan", "receptionist"), ("chuyenvien", "officer"), ("lanhdao", "leader"),
                           ("vanthu", "clerk"), ("quantri", "agency_admin")]:
        people[username] = User.objects.create_user(username, password=PASSWORD, full_name=username.title())
        Membership.objects.create(user=people[username], agency=agency, role=role)

    # The admin's new version: the leader's step is the approval step.
    procedure = Procedure.objects.get(code=BIRTH)
    draft = catalog_actions.start_draft(procedure, actor=people["quantri"])
    steps = list(draft.cases.order_by("order").first().steps.order_by("order"))
    leader_step = next(s for s in steps if s.role == "leader")
    catalog_actions.update_step(draft, leader_step.pk, actor=people["quantri"], name=leader_step.name,
                                role=leader_step.role, quota_hours=leader_step.quota_hours,
                                agency=leader_step.agency, approval=True)
    published = catalog_actions.publish_draft(draft, actor=people["quantri"], note="Bước ký duyệt", levels=False)
    p12, _cert = authority.issue()
    p12_path = tmp_path / "lanh-dao.p12"
    p12_path.write_bytes(p12)
    return {"base": site.url, "people": people, "version": published, "p12": p12_path}


def sign_in(new_page, base: str, username: str, options: dict, next_url: str):
    page = new_page(**options)
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))
    return page


def _validate(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from motcua.signing import certificates

    reader = PdfFileReader(io.BytesIO(data))
    context = ValidationContext(trust_roots=list(certificates.trust_roots()), allow_fetching=False)
    return [validate_pdf_signature(sig, signer_validation_context=context) for sig in reader.embedded_signatures]


def test_the_leader_approves_with_a_personal_certificate(ward, new_page, tmp_path):
    from django.core.files.storage import default_storage
    from pyhanko.sign.diff_analysis import ModificationLevel

    from motcua.dossiers import actions
    from motcua.dossiers.models import Dossier, Event
    from motcua.signing.models import PersonalCertificate, PersonalCertificateUse, SignedResult

    base, people = ward["base"], ward["people"]
    dossier = actions.create_dossier(
        actor=people["tiepnhan"], version=ward["version"], channel=1,
        applicant=actions.Applicant(name="Nguyễn Văn An", id_number="096090001234", phone="0987654321"),
    ).dossier
    actions.handover(dossier, actor=people["tiepnhan"], to_user=people["chuyenvien"])
    code = dossier.code

    # The officer attaches the result and hands over to the leaders' pool (desktop).
    officer = sign_in(new_page, base, "chuyenvien", DESKTOP, "/can-bo/")
    officer.goto(f"{base}/can-bo/ho-so/{code}/")
    result = tmp_path / "giay-khai-sinh.pdf"
    result.write_bytes(minimal_pdf("Giay khai sinh so 12"))
    files = officer.locator("#thao-tac-result_files")
    files.locator("input[type=file]").set_input_files(str(result))
    files.get_by_role("button", name="Tải lên tệp kết quả").click()
    officer.wait_for_load_state()
    assert "Đã lưu 1 tệp" in officer.locator(".bo-messages").inner_text()
    officer.locator("#thao-tac-handover").get_by_role("button", name="Chuyển hồ sơ").click()
    officer.wait_for_load_state()
    assert Dossier.objects.get(pk=dossier.pk).current_step.approval

    # The leader, on a phone: uploads the personal certificate (a wrong password first).
    phone = sign_in(new_page, base, "lanhdao", PHONE, "/can-bo/")
    phone.goto(f"{base}/can-bo/chung-thu-so-ca-nhan/")
    assert run_axe(phone) == []
    phone.get_by_label("Tệp chứng thư số (.p12 hoặc .pfx)").set_input_files(str(ward["p12"]))
    phone.get_by_label("Mật khẩu (PIN) của tệp").fill("sai-mat-khau")
    phone.get_by_role("button", name="Tải lên").click()
    phone.wait_for_load_state()
    assert "Mật khẩu không đúng" in phone.locator("main").inner_text()
    phone.get_by_label("Tệp chứng thư số (.p12 hoặc .pfx)").set_input_files(str(ward["p12"]))
    phone.get_by_label("Mật khẩu (PIN) của tệp").fill(PIN)
    phone.get_by_role("button", name="Tải lên").click()
    phone.wait_for_load_state()
    assert LEADER_NAME in phone.locator("main").inner_text() and "Sẵn sàng ký" in phone.locator("main").inner_text()
    assert run_axe(phone) == []
    phone.screenshot(path=str(SCREENSHOT_DIR / "approval-certificate-phone.png"), full_page=True)
    assert PersonalCertificate.objects.filter(user=people["lanhdao"], active=True).count() == 1

    # The approval section: the result's pages as images, the PIN, «Duyệt và ký số», «Trả lại».
    phone.goto(f"{base}/can-bo/ho-so/{code}/")
    approve = phone.locator("#thao-tac-approve")
    assert "Ký duyệt" in approve.inner_text() and "Nguyễn Văn Lãnh" in approve.inner_text()
    image = approve.locator("img.bo-approve__page").first
    image.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert phone.locator("#thao-tac-return_to_previous").count() == 1
    assert phone.locator("#thao-tac-handover").count() == 0
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    assert run_axe(phone) == []
    phone.screenshot(path=str(SCREENSHOT_DIR / "approval-page-phone.png"), full_page=True)

    approve.get_by_label("Mã PIN chứng thư số cá nhân").fill("000000")
    approve.get_by_role("button", name="Duyệt và ký số").click()
    phone.wait_for_load_state()
    approve = phone.locator("#thao-tac-approve")
    assert "Mã PIN không đúng" in approve.inner_text()
    assert run_axe(phone) == []
    phone.screenshot(path=str(SCREENSHOT_DIR / "approval-wrong-pin-phone.png"), full_page=True)
    assert PersonalCertificateUse.objects.filter(outcome="wrong_pin").count() == 1

    approve.get_by_label("Mã PIN chứng thư số cá nhân").fill(PIN)
    approve.get_by_role("button", name="Duyệt và ký số").click()
    phone.wait_for_load_state()
    assert "Đã duyệt và ký số kết quả" in phone.locator(".bo-messages").inner_text()
    approved = Event.objects.get(dossier_id=dossier.pk, kind="approved")
    assert approved.actor == people["lanhdao"] and approved.data["signer"]["name"] == LEADER_NAME

    # The desktop view of the clerk's page passes axe too; the clerk completes.
    clerk = sign_in(new_page, base, "vanthu", DESKTOP, "/can-bo/")
    clerk.goto(f"{base}/can-bo/ho-so/{code}/")
    assert run_axe(clerk) == []
    clerk.locator("#thao-tac-complete").get_by_role("button", name="Hoàn thành xử lý").click()
    clerk.wait_for_load_state()
    assert "Đã hoàn thành xử lý" in clerk.locator(".bo-messages").inner_text()

    final = SignedResult.objects.get(dossier_id=dossier.pk, role="approval")
    with default_storage.open(final.signed_file.storage_key, "rb") as handle:
        data = handle.read()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's loop runs in this thread
        leader_status, agency_status = pool.submit(_validate, data).result()
    assert leader_status.intact and leader_status.valid and leader_status.docmdp_ok
    assert leader_status.modification_level == ModificationLevel.FORM_FILLING
    assert agency_status.intact and agency_status.valid
    path = tmp_path / "final.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    assert f"Common Name: {LEADER_NAME}" in out
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path),
                    str(SCREENSHOT_DIR / "approval-final")], check=True, timeout=60)


def test_the_approval_page_on_a_desktop_passes_axe(ward, new_page):
    from motcua.dossiers import actions

    people = ward["people"]
    dossier = actions.create_dossier(
        actor=people["tiepnhan"], version=ward["version"], channel=1,
        applicant=actions.Applicant(name="Nguyễn Văn Bình", id_number="096090001235", phone="0987654322"),
    ).dossier
    actions.handover(dossier, actor=people["tiepnhan"], to_user=people["chuyenvien"])
    actions.add_file(dossier, actor=people["chuyenvien"], upload=io.BytesIO(minimal_pdf("Ket qua")),
                     name="ket-qua.pdf", kind="result")
    actions.handover(dossier, actor=people["chuyenvien"])
    desk = sign_in(new_page, ward["base"], "lanhdao", DESKTOP, "/can-bo/")
    desk.goto(f"{ward['base']}/can-bo/ho-so/{dossier.code}/")
    assert "Duyệt và ký số" in desk.locator("#thao-tac-approve").inner_text()
    assert "bạn chưa tải lên chứng thư số cá nhân" in desk.locator("#thao-tac-approve").inner_text()
    assert run_axe(desk) == []
    desk.screenshot(path=str(SCREENSHOT_DIR / "approval-page-desktop.png"), full_page=True)
    desk.goto(f"{ward['base']}/can-bo/chung-thu-so-ca-nhan/")
    assert run_axe(desk) == []
