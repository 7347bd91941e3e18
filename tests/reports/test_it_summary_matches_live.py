"""The summary of ended dossiers (reports/summary.py) gives exactly the live figures: for hand-made
histories and generated dossiers, every period shape (a month, a past period with dossiers open at
its end and ended since, a year, one day), every scope and agency filter, and after later changes
(a result returned, a payment, a rating, a late complaint, a dossier finished) read incrementally.

The reference is the same function given a plain queryset: it counts every dossier live."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.reports import metrics, summary
from motcua.reports.models import DailyFigures, DossierFact, SummaryState
from motcua.reports.periods import Period

from .conftest import PDF, at

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
PERIODS = [
    Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # the histories' month
    Period(dt.date(2026, 3, 1), dt.date(2026, 3, 10)),  # A waiting for its supplement at the end
    Period(dt.date(2026, 3, 11), dt.date(2026, 3, 20)),  # dossiers open at the end, ended since
    Period(dt.date(2026, 3, 13), dt.date(2026, 3, 13)),  # one day
    Period(dt.date(2026, 1, 1), dt.date(2026, 11, 27)),  # the year to date
    Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),  # nothing
]


def both(scope: metrics.Scope, agency_id: int | None = None):
    selection = metrics.Selection(scope, agency_id)
    return selection, selection.queryset()


def assert_same(selection, qs, period: Period, now: dt.datetime) -> None:
    label = f"{period.label} {selection}"
    read, live = metrics.dashboard(selection, period, now), metrics.dashboard(qs, period, now)
    assert read.totals == live.totals, label
    assert read.by_procedure == live.by_procedure, label
    assert (read.series_unit, read.series) == (live.series_unit, live.series), label
    assert (read.by_officer, read.by_step) == (live.by_officer, live.by_step), label
    assert metrics.indicator_counts(selection, period, now) == metrics.indicator_counts(qs, period, now), label
    assert (metrics.indicator_counts_by_agency(selection, period, now)
            == metrics.indicator_counts_by_agency(qs, period, now)), label


def scopes(people) -> list[tuple[metrics.Scope, int | None]]:
    everything = metrics.Scope(everything=True)
    return [
        (everything, None),
        (everything, people.commune.pk),
        (everything, people.justice.pk),
        (metrics.Scope(agency_ids=frozenset({people.commune.pk})), None),
        (metrics.Scope(agency_ids=frozenset({people.justice.pk, people.centre.pk})), people.justice.pk),
        (metrics.Scope(agency_ids=frozenset({people.other_commune.pk})), None),
    ]


def test_it_gives_the_live_figures_for_the_hand_made_histories(histories, people):
    assert DossierFact.objects.count() == 0  # built by the first read
    for scope, agency_id in scopes(people):
        selection, qs = both(scope, agency_id)
        for period in PERIODS:
            assert_same(selection, qs, period, NOW)
    ended = Dossier.objects.filter(summary.ENDED).count()
    assert DossierFact.objects.count() == ended == 8  # A B C D E H I K
    assert DailyFigures.objects.exists()


def test_it_reads_the_summary_for_ended_dossiers_and_only_open_ones_live(histories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    selection = metrics.Selection(metrics.Scope(everything=True))
    summary.refresh()
    with CaptureQueriesContext(connection) as captured:
        metrics.indicator_counts(selection, PERIODS[0], NOW)
    dossier_reads = [q["sql"] for q in captured.captured_queries if 'FROM "dossiers_dossier"' in q["sql"]
                     and "COUNT(" in q["sql"]]
    # Live: the open dossiers, and those open at the period's end that have ended since.
    assert len(dossier_reads) == 2
    assert all('"finished_at" IS NULL' in sql or '"finished_at" >=' in sql for sql in dossier_reads)


def test_it_follows_changes_made_after_it_was_built(histories, people):
    from motcua.dossiers import actions
    from motcua.feedback.models import Category, Feedback, Rating

    everything = metrics.Scope(everything=True)
    selection, qs = both(everything)
    year = PERIODS[4]
    assert_same(selection, qs, year, NOW)  # builds it
    h = histories
    # H finished on the 23rd: its result is handed back (status changes, nothing else should).
    actions.return_result(h["h"], actor=people.clerk, originals_checked=True, applicant_signed=True, at=at(24, 9))
    # K (finished) gets a late "Không hài lòng" rating, C (withdrawn) a second complaint.
    Rating.objects.create(dossier=h["k"], agency=h["k"].agency, score=2, unsatisfied=True, created_at=at(30),
                          **{f"c{n}": 0 for n in range(1, 10)})
    Feedback.objects.create(name="Lê Văn C", phone="0912000222", category=Category.PROGRESS, title="Chậm",
                            content="Chậm trả", dossier=h["d"], agency=h["d"].agency, created_at=at(30))
    # G (open) is finished with an electronic result, back-dated into March.
    g = Dossier.objects.get(pk=h["g"].pk)
    actions.add_file(g, actor=people.justice_clerk, upload=io.BytesIO(PDF), name="kq.pdf", kind="result",
                     at=at(31, 15))
    actions.complete(g, actor=people.justice_clerk, at=at(31, 16))
    # F (open, late) is stopped.
    actions.stop(h["f"], actor=people.leader, reason="Hồ sơ không hợp lệ", at=at(31, 10))
    assert summary.refresh() == 5  # H, K, D, G and F moved; nothing else
    for scope, agency_id in scopes(people):
        selection, qs = both(scope, agency_id)
        for period in PERIODS:
            assert_same(selection, qs, period, NOW)
    assert summary.refresh() == 0
    # Incremental upkeep and a rebuild from scratch agree row for row.
    kept = sorted(DailyFigures.objects.values_list(*_columns()))
    kept = [r for r in kept if any(r[5:])]
    summary.rebuild()
    assert sorted(DailyFigures.objects.values_list(*_columns())) == kept


def _columns() -> list[str]:
    return ["day", "agency_id", "handling_agency_id", "procedure_version_id", "channel",
            *summary.RECEIVED_KEYS, *summary.ENDED_KEYS]


def test_a_change_written_while_it_refreshed_is_taken_by_the_next_refresh(histories, people):
    """The safety margin: a dossier whose write time is just before the last refresh (a transaction
    that committed after it) is still looked at."""
    from motcua.dossiers import actions

    summary.refresh()
    state = SummaryState.objects.get()
    actions.stop(histories["f"], actor=people.leader, reason="Không đủ điều kiện", at=at(31, 10))
    Dossier.objects.filter(pk=histories["f"].pk).update(updated_at=state.checked_until - dt.timedelta(minutes=1))
    assert summary.refresh() == 1
    assert DossierFact.objects.filter(dossier_id=histories["f"].pk).exists()


@pytest.fixture
def generated(catalog):
    from motcua.ops.generator import generate

    now = timezone.now()
    generate(1200, seed=11, months=14, now=now, batch_size=400)
    summary.rebuild()
    return now


def test_it_gives_the_live_figures_for_generated_dossiers(generated):
    from motcua.agencies.models import Agency

    now = generated
    today = timezone.localdate()
    periods = [
        Period(today.replace(day=1), today),
        Period(today.replace(month=1, day=1), today),
        Period(today - dt.timedelta(days=400), today),
        Period(today - dt.timedelta(days=120), today - dt.timedelta(days=60)),  # open at its end, ended since
        Period(today - dt.timedelta(days=30), today - dt.timedelta(days=30)),
    ]
    everything = metrics.Scope(everything=True)
    agencies = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    cases = [(everything, None), (everything, agencies[0]), (everything, agencies[-1]),
             (metrics.Scope(agency_ids=frozenset(agencies[1:3])), None)]
    assert DossierFact.objects.count() == Dossier.objects.filter(summary.ENDED).count() > 500
    for scope, agency_id in cases:
        selection, qs = both(scope, agency_id)
        for period in periods:
            assert_same(selection, qs, period, now)


def test_the_rebuild_command_and_the_jobs(histories):
    from django.core.management import call_command

    from motcua.jobs.runner import PERIODIC

    out = io.StringIO()
    call_command("rebuild_summary", stdout=out)
    assert "8 hồ sơ đã kết thúc" in out.getvalue()
    assert SummaryState.objects.get().built_at is not None
    assert PERIODIC["reports.refresh_summary"].every == dt.timedelta(minutes=5)
    assert PERIODIC["reports.rebuild_summary"].every == dt.timedelta(hours=24)


def test_switched_off_everything_is_counted_live(histories, settings):
    settings.MOTCUA_REPORTS_SUMMARY = False
    selection = metrics.Selection(metrics.Scope(everything=True))
    assert not selection.summarised
    assert metrics.indicator_counts(selection, PERIODS[0], NOW)["i_base"] == 9
    assert not SummaryState.objects.exists()  # never built


def test_an_officers_own_work_is_counted_live(histories, people):
    selection = metrics.Selection(metrics.Scope(own_user_id=people.justice_officer.pk))
    assert not selection.summarised
    counts = metrics.indicator_counts(selection, PERIODS[0], NOW)
    assert counts == metrics.indicator_counts(selection.queryset(), PERIODS[0], NOW)
    assert counts["received"] == 5  # A, B, G, J, K went through the justice officer


def test_days_are_vietnamese_days_at_midnight_too(people):
    """Received at 00:30 and finished at 23:45 local time (17:30 and 16:45 UTC, the day before in
    UTC): the summary puts them on their Vietnamese days, as the live count does."""
    from motcua.dossiers import actions

    from .conftest import BIRTH, counter_dossier, result_file

    early = counter_dossier(people, BIRTH, at(10, 0, 30))
    actions.handover(early, actor=people.receptionist, at=at(10, 0, 40))
    actions.handover(early, actor=people.officer, at=at(10, 0, 50))
    actions.handover(early, actor=people.leader, at=at(10, 1, 0))
    result_file(early, people.clerk, at(10, 23, 40))
    actions.complete(early, actor=people.clerk, at=at(10, 23, 45))
    late = counter_dossier(people, BIRTH, at(11, 23, 50))
    actions.withdraw(late, actor=people.receptionist, reason="Xin rút", at=at(12, 0, 5))
    summary.refresh()
    early_fact = DossierFact.objects.get(dossier_id=early.pk)
    assert (early_fact.received_day, early_fact.end_day) == (dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    late_fact = DossierFact.objects.get(dossier_id=late.pk)
    assert (late_fact.received_day, late_fact.end_day) == (dt.date(2026, 3, 11), dt.date(2026, 3, 12))
    selection, qs = both(metrics.Scope(everything=True))
    for day in range(9, 14):
        one_day = Period(dt.date(2026, 3, day), dt.date(2026, 3, day))
        assert_same(selection, qs, one_day, NOW)
    counts = metrics.indicator_counts(selection, Period(dt.date(2026, 3, 11), dt.date(2026, 3, 11)), NOW)
    assert (counts["received"], counts["i_base"]) == (1, 1)  # open at the end of the 11th, ended since


def test_a_large_database_never_summarised_is_counted_live_until_the_worker_builds_it(histories, monkeypatch):
    """An upgrade with 10^6 dossiers: the first read must not spend minutes building in a web request."""
    monkeypatch.setattr(summary, "INLINE_BUILD_LIMIT", 3)
    selection, qs = both(metrics.Scope(everything=True))
    assert summary.refresh() is None and not summary.ready(selection)
    assert metrics.indicator_counts(selection, PERIODS[0], NOW) == metrics.indicator_counts(qs, PERIODS[0], NOW)
    assert metrics.dashboard(selection, PERIODS[0], NOW).totals == metrics.dashboard(qs, PERIODS[0], NOW).totals
    assert not DossierFact.objects.exists()
    from motcua.reports.jobs import rebuild_summary

    rebuild_summary({})
    assert summary.ready(selection) and DossierFact.objects.count() == 8
    assert_same(selection, qs, PERIODS[0], NOW)
