"""Bottlenecks: step visits cut from events, working hours without pauses, median and p90 vs quota."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from motcua.dossiers.models import Dossier
from motcua.reports import bottlenecks as bn
from motcua.reports.periods import Period

from .conftest import TZ, at

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def t(day, hour=9, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def row(version, kind, when, from_step=None, to_step=None, dossier=1):
    return bn.EventRow(dossier, version, kind, when, from_step, to_step, 7)


def test_it_cuts_visits_with_their_pauses_and_returns():
    rows = [
        row(1, "received", t(2), None, 10),
        row(2, "file_added", t(2, 9, 30), 10, 10),
        row(3, "handover", t(2, 10), 10, 20),
        row(4, "supplement_requested", t(3), 20, 20),
        row(5, "supplied", t(4), 20, 20),
        row(6, "returned_to_previous", t(5), 20, 10),
        row(7, "handover", t(5, 11), 10, 20),
        row(8, "completed", t(6), 20, 20),
        row(1, "submitted", t(2), None, None, dossier=2),
        row(2, "refused", t(2, 10), None, None, dossier=2),
    ]
    visits = bn.visits(rows)
    assert [(v.step_id, v.entered, v.left) for v in visits] == [
        (10, t(2), t(2, 10)), (20, t(2, 10), t(5)), (10, t(5), t(5, 11)), (20, t(5, 11), t(6)),
    ]
    assert visits[1].pauses == ((t(3), t(4)),)


def test_a_pause_still_open_when_the_step_ends_is_closed_there():
    rows = [row(1, "received", t(2), None, 10), row(2, "paused", t(2, 10), 10, 10), row(3, "stopped", t(3), 10, 10)]
    (visit,) = bn.visits(rows)
    assert visit.pauses == ((t(2, 10), t(3)),)


def test_working_hours_subtract_the_pauses():
    visit = bn.Visit(1, 10, 7, t(2, 9), t(2, 15), ((t(2, 10), t(2, 11)),))
    hours = bn.working_hours(visit, lambda a, b: b - a)
    assert hours == 5.0


def test_it_summarises_median_and_p90_worst_first():
    stats = bn.summarise({1: [1.0, 2.0, 3.0, 4.0, 10.0], 2: [8.0], 3: [0.5, 0.5]},
                         {1: Decimal(2), 2: Decimal(16), 3: None})
    assert [s.step_id for s in stats] == [1, 2, 3]  # median/quota 1.5, 0.5, then no quota
    first = stats[0]
    assert (first.count, first.median_hours, first.over_quota) == (5, Decimal("3.0"), 3)
    assert first.p90_hours == Decimal("7.6") and first.flagged and first.over_share == Decimal("60.00")
    assert not stats[1].flagged and stats[1].p90_hours == Decimal("8.0")
    assert stats[2].ratio is None and not stats[2].flagged


def test_the_supplement_wait_is_not_counted_in_the_officers_step(histories):
    only_a = Dossier.objects.filter(pk=histories["a"].pk)
    rows = {r.name: r for r in bn.bottlenecks(only_a, MARCH)}
    # Officer: Mon 9 10:15 -> Thu 12 10:15 = 24 working hours, minus the 16 waiting for the supplement.
    assert rows["Thẩm định hồ sơ"].stats.median_hours == Decimal("8.0")
    assert rows["Tiếp nhận, chuyển hồ sơ"].stats.median_hours == Decimal("1.0")  # 09:15 -> 10:15


def test_slow_steps_come_first_and_are_flagged(histories, people, login):
    rows = bn.bottlenecks(Dossier.objects.all(), MARCH)
    assert rows and rows[0].stats.flagged
    # H waited from Friday to Monday at the commune clerk's, against a quarter-hour quota.
    assert rows[0].name == "Vào sổ, trả kết quả"
    clerk = next(r for r in rows if r.name == "Vào sổ, đóng dấu, chuyển trả kết quả")
    assert clerk.stats.flagged and rows.index(clerk) == 1  # K and A waited days at the clerk's
    assert all(r.stats.count >= 1 for r in rows)
    page = login(people.supervisor).get("/can-bo/thong-ke/diem-nghen/?tu=2026-03-01&den=2026-03-31")
    text = page.content.decode()
    assert page.status_code == 200 and "Vào sổ, đóng dấu, chuyển trả kết quả" in text
    assert "Trung vị vượt định mức" in text
    export = login(people.supervisor).get("/can-bo/thong-ke/diem-nghen/?tu=2026-03-01&den=2026-03-31&format=csv")
    assert "Thẩm định hồ sơ" in export.content.decode("utf-8-sig")
    births = login(people.supervisor).get("/can-bo/thong-ke/diem-nghen/?tu=2026-03-01&den=2026-03-31&thu_tuc=1.001193")
    text = births.content.decode()
    assert "Thẩm tra, xử lý" in text and "Thẩm định hồ sơ" not in text and 'value="1.001193"' in text
    assert at(1) < at(2)
