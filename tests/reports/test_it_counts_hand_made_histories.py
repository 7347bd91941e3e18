"""The SQL metrics and the QĐ 766 indicators on hand-made event histories (conftest `histories`):
supplement time, two supplements, withdrawn, stopped and refused dossiers, dossiers still open at
the period's end. Each drill-down lists exactly the dossiers its number counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.dossiers.models import Dossier
from motcua.reports import indicators, metrics
from motcua.reports.periods import Period

from .conftest import at

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)

EXPECTED = {
    "received": "abcdfghjk", "received_counter": "abcdfghjk", "received_online": "", "received_post": "",
    "open": "fgj", "open_ok": "g", "open_soon": "", "open_late": "f", "open_paused": "j",
    "finished": "abhk", "finished_early": "k", "finished_on_time": "a", "finished_late": "bh",
    "refused": "e", "withdrawn": "ci", "stopped": "d",
    "i_base": "abcdfghjk", "i_on_time": "acdgjk", "i_late": "bfh", "i_fee": "abgjk", "i_paid": "k",
    "i_result": "abhk", "i_digitised": "k", "i_complained": "ac", "i_late_or_complained": "abcfh",
    "i_fee_paid": "ak",  # paid at the counter (A, record_fee) or online (K) alike (#17)
}


def everything():
    return metrics.scoped(metrics.Scope(everything=True))


def test_the_histories_are_what_the_tests_assume(histories):
    h = histories
    assert h["a"].due_at == at(25) and h["a"].original_due_at == at(23)  # moved by the supplement
    assert h["b"].counts_as_late and h["b"].finished_at < h["b"].due_at
    assert (h["c"].status, h["d"].status, h["e"].status, h["i"].status) == (7, 8, 3, 7)
    assert h["e"].received_at is None and h["i"].received_at is None
    assert h["j"].status == 5 and h["j"].paused_at == at(24)
    assert h["g"].due_at > at(1, month=4) and h["f"].due_at == at(19, 17, 0)


def test_each_metric_counts_the_expected_dossiers(histories):
    codes = {histories[k].pk: k for k in histories}
    counts = metrics.counts(everything(), MARCH, NOW, keys=tuple(EXPECTED))
    for key, letters in EXPECTED.items():
        assert counts[key] == len(letters), key
        listed = metrics.drilldown(everything(), MARCH, NOW, key).values_list("pk", flat=True)
        assert "".join(sorted(codes[pk] for pk in listed)) == letters, key


def test_the_qd766_indicators_follow_the_regulation(histories):
    counts = metrics.indicator_counts(everything(), MARCH, NOW)
    by_key = {i.key: i for i in indicators.build(counts)}
    on_time = by_key["on_time"]
    assert (on_time.numerator, on_time.denominator, on_time.value) == (6, 9, Decimal("66.67"))
    assert by_key["online"].value == Decimal("0.00")
    assert (by_key["online_payment"].denominator, by_key["online_payment"].value) == (5, Decimal("20.00"))
    assert (by_key["fees_collected"].numerator, by_key["fees_collected"].value) == (2, Decimal("40.00"))
    assert by_key["electronic_result"].value == Decimal("100.00")
    assert by_key["digitised"].value == Decimal("11.11")
    # 100 − (3/9 late + 2/9 with a PAKN or "Không hài lòng") = 44.44
    assert by_key["satisfaction"].value == Decimal("44.44")


def test_a_second_supplement_is_late_even_when_finished_early(histories):
    late = metrics.drilldown(everything(), MARCH, NOW, "i_late")
    assert histories["b"] in late and histories["a"] not in late


def test_a_period_before_the_supplement_was_supplied_sees_the_clock_stopped(histories):
    """Up to 11 March, A was waiting for its supplement (asked on the 10th, before its due time)."""
    early_march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    paused = metrics.drilldown(everything(), early_march, NOW, "open")
    assert histories["a"] in paused
    assert histories["a"] in metrics.drilldown(everything(), early_march, NOW, "i_on_time")


def test_a_period_without_dossiers_gives_zeros_and_no_rates(histories):
    february = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    counts = metrics.indicator_counts(everything(), february, NOW)
    assert not any(counts.values())
    assert all(i.value is None for i in indicators.build(counts))
    board = metrics.dashboard(everything(), february, NOW)
    assert board.empty and not any(board.totals.values())


def test_the_indicators_per_agency_add_up(histories):
    rows = metrics.indicator_counts_by_agency(everything(), MARCH, NOW)
    total = metrics.indicator_counts(everything(), MARCH, NOW)
    for key in ("received", "i_base", "i_on_time", "i_late", "finished"):
        assert sum(r[key] for r in rows) == total[key], key
    centre = next(r for r in rows if r["agency_id"] == histories["a"].agency_id)
    assert centre["received"] == 5  # A, B, G, J, K were received at the service centre


def test_the_dashboard_groups_by_procedure_officer_and_step(histories, people):
    board = metrics.dashboard(everything(), MARCH, NOW)
    by_code = {r["code"]: r for r in board.by_procedure}
    assert by_code["2.000488"]["received"] == 5 and by_code["1.001193"]["received"] == 4
    assert by_code["1.001193"]["finished_late"] == 1 and by_code["1.001193"]["open_late"] == 1
    assert sum(r["open"] for r in board.by_officer) == 3 == sum(r["open"] for r in board.by_step)
    assert sum(r["total"] for r in board.series) == 9
    assert {r["bucket"] for r in board.series} >= {dt.date(2026, 3, 2), dt.date(2026, 3, 31)}


@pytest.mark.parametrize("key", sorted(metrics.METRIC_LABELS))
def test_every_metric_has_a_label_and_a_filter(key):
    assert metrics.metric(key).label
    assert key in metrics.metric_filters(MARCH, NOW)


def test_the_dashboard_makes_a_fixed_number_of_queries(histories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Dossier.objects.count()
    with CaptureQueriesContext(connection) as captured:
        metrics.dashboard(everything(), MARCH, NOW)
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # Three aggregates (by version, work in hand, received per day) and three look-ups of names;
    # on PostgreSQL each aggregate also turns JIT off in a savepoint (no rows read). "Sắp đến hạn"
    # (the step quota's rule, in Python): the steps' quotas, the candidates and the working
    # calendars' freshness check, once per page.
    assert len(selects) == 9
    assert sum("catalog_workflowstep" in sql and "quota_hours" in sql and "DISTINCT" in sql for sql in selects) == 1
    assert sum("dossiers_dossier" in sql and "COUNT(" in sql for sql in selects) == 3


def test_due_soon_on_the_dashboard_is_the_inbox_rule(people):
    """#17: the dashboard's "Sắp đến hạn" is the step quota's rule of the inbox and the daily
    warnings (not 24 hours): a step in the first half of its quota is not counted, in its last
    quarter it is."""
    from motcua.dossiers import actions
    from motcua.dossiers.deadlines import SoonRule
    from motcua.reports.periods import TZ
    from tests.dossiers.conftest import BIRTH, counter_dossier

    received = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
    d = counter_dossier(people, BIRTH, when=received)
    d = actions.handover(d, actor=people.receptionist, to_user=people.officer,
                         at=received + dt.timedelta(minutes=5)).dossier
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    for now, soon in [(dt.datetime(2026, 3, 9, 9, 40, tzinfo=TZ), False),  # due at 17:00: within 24 h
                      (dt.datetime(2026, 3, 9, 10, 10, tzinfo=TZ), True)]:
        counts = metrics.counts(everything(), period, now, keys=("open", "open_ok", "open_soon"))
        assert (counts["open_soon"], counts["open_ok"]) == ((1, 0) if soon else (0, 1)), now
        assert SoonRule(now).dossier(Dossier.objects.select_related("agency", "handling_agency", "current_step")
                                     .get(pk=d.pk)) is soon
