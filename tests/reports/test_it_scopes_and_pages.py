"""The report pages, drill-downs, exports and API: scoped to the viewer (a leader of commune A never
sees commune B's numbers or dossiers), bad input refused with a message and the values kept."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pytest

from motcua.api.auth import issue_token

from .conftest import BUILDING, MARCH, at, counter_dossier

OTHER = "000.22.01.H12"  # xã Lý Văn Lâm
MINE = "000.21.01.H12"  # phường Tân Thành


@pytest.fixture
def other(people):
    """A dossier of the other commune, received in March."""
    return counter_dossier(people, BUILDING, at(10))


def q(**extra) -> str:
    return urlencode({**MARCH, **extra})


def number(page: str, key: str) -> int:
    match = re.search(r'data-metric="' + key + r'">(\d+)<', page)
    assert match, key
    return int(match.group(1))


def test_a_leader_sees_only_their_agencys_numbers(histories, other, people, login):
    page = login(people.leader).get(f"/can-bo/thong-ke/?{q()}").content.decode()
    # C, D, F, H were received by the commune; E and I never were (refused, withdrawn online).
    assert number(page, "received") == 4
    assert number(page, "open_late") == 1 and number(page, "stopped") == 1 and number(page, "refused") == 1
    supervisor = login(people.supervisor).get(f"/can-bo/thong-ke/?{q()}").content.decode()
    assert number(supervisor, "received") == 10  # the whole province, the other commune included
    other_leader_page = login(people.other_officer).get(f"/can-bo/thong-ke/?{q()}").content.decode()
    assert number(other_leader_page, "received") == 0  # an officer's own work: nothing handled yet


def test_a_leader_cannot_ask_for_another_agency(histories, other, people, login):
    client = login(people.leader)
    for url in (f"/can-bo/thong-ke/?{q(co_quan=OTHER)}", f"/can-bo/thong-ke/chi-so/?{q(co_quan=OTHER)}",
                f"/can-bo/thong-ke/ho-so/?{q(co_quan=OTHER, chi_so='received')}",
                f"/can-bo/thong-ke/diem-nghen/?{q(co_quan=OTHER)}"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert "nằm ngoài phạm vi bạn được xem" in page, url
        assert other.code not in page and 'data-metric="' not in page and 'data-indicator="' not in page
    # The export of a refused request is the page with the message, never a file.
    response = client.get(f"/can-bo/thong-ke/?{q(co_quan=OTHER, format='csv')}")
    assert response["Content-Type"].startswith("text/html")


def test_the_drilldown_lists_only_the_viewers_dossiers(histories, other, people, login):
    leader = login(people.leader)
    page = leader.get(f"/can-bo/thong-ke/ho-so/?{q(chi_so='received')}").content.decode()
    for key in "cdfh":
        assert histories[key].code in page
    assert other.code not in page and histories["a"].code not in page
    csv_text = leader.get(f"/can-bo/thong-ke/ho-so/?{q(chi_so='received', format='csv')}").content.decode("utf-8-sig")
    assert histories["f"].code in csv_text and other.code not in csv_text
    supervisor = login(people.supervisor).get(f"/can-bo/thong-ke/ho-so/?{q(chi_so='received')}").content.decode()
    assert other.code in supervisor


def test_an_officer_sees_their_own_work(histories, people, login):
    page = login(people.officer).get(f"/can-bo/thong-ke/ho-so/?{q(chi_so='received')}").content.decode()
    assert histories["h"].code in page  # handled it
    assert histories["f"].code not in page  # still at the counter, never theirs


def test_exports_are_scoped_too(histories, other, people, login):
    from openpyxl import load_workbook

    leader = login(people.leader)
    response = leader.get(f"/can-bo/thong-ke/?{q(format='xlsx')}")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    book = load_workbook(io.BytesIO(response.content))
    summary = book.worksheets[0]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and len(row) > 1}
    assert values["Tiếp nhận trong kỳ"] == 4
    indicators_csv = leader.get(f"/can-bo/thong-ke/chi-so/?{q(format='csv')}").content.decode("utf-8-sig")
    assert "2.1" in indicators_csv and "Lý Văn Lâm" not in indicators_csv
    pdf = leader.get(f"/can-bo/thong-ke/chi-so/?{q(format='pdf')}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ledger = leader.get("/can-bo/thong-ke/so-theo-doi.xlsx?from=2026-03-01&to=2026-03-31")
    cells = [c for row in load_workbook(io.BytesIO(ledger.content)).worksheets[0].iter_rows(values_only=True)
             for c in row if c]
    assert histories["f"].code in cells and other.code not in cells and histories["a"].code not in cells
    ledger_csv = leader.get("/can-bo/thong-ke/so-theo-doi.csv?from=2026-03-01&to=2026-03-31").content
    assert ledger_csv.startswith(b"\xef\xbb\xbf") and histories["h"].code.encode() in ledger_csv
    assert other.code.encode() not in ledger_csv


def test_the_ledger_page_links_to_the_spreadsheet_exports(people, login):
    page = login(people.leader).get("/can-bo/so-theo-doi/?from=2026-03-01&to=2026-03-31").content.decode()
    assert "/can-bo/thong-ke/so-theo-doi.xlsx?from=2026-03-01&amp;to=2026-03-31" in page
    assert "/can-bo/thong-ke/so-theo-doi.csv?" in page


def test_the_api_gives_the_indicators_of_the_callers_scope(histories, other, people, client):
    token, _ = issue_token(people.leader)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = client.get("/api/v1/indicators?from=2026-03-01&to=2026-03-31", **auth).json()
    assert body["counts"]["received"] == 4
    on_time = next(i for i in body["indicators"] if i["code"] == "2.1")
    # C, D on time; F, H late (the commune's dossiers ending in March or open at its end).
    assert (on_time["numerator"], on_time["denominator"], on_time["value"]) == (2, 4, 50.0)
    assert on_time["definition"]
    response = client.get(f"/api/v1/indicators?agency={OTHER}&from=2026-03-01&to=2026-03-31", **auth)
    assert response.status_code == 404 and response.json()["error"]["code"] == "agency_not_found"
    mine = client.get(f"/api/v1/indicators?agency={MINE}&from=2026-03-01&to=2026-03-31", **auth).json()
    assert mine["agency"]["unit_code"] == MINE and mine["counts"]["received"] == 4
    bad = client.get("/api/v1/indicators?from=2026-03-31&to=2026-03-01", **auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_period"
    assert client.get("/api/v1/indicators").status_code == 401
    citizen_token, _ = issue_token(people.citizen)
    assert client.get("/api/v1/indicators", HTTP_AUTHORIZATION=f"Bearer {citizen_token}").status_code == 403
    token, _ = issue_token(people.supervisor)
    wide = client.get("/api/v1/indicators?from=2026-03-01&to=2026-03-31",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert wide["counts"]["received"] == 10


def test_an_inverted_period_is_refused_with_the_values_kept(people, login):
    response = login(people.leader).get("/can-bo/thong-ke/?tu=2026-03-31&den=2026-03-01")
    page = response.content.decode()
    assert response.status_code == 200
    assert "đứng trước ngày bắt đầu" in page and 'href="#f-den"' in page
    assert 'value="2026-03-31"' in page and 'value="2026-03-01"' in page and 'aria-invalid="true"' in page
    assert 'data-metric="' not in page
    absurd = login(people.leader).get("/can-bo/thong-ke/chi-so/?tu=1990-01-01&den=2026-01-01").content.decode()
    assert "từ 01/01/2000" in absurd and 'value="1990-01-01"' in absurd


def test_a_period_without_dossiers_shows_zeros_and_says_so(people, login):
    page = login(people.supervisor).get("/can-bo/thong-ke/?tu=2026-02-01&den=2026-02-28").content.decode()
    assert "Không có dữ liệu" in page and number(page, "received") == 0 and number(page, "finished_late") == 0
    indicators_page = login(people.supervisor).get("/can-bo/thong-ke/chi-so/?tu=2026-02-01&den=2026-02-28")
    text = indicators_page.content.decode()
    assert indicators_page.status_code == 200 and text.count("không có dữ liệu") >= 6
    assert login(people.supervisor).get("/can-bo/thong-ke/diem-nghen/?ky=thang").status_code == 200


@pytest.mark.parametrize("params", [
    "chi_so=khong-co", "chi_so=", "chi_so=received&can_bo=abc&buoc=-1&page=999",
    "chi_so=received&tu=2026-13-01", "chi_so=open&can_bo=0&buoc=0", "format=exe&chi_so=received",
])
def test_the_drilldown_survives_bad_input(histories, people, login, params):
    response = login(people.supervisor).get(f"/can-bo/thong-ke/ho-so/?{params}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_drilldown_numbers_link_to_the_same_dossiers(histories, people, login):
    client = login(people.supervisor)
    page = client.get(f"/can-bo/thong-ke/?{q()}").content.decode()
    link = re.search(r'href="([^"]+)" data-metric="finished_late"', page).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert histories["b"].code in listed and histories["h"].code in listed and histories["k"].code not in listed
    assert "2 hồ sơ" in listed


def test_staff_only(histories, people, login, client):
    assert client.get("/can-bo/thong-ke/").status_code == 302
    assert login(people.citizen).get("/can-bo/thong-ke/").status_code == 403
    assert login(people.citizen).get("/can-bo/thong-ke/so-theo-doi.csv").status_code == 403


def test_the_transparency_page_is_public_cached_and_without_personal_data(histories, people, client, login,
                                                                          django_assert_num_queries):
    import time_machine
    from django.utils import timezone

    from motcua.reports import public

    # Later in 2026, the year of the histories: the page counts this year's dossiers.
    with time_machine.travel(at(30, 10, month=4), tick=True):
        response = client.get("/minh-bach/")
        page = response.content.decode()
        assert response.status_code == 200 and "max-age=300" in response["Cache-Control"]
        assert "public" in response["Cache-Control"]
        assert "Trung tâm Phục vụ hành chính công" in page and "Ủy ban nhân dân phường Tân Thành" in page
        for d in histories.values():
            assert d.code not in page and d.applicant_name not in page and d.applicant_phone not in page
        assert "Trần Thị Bình" not in page
        with django_assert_num_queries(0):
            public.figures(timezone.localdate(), timezone.now())  # served from the cache
        data = public.figures(timezone.localdate(), timezone.now())
        assert data["total"]["year_received"] == 9  # March 2026 is in this year
        signed_in = login(people.citizen).get("/minh-bach/")
        assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]


def test_the_agency_chosen_in_the_switcher_is_the_reports_default(histories, other, people, login):
    from motcua.accounts.models import Membership

    Membership.objects.create(user=people.supervisor, agency=people.commune, role="leader")
    client = login(people.supervisor)
    assert number(client.get(f"/can-bo/thong-ke/?{q()}").content.decode(), "received") == 10
    client.post("/can-bo/chon-co-quan/", {"agency": people.commune.pk, "next": "/can-bo/"})
    page = client.get(f"/can-bo/thong-ke/?{q()}").content.decode()
    assert number(page, "received") == 4  # the commune's, as for its leader
    assert f'<option value="{people.commune.unit_code}" selected>' in page
    # "Toàn bộ phạm vi của tôi" (an empty co_quan) is the whole scope again.
    assert number(client.get(f"/can-bo/thong-ke/?{q(co_quan='')}").content.decode(), "received") == 10
