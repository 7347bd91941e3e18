"""Who gets into the back office, and which dossiers they may open."""

from __future__ import annotations

import pytest

from .conftest import BIRTH, BUILDING, add_component_file, counter_dossier

PAGES = ["/can-bo/", "/can-bo/tiep-nhan/", "/can-bo/cho-tiep-nhan/", "/can-bo/tra-ket-qua/", "/can-bo/so-theo-doi/"]


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_the_sign_in_page(client, url, db):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_it_refuses_citizens_and_staff_whose_roles_ended(people, login, url):
    for user in (people.citizen, people.inactive):
        response = login(user).get(url)
        assert response.status_code == 403
        assert "dành cho cán bộ" in response.content.decode()


def test_it_lets_an_officer_in_but_not_into_the_counter(people, login):
    c = login(people.officer)
    assert c.get("/can-bo/").status_code == 200
    assert c.get("/can-bo/so-theo-doi/").status_code == 200
    response = c.get("/can-bo/tiep-nhan/")
    assert response.status_code == 403
    assert "Chỉ cán bộ một cửa" in response.content.decode()
    assert c.get(f"/can-bo/tiep-nhan/{BIRTH}/").status_code == 403
    assert c.get("/can-bo/cho-tiep-nhan/").status_code == 403
    # The nav shows an officer only what they use.
    page = c.get("/can-bo/").content.decode()
    assert "Hộp hồ sơ" in page and "Sổ theo dõi" in page and 'href="/can-bo/tiep-nhan/"' not in page


def test_it_hides_other_agencies_dossiers_with_a_404(people, login):
    mine = counter_dossier(people, BIRTH)
    file = add_component_file(mine, people.receptionist)
    theirs = counter_dossier(people, BUILDING)
    c = login(people.other_officer)
    assert c.get(f"/can-bo/ho-so/{mine.code}/").status_code == 404
    assert c.get(f"/can-bo/ho-so/{mine.code}/tep/{file.pk}/").status_code == 404
    response = c.post(f"/can-bo/ho-so/{mine.code}/thao-tac/handover/", {"handover-version": mine.version})
    assert response.status_code == 404
    assert c.get(f"/can-bo/ho-so/{theirs.code}/").status_code == 200
    # Its own receptionist, and an unknown code.
    assert login(people.receptionist).get(f"/can-bo/ho-so/{theirs.code}/").status_code == 404
    assert login(people.receptionist).get("/can-bo/ho-so/khong-co-ma-nay/").status_code == 404
    for url in ("/can-bo/ho-so/%00/", "/can-bo/ho-so/%00/tep/1/", "/can-bo/cho-tiep-nhan/%00/"):
        assert c.get(url).status_code == 404


def test_it_lets_a_supervisor_see_the_agencies_below_read_only(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.supervisor)
    response = c.get(f"/can-bo/ho-so/{dossier.code}/")
    assert response.status_code == 200
    assert "Bạn không có thao tác nào" in response.content.decode()
    assert dossier.code in c.get("/can-bo/?scope=all").content.decode()
    # Holding no workflow step, the supervisor's inbox opens on the whole scope.
    assert f'href="/can-bo/ho-so/{dossier.code}/"' in c.get("/can-bo/").content.decode()
    assert f'href="/can-bo/ho-so/{dossier.code}/"' not in c.get("/can-bo/?scope=mine").content.decode()
    response = c.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/handover/",
                      {"handover-version": dossier.version}, follow=True)
    assert "không thực hiện được" in response.content.decode()


def test_it_serves_files_as_attachments_that_browsers_do_not_sniff(people, login):
    dossier = counter_dossier(people, BIRTH)
    file = add_component_file(dossier, people.receptionist, name="tờ khai.pdf")
    response = login(people.officer).get(f"/can-bo/ho-so/{dossier.code}/tep/{file.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert login(people.officer).get(f"/can-bo/ho-so/{dossier.code}/tep/999999/").status_code == 404


def test_it_switches_the_current_agency_for_staff_with_several(people, login):
    from motcua.accounts.models import Membership

    Membership.objects.create(user=people.officer, agency=people.other_commune, role="officer")
    mine = counter_dossier(people, BIRTH)
    other = counter_dossier(people, BUILDING)
    c = login(people.officer)
    page = c.get("/can-bo/?scope=all").content.decode()
    assert mine.code in page and other.code in page and 'id="bo-agency"' in page
    response = c.post("/can-bo/chon-co-quan/", {"agency": people.other_commune.pk, "next": "/can-bo/?scope=all"})
    assert response.status_code == 302 and response["Location"] == "/can-bo/?scope=all"
    page = c.get("/can-bo/?scope=all").content.decode()
    assert other.code in page and mine.code not in page
    # An agency the user is not in, or a foreign "next", are ignored.
    response = c.post("/can-bo/chon-co-quan/", {"agency": people.centre.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/can-bo/"
    assert mine.code in c.get("/can-bo/?scope=all").content.decode()


def test_it_warns_admins_and_supervisors_of_an_unconfirmed_calendar(people, login):
    banner = "chưa được xác nhận"
    assert banner in login(people.admin).get("/can-bo/").content.decode()
    assert banner in login(people.supervisor).get("/can-bo/").content.decode()
    assert banner not in login(people.officer).get("/can-bo/").content.decode()


def test_it_drops_the_warning_once_both_years_are_confirmed(people, login):
    from django.utils import timezone

    from motcua.worktime.models import CalendarYear
    from motcua.worktime.services import clear_cache

    year = timezone.localdate().year
    for y in (year, year + 1):
        CalendarYear.objects.update_or_create(year=y, defaults={"confirmed": True})
    clear_cache()
    assert "chưa được xác nhận" not in login(people.admin).get("/can-bo/").content.decode()


def _header_menus(page: str) -> tuple[list, list]:
    """The back office's two menus (the «Menu» disclosure and the wide bar) as lists of
    (href, text, aria-current) and the ids of the header's form fields."""
    import lxml.html

    tree = lxml.html.fromstring(page)
    header = tree.xpath('//header[contains(@class, "bo-header")]')[0]
    navs = [n for n in header.iter("nav") if n.get("aria-label") == "Điều hướng cán bộ"]
    menus = [[(a.get("href"), a.text_content().strip(), a.get("aria-current")) for a in n.iter("a")] for n in navs]
    return menus, [e.get("id") for e in header.iter() if e.get("id")]


def test_the_header_menu_lists_each_item_once_per_menu(people, login):
    """The busiest staff (receptionist, leader, agency admin; two agencies): one «Menu» disclosure
    for phones and one wide bar, each with every item once and the current page marked."""
    from motcua.accounts.models import Membership

    busy = people.receptionist
    for role in ("leader", "agency_admin"):
        Membership.objects.create(user=busy, agency=people.commune, role=role)
    Membership.objects.create(user=busy, agency=people.other_commune, role="officer")
    page = login(busy).get("/can-bo/").content.decode()
    menus, ids = _header_menus(page)
    assert len(menus) == 2 and menus[0] == menus[1]  # the disclosure first, then the bar
    texts = [text for _, text, _ in menus[0]]
    assert texts == ["Hộp hồ sơ", "Tiếp nhận", "Chờ tiếp nhận trực tuyến", "Trả kết quả", "Sổ theo dõi",
                     "Chứng thư số cá nhân", "Thống kê", "Đồng bộ", "Tài khoản", "Quản trị"]
    assert len({href for href, _, _ in menus[0]}) == len(menus[0])
    assert [text for _, text, current in menus[0] if current] == ["Hộp hồ sơ"]
    assert '<details class="site-menu">' in page and page.count('class="site-menu__toggle"') == 1
    # The agency switch is in the bar and in the menu, with ids (and labels) of its own.
    assert len(ids) == len(set(ids)) and {"bo-agency", "bo-agency-menu"} <= set(ids)
    assert 'for="bo-agency"' in page and 'for="bo-agency-menu"' in page
    assert page.count('action="/dang-xuat/"') == 2

    # A page of another app in this frame: the same two menus, its own item current.
    menus, _ = _header_menus(login(busy).get("/can-bo/quan-tri/").content.decode())
    assert len(menus) == 2 and menus[0] == menus[1]
    assert [text for _, text, current in menus[0] if current] == ["Quản trị"]
    # A receptionist alone: fewer items, still once per menu.
    menus, _ = _header_menus(login(people.centre_receptionist).get("/can-bo/tai-khoan/").content.decode())
    assert [text for _, text, _ in menus[0]] == [text for _, text, _ in menus[1]] == [
        "Hộp hồ sơ", "Tiếp nhận", "Chờ tiếp nhận trực tuyến", "Trả kết quả", "Sổ theo dõi",
        "Chứng thư số cá nhân", "Thống kê", "Tài khoản"]
    assert [text for _, text, current in menus[0] if current] == ["Tài khoản"]
