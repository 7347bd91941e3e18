"""The inbox: my dossiers and my role pools', timeliness in colour and words, filters, pages, the
barcode search, and a fixed number of queries however many rows."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from motcua.backoffice import display
from motcua.dossiers import actions
from motcua.dossiers.models import Status

from .conftest import BIRTH, BUILDING, CRIMINAL_RECORD, TZ, counter_dossier, online_dossier

MONDAY = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)  # a plain working week


def at_officer(people, dossier, when=None):
    """Hand a birth registration from the counter to the officers' pool."""
    actions.handover(dossier, actor=people.receptionist, at=when)
    return type(dossier).objects.get(pk=dossier.pk)


def row_of(page: str, code: str) -> str:
    pattern = r'<tr class="bo-row[^"]*">(?:(?!</tr>).)*' + re.escape(code) + r"(?:(?!</tr>).)*</tr>"
    match = re.search(pattern, page, re.S)
    assert match, code
    return match.group(0)


def test_it_shows_my_pools_dossiers_and_not_other_agencies(people, login):
    pooled = at_officer(people, counter_dossier(people, BIRTH))
    elsewhere = counter_dossier(people, BUILDING)
    at_counter = counter_dossier(people, BIRTH)
    page = login(people.officer).get("/can-bo/").content.decode()
    assert pooled.code in page
    assert elsewhere.code not in page  # another commune
    assert at_counter.code not in page  # still at the reception step (receptionist)
    assert at_counter.code in login(people.receptionist).get("/can-bo/").content.decode()
    assert pooled.code not in login(people.other_officer).get("/can-bo/?scope=all").content.decode()


def test_it_shows_a_dossier_assigned_to_me_and_not_to_my_colleague(people, login):
    dossier = counter_dossier(people, BIRTH)
    actions.handover(dossier, actor=people.receptionist, to_user=people.officer)
    assert dossier.code in login(people.officer).get("/can-bo/").content.decode()
    assert dossier.code not in login(people.officer2).get("/can-bo/").content.decode()
    assert dossier.code in login(people.officer2).get("/can-bo/?scope=all").content.decode()


def test_it_lists_online_dossiers_and_results_to_return_for_the_counter(people, login):
    waiting = online_dossier(people, BIRTH)
    page = login(people.receptionist).get("/can-bo/").content.decode()
    assert "Chờ tiếp nhận" in row_of(page, waiting.code)


def test_it_colours_and_words_the_timeliness(people, login, monkeypatch):
    late = at_officer(people, counter_dossier(people, BIRTH, when=MONDAY), when=MONDAY + dt.timedelta(minutes=5))
    fresh_one = at_officer(people, counter_dossier(people, BIRTH))
    paused = at_officer(people, counter_dossier(people, BIRTH))
    actions.pause(paused, actor=people.officer, reason="Chờ xác minh")
    page = login(people.officer).get("/can-bo/").content.decode()
    late_row = row_of(page, late.code)
    assert "due--late" in late_row and "Quá hạn" in late_row
    paused_row = row_of(page, paused.code)
    assert "due--paused" in paused_row and "Tạm dừng tính giờ" in paused_row
    fresh_row = row_of(page, fresh_one.code)
    assert ("due--ok" in fresh_row and "Trong hạn" in fresh_row) or (
        "due--soon" in fresh_row and "Sắp đến hạn" in fresh_row)


def test_it_says_due_soon_within_a_day(people, login, monkeypatch):
    dossier = counter_dossier(people, CRIMINAL_RECORD, when=MONDAY)  # due Monday 23 March 09:15
    c = login(people.centre_receptionist)
    for now, css, word in [
        (dt.datetime(2026, 3, 12, 10, 0, tzinfo=TZ), "due--ok", "Trong hạn"),
        (dt.datetime(2026, 3, 22, 12, 0, tzinfo=TZ), "due--soon", "Sắp đến hạn"),
        (dt.datetime(2026, 3, 24, 8, 0, tzinfo=TZ), "due--late", "Quá hạn"),
    ]:
        monkeypatch.setattr("motcua.staff.pages.current_time", lambda now=now: now)
        row = row_of(c.get("/can-bo/").content.decode(), dossier.code)
        assert css in row and word in row, now
        due = {"due--ok": "ok", "due--soon": "soon", "due--late": "late"}[css]
        assert dossier.code in c.get(f"/can-bo/?due={due}").content.decode()
        other = "late" if due != "late" else "ok"
        assert dossier.code not in c.get(f"/can-bo/?due={other}").content.decode()


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"status": Status.SUBMITTED}, "waiting"),
        ({"status": Status.REFUSED}, "ended"),
        ({"status": Status.PROCESSING, "paused_at": MONDAY}, "paused"),
        ({"status": Status.SUPPLEMENT_REQUESTED, "counts_as_late": True}, "late"),
        ({"status": Status.COMPLETED, "finished_at": MONDAY}, "done-ok"),
        ({"status": Status.RETURNED, "finished_at": MONDAY + dt.timedelta(days=9)}, "done-late"),
        ({"status": Status.PROCESSING, "due_at": MONDAY + dt.timedelta(hours=3)}, "soon"),
        ({"status": Status.PROCESSING, "due_at": MONDAY - dt.timedelta(minutes=1)}, "late"),
        ({"status": Status.PROCESSING, "due_at": MONDAY + dt.timedelta(days=2)}, "ok"),
    ],
)
def test_it_computes_timeliness_without_queries(fields, key):
    values = {"status": Status.PROCESSING, "due_at": MONDAY + dt.timedelta(days=1), "paused_at": None,
              "counts_as_late": False, "finished_at": None, "returned_at": None}
    values.update(fields)
    result = display.dossier_timeliness(SimpleNamespace(**values), MONDAY)
    assert result.key == key and result.label and result.symbol


def test_it_filters_by_status_and_procedure(people, login):
    handled = at_officer(people, counter_dossier(people, BIRTH))
    waiting = online_dossier(people, BIRTH)
    married = counter_dossier(people, "1.000894")
    c = login(people.receptionist)
    page = c.get("/can-bo/?scope=all&status=1").content.decode()
    assert waiting.code in page and handled.code not in page
    page = c.get("/can-bo/?scope=all&procedure=1.000894").content.decode()
    assert married.code in page and waiting.code not in page
    # Unknown values are ignored, never an error.
    for query in ("status=99", "status=abc", "due=never", "procedure=" + "x" * 500, "page=9999", "page=-1",
                  "scope=nope", "q=%00"):
        assert c.get(f"/can-bo/?{query}").status_code == 200


def test_it_pages_the_inbox(people, login):
    for _ in range(27):
        counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    first = c.get("/can-bo/").content.decode()
    assert first.count('class="bo-row') == 25 and "trang 1/2" in first
    second = c.get("/can-bo/?page=2").content.decode()
    assert second.count('class="bo-row') == 2


def test_it_opens_the_dossier_when_a_barcode_reader_types_its_code(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.officer)
    response = c.get("/can-bo/", {"q": dossier.code})
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    # Lower case (a reader with caps lock) still matches; a partial code searches instead.
    assert c.get("/can-bo/", {"q": dossier.code.lower()})["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    response = c.get("/can-bo/", {"q": dossier.code[:-2], "scope": "all"})
    assert response.status_code == 200 and dossier.code in response.content.decode()
    # Another agency's code is not revealed.
    response = login(people.other_officer).get("/can-bo/", {"q": dossier.code})
    assert response.status_code == 200 and f'href="/can-bo/ho-so/{dossier.code}/"' not in response.content.decode()
    # The results page has the same box.
    assert login(people.receptionist).get("/can-bo/tra-ket-qua/", {"q": dossier.code}).status_code == 302


def test_it_runs_a_fixed_number_of_queries_whatever_the_rows(people, login, django_assert_max_num_queries):
    c = login(people.receptionist)
    counter_dossier(people, BIRTH)
    c.get("/can-bo/")  # warm the session and the calendar cache
    with django_assert_max_num_queries(8):
        small = c.get("/can-bo/?scope=all")
    for _ in range(24):
        counter_dossier(people, BIRTH)
    with django_assert_max_num_queries(8):
        big = c.get("/can-bo/?scope=all")
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('class="bo-row') == 25
    with django_assert_max_num_queries(12):
        c.get("/can-bo/?q=Nguyễn&status=2&due=ok&procedure=" + BIRTH)
