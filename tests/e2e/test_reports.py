"""The reports in a browser: the dashboard draws its charts from its tables (Chart.js, no inline
script), numbers open the drill-down, the indicators and bottlenecks pages and /minh-bach/ pass
axe-core (WCAG 2.1 A/AA) on a desktop and a phone without horizontal scrolling."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import PHONE, SCREENSHOT_DIR, run_axe
from .test_backoffice_journey import DESKTOP, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(site):
    """A supervisor of the province, and dossiers of the ward this month: one late, one in progress,
    one finished."""
    from django.utils import timezone

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions

    ward = Agency.objects.get(unit_code="000.21.01.H12")
    staff = User.objects.create_user("canbo", full_name="Đỗ Thị Cán Bộ")
    for role in ("receptionist", "officer", "leader", "clerk"):
        Membership.objects.create(user=staff, agency=ward, role=role)
    boss = User.objects.create_user("giamsat", password=PASSWORD, full_name="Lê Văn Giám Sát")
    Membership.objects.create(user=boss, agency=Agency.objects.get(unit_code="000.00.00.H12"), role="supervisor")
    birth = Procedure.objects.get(code="1.001193").published
    person = actions.Applicant(name="Nguyễn Văn An", id_number="096090001234", address="Phường Tân Thành")
    first = timezone.localtime().replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    late = actions.create_dossier(actor=staff, version=birth, channel=1, applicant=person, at=first).dossier
    busy = actions.create_dossier(actor=staff, version=birth, channel=1, applicant=person).dossier
    actions.handover(busy, actor=staff)
    actions.create_dossier(actor=staff, version=birth, channel=1, applicant=person,
                           at=first + dt.timedelta(minutes=5))
    return {"late": late.code, "busy": busy.code}


PAGES = ["/can-bo/thong-ke/", "/can-bo/thong-ke/chi-so/", "/can-bo/thong-ke/diem-nghen/?ky=nam",
         "/can-bo/thong-ke/ho-so/?ky=thang&chi_so=received", "/can-bo/thong-ke/?tu=2026-03-31&den=2026-03-01",
         "/can-bo/thong-ke/ho-so/"]


def sign_in(page, base: str) -> None:
    page.goto(base + "/dang-nhap/?next=/can-bo/thong-ke/")
    page.get_by_label("Tên đăng nhập").fill("giamsat")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/thong-ke/")


def test_the_charts_draw_under_the_content_security_policy(site, scene, new_page):
    page = new_page(**DESKTOP)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    sign_in(page, site.url)
    # Charts are drawn from the tables, which stay for screen readers and carry the links.
    page.wait_for_selector(".rp-chart canvas")
    assert page.locator(".rp-chart canvas").count() >= 2
    assert page.locator("table[data-chart]").count() == 3
    assert problems == []
    # A number opens the dossiers behind it.
    page.locator('a[data-metric="open_late"]').first.click()
    page.wait_for_url("**/thong-ke/ho-so/**")
    assert scene["late"] in page.content() and scene["busy"] not in page.content()


def test_the_drilldown_opened_bare_lets_one_choose_a_figure(site, scene, new_page):
    page = new_page(**PHONE)
    sign_in(page, site.url)
    page.goto(site.url + "/can-bo/thong-ke/ho-so/")
    main = page.locator("main").inner_text()
    assert "Chọn số liệu cần xem danh sách hồ sơ" in main and "tham số" not in main and "chi_so" not in main
    page.get_by_role("link", name="Đang xử lý, quá hạn").click()
    page.wait_for_url("**/thong-ke/ho-so/?**chi_so=open_late**")
    assert scene["late"] in page.content() and scene["busy"] not in page.content()


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_reports_are_accessible(site, scene, new_page, device):
    # axe-core is injected as an inline script: this context alone bypasses the CSP.
    page = new_page(**device)
    sign_in(page, site.url)
    width = device["viewport"]["width"]
    for n, path in enumerate(PAGES):
        response = page.goto(site.url + path)
        assert response is not None and response.status == 200, path
        page.screenshot(path=str(SCREENSHOT_DIR / f"motcua-reports-{n:02d}-{width}.png"), full_page=True)
        assert run_axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    public = new_page(**device)
    public.goto(site.url + "/minh-bach/")
    assert "Ủy ban nhân dân phường Tân Thành" in public.content()
    assert run_axe(public) == []
    assert public.evaluate("document.documentElement.scrollWidth") <= width
