"""The inbox's panel "Hồ sơ sắp đến hạn / quá hạn": live counts with links, the same rules as the
daily warnings, announced as a status, shown only to whom it concerns."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from motcua.dossiers import actions

from .conftest import TZ, counter_dossier

MONDAY = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
FRIDAY_4PM = dt.datetime(2026, 3, 13, 16, 0, tzinfo=TZ)


def local(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def clock(monkeypatch):
    def set_now(now: dt.datetime) -> None:
        monkeypatch.setattr("motcua.staff.pages.current_time", lambda: now)

    set_now(FRIDAY_4PM)
    return set_now


def due(people, when: dt.datetime, *, pool: bool = False):
    d = counter_dossier(people, when=MONDAY)
    d = actions.extend(d, actor=people.receptionist, new_due_at=when, reason="Xác minh thêm",
                       at=MONDAY + dt.timedelta(minutes=5)).dossier
    return actions.handover(d, actor=people.receptionist, to_user=None if pool else people.officer,
                            at=MONDAY + dt.timedelta(minutes=10)).dossier


def panel(html: str) -> str:
    match = re.search(r'<section class="panel bo-warnings[^"]*"(.*?)</section>', html, re.S)
    return match.group(0) if match else ""


def test_it_shows_the_officers_late_and_due_soon_dossiers(people, login, clock):
    due(people, local(16, 10))  # Monday 10:00: a few working hours of its 40 left on Friday 16:00
    due(people, local(12, 10), pool=True)  # late since Thursday, in the officers' pool
    due(people, local(20, 10))  # next Friday: not yet (more than a quarter of its time left)
    html = login(people.officer).get("/can-bo/").content.decode()
    box = panel(html)
    assert 'role="status"' in box and "Hồ sơ sắp đến hạn / quá hạn" in box
    assert "1 hồ sơ đã quá hạn" in box and "1 hồ sơ sắp đến hạn" in box
    # Not colour alone: the words and the symbols of the legend.
    assert "Quá hạn" in box and "Sắp đến hạn" in box and "✕" in box
    assert 'href="/can-bo/?scope=mine&amp;due=late"' in box
    assert 'href="/can-bo/?scope=mine&amp;due=soon"' in box
    # The links list what the panel counts: the same rule as the badge and the daily warnings.
    client = login(people.officer)
    listed = client.get("/can-bo/?scope=mine&due=soon").content.decode()
    assert listed.count('class="bo-row') == 1 and "due--soon" in listed
    assert client.get("/can-bo/?scope=mine&due=workday").content.decode().count('class="bo-row') == 1  # old links
    assert client.get("/can-bo/?scope=mine&due=ok").content.decode().count('class="bo-row') == 1
    assert client.get("/can-bo/?scope=mine&due=late").content.decode().count('class="bo-row') == 1
    # The heading is labelled and the panel sits before the list.
    assert 'aria-labelledby="warnings-title"' in box and html.index(box) < html.index("Danh sách hồ sơ")


def test_a_leader_sees_the_agencys_counts_and_links_to_all(people, login, clock):
    due(people, local(12, 10))
    due(people, local(11, 10), pool=True)
    box = panel(login(people.leader).get("/can-bo/").content.decode())
    assert "2 hồ sơ đã quá hạn" in box and "0 hồ sơ sắp đến hạn" in box
    assert 'href="/can-bo/?scope=all&amp;due=late"' in box


def test_nothing_due_or_another_agency_shows_no_panel(people, login, clock):
    due(people, local(20, 10))
    assert panel(login(people.officer).get("/can-bo/").content.decode()) == ""
    clock(local(23, 9))  # the next week: late for the commune, nothing for the other commune's officer
    assert "1 hồ sơ đã quá hạn" in panel(login(people.officer).get("/can-bo/").content.decode())
    assert panel(login(people.other_officer).get("/can-bo/").content.decode()) == ""
    assert panel(login(people.justice_leader).get("/can-bo/").content.decode()) == ""


def test_the_panel_costs_a_few_queries(people, login, clock):
    for day in (11, 12, 16):
        due(people, local(day, 10))
    client = login(people.officer)
    client.get("/can-bo/")  # warm the calendar cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as with_three:
        client.get("/can-bo/")
    for day in (10, 20, 23, 24):
        due(people, local(day, 10))
    with CaptureQueriesContext(connection) as with_seven:
        response = client.get("/can-bo/")
    box = panel(response.content.decode())
    assert "3 hồ sơ đã quá hạn" in box and "1 hồ sơ sắp đến hạn" in box
    assert len(with_seven) == len(with_three)  # no query per dossier
