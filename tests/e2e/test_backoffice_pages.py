"""Every back-office page, in several states, on a desktop and a tablet: no serious or critical
accessibility violation (axe-core, WCAG 2.1 A/AA), and nothing wider than the screen."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tests.answers import valid_answers
from tests.backoffice.conftest import PDF

from .conftest import SCREENSHOT_DIR, run_axe
from .test_backoffice_journey import DESKTOP, PASSWORD, TABLET

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(site):
    """A receptionist who is also an officer and an admin at the Tân Thành ward, with dossiers
    in several states (online waiting, received, late, in processing with files, completed)."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions

    ward = Agency.objects.get(unit_code="000.21.01.H12")
    staff = User.objects.create_user("canbo", password=PASSWORD, full_name="Đỗ Thị Cán Bộ")
    for role in ("receptionist", "officer", "leader", "clerk", "agency_admin"):
        Membership.objects.create(user=staff, agency=ward, role=role)
    Membership.objects.create(user=staff, agency=Agency.objects.get(unit_code="000.22.01.H12"), role="officer")
    citizen = User.objects.create_user("congdan")
    birth = Procedure.objects.get(code="1.001193").published
    person = actions.Applicant(name="Nguyễn Văn An", id_number="096090001234", phone="0912345678",
                               address="Phường Tân Thành")
    online = actions.create_dossier(actor=citizen, version=birth, channel=2, applicant=person,
                                    form_data=valid_answers(birth)).dossier
    actions.add_file(online, actor=citizen, upload=io.BytesIO(PDF), name="to-khai.pdf",
                     component=birth.components.order_by("order", "id").first())
    late = actions.create_dossier(actor=staff, version=birth, channel=1, applicant=person,
                                  at=dt.datetime(2026, 3, 9, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))).dossier
    busy = actions.create_dossier(actor=staff, version=birth, channel=1, applicant=person).dossier
    actions.handover(busy, actor=staff)
    done = actions.create_dossier(actor=staff, version=birth, channel=1, applicant=person).dossier
    for _ in range(3):
        actions.handover(done, actor=staff)
    actions.add_file(done, actor=staff, upload=io.BytesIO(PDF), name="ket-qua.pdf", kind="result")
    actions.complete(done, actor=staff)
    return {"online": online.code, "late": late.code, "busy": busy.code, "done": done.code}


PAGES = [
    "/can-bo/", "/can-bo/?scope=all&due=late", "/can-bo/?q=khong-co", "/can-bo/tiep-nhan/",
    "/can-bo/tiep-nhan/?q=khai+sinh", "/can-bo/tiep-nhan/1.001193/", "/can-bo/cho-tiep-nhan/",
    "/can-bo/cho-tiep-nhan/{online}/", "/can-bo/ho-so/{online}/", "/can-bo/ho-so/{late}/", "/can-bo/ho-so/{busy}/",
    "/can-bo/ho-so/{done}/", "/can-bo/tra-ket-qua/", "/can-bo/so-theo-doi/?from=2026-01-01&to=2026-12-31",
]


@pytest.mark.parametrize("device", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_it_has_no_serious_accessibility_violations(site, scene, new_page, device):
    page = new_page(**device)
    page.goto(site.url + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/")
    width = device["viewport"]["width"]
    for n, path in enumerate(PAGES):
        url = site.url + path.format(**scene)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.screenshot(path=str(SCREENSHOT_DIR / f"motcua-bo-page{n:02d}-{width}.png"), full_page=True)
        assert run_axe(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    # The calendar banner reaches the agency admin.
    page.goto(site.url + "/can-bo/")
    assert "chưa được xác nhận" in page.locator(".bo-banner").inner_text()
