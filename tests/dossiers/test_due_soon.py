""""Sắp đến hạn" (#17): a dossier is due soon only in the last share of its current step's quota of
working hours (25 % by default, the handling agency's `soon_share`, at most 50 %), never in the
first half; the daily warnings, the inbox panel, the badges and the reports use the rule
(`deadlines.SoonRule`). Without a step, the dossier's own time (`in_last_share`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.agencies.models import Agency
from motcua.dossiers import actions
from motcua.dossiers.deadlines import SoonRule, calendar_for, due_soon, in_last_share, quota_of, step_due_soon
from motcua.notify import warnings
from motcua.worktime import engine

from .conftest import BIRTH, CRIMINAL_RECORD, TZ, counter_dossier, fresh

H = dt.timedelta(hours=1)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def test_the_rule_in_plain_arithmetic():
    quota = 40 * H
    assert due_soon(10 * H, quota, 25) and due_soon(H, quota, 25)
    assert not due_soon(10 * H + dt.timedelta(seconds=1), quota, 25)
    assert not due_soon(dt.timedelta(0), quota, 25)  # no time left: late, not soon
    assert not due_soon(H, dt.timedelta(0), 25)  # no time given: nothing to share
    assert due_soon(20 * H, quota, 50) and not due_soon(21 * H, quota, 50)
    assert not due_soon(21 * H, quota, 90)  # the share is capped at a half


durations = st.integers(min_value=0, max_value=10**9).map(lambda s: dt.timedelta(seconds=s))


@given(remaining=durations, quota=durations, share=st.integers(min_value=-10, max_value=200))
def test_never_in_the_first_half_and_never_when_late(remaining, quota, share):
    if due_soon(remaining, quota, share):
        assert dt.timedelta(0) < remaining <= quota / 2
        assert remaining * 100 <= quota * min(share, 50)


@given(quota=durations, share=st.integers(min_value=1, max_value=50),
       a=durations, b=durations)
def test_less_time_left_is_never_less_urgent(quota, share, a, b):
    shorter, longer = sorted((a, b))
    if shorter > dt.timedelta(0) and due_soon(longer, quota, share):
        assert due_soon(shorter, quota, share)


def test_it_counts_working_time_on_the_agencys_calendar(people):
    """Lý lịch tư pháp: 10 working days (80 h) from Monday 9 March 09:15, due Monday 23 09:15."""
    d = counter_dossier(people, CRIMINAL_RECORD)
    centre = Agency.objects.get(pk=people.centre.pk)
    assert d.due_at == local(23, 9, 15)
    check = lambda now, share=None: in_last_share(centre, d.received_at, d.due_at, d.paused_total, now, share)  # noqa: E731
    assert not check(local(16, 9, 15))  # half-way: never
    assert not check(local(18, 9))  # 31 working hours left of 80: 39 %
    assert check(local(19, 9, 15))  # 2 days (16 h) of 80 left: 20 %
    assert check(local(20, 17))  # a weekend in between: still 2 h 15 left of working time
    assert not check(local(19, 9, 15), 10)  # the agency's smaller share
    assert not check(local(23, 9, 15))  # due now: late from here on


def soon_codes(user, now):
    return {i.code for i in warnings.digests(now).get(user.pk, warnings.Digest(0)).soon}


def test_a_step_is_due_soon_only_in_the_last_share_of_its_quota(people):
    """Khai sinh: the officer's step has 1 working hour (the sample workflow); the dossier is due
    at 17:00. Handed over at 09:20, the step is due at 10:20: due soon from 10:05 (15 min = 25 %
    left), not at 09:50 (half its quota). After 10:20 the step is late (its own badge) and the
    dossier's own time decides: due soon in its last quarter (16:00), not at 11:00."""
    d = counter_dossier(people, BIRTH, when=local(9, 9, 15))
    d = actions.handover(d, actor=people.receptionist, to_user=people.officer, at=local(9, 9, 20)).dossier
    assert d.due_at == local(9, 17, 0) and d.step_due_at == local(9, 10, 20)
    for now, soon in [(local(9, 9, 30), False), (local(9, 9, 50), False), (local(9, 10, 4), False),
                      (local(9, 10, 5), True), (local(9, 10, 19), True), (local(9, 11, 0), False),
                      (local(9, 16, 0), True)]:
        assert (d.code in soon_codes(people.officer, now)) is soon, now
        assert warnings.summary_for(people.officer, now).soon == int(soon), now
        assert SoonRule(now).dossier(fresh(d)) is soon, now
    # The agency may warn later (10 %: 6 minutes of the step's hour; 10 % of the day).
    Agency.objects.filter(pk=people.commune.pk).update(soon_share=10)
    for now, soon in [(local(9, 10, 5), False), (local(9, 10, 14), True), (local(9, 16, 0), False),
                      (local(9, 16, 40), True)]:
        assert warnings.summary_for(people.officer, now).soon == int(soon), now
    # Late is late, not soon.
    assert warnings.summary_for(people.officer, local(9, 17, 1)).soon == 0


def test_the_next_step_starts_a_new_quota(people):
    """Once the officer hands the dossier on, the next step's quota counts, from its start."""
    d = counter_dossier(people, BIRTH, when=local(9, 9, 15))
    d = actions.handover(d, actor=people.receptionist, to_user=people.officer, at=local(9, 9, 20)).dossier
    assert SoonRule(local(9, 10, 10)).dossier(fresh(d))
    d = actions.handover(fresh(d), actor=people.officer, at=local(9, 10, 10)).dossier
    quota = d.current_step.quota_hours
    assert d.step_started_at == local(9, 10, 10) and quota > 0
    assert not SoonRule(local(9, 10, 11)).dossier(fresh(d))  # a fresh step: in its first half


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start_minutes=st.integers(min_value=0, max_value=14 * 24 * 60),
       quota_quarters=st.integers(min_value=1, max_value=4 * 120),
       fraction=st.floats(min_value=0, max_value=0.4999), share=st.integers(min_value=-5, max_value=150))
def test_a_step_is_never_flagged_in_the_first_half_of_its_quota(calendar, start_minutes, quota_quarters, fraction,
                                                                    share):
    """Property, on a real agency calendar (weekends, holidays, office hours): whatever the start,
    the quota and the agency's share, a step that has used less than half its working time is not
    due soon."""
    start = local(2, 0) + dt.timedelta(minutes=start_minutes)
    quota_hours = Decimal(quota_quarters) / 4
    due = engine.due(calendar, start, quota_hours, "working_hours")
    used = engine.add_working_time(calendar, start, quota_of(quota_hours) * fraction)
    assert used < due
    assert not step_due_soon(due, quota_hours, used, share, calendar)


@pytest.fixture
def calendar(people):
    return calendar_for(Agency.objects.get(pk=people.commune.pk))


def test_paused_time_is_not_part_of_the_time_given(people):
    d = counter_dossier(people, CRIMINAL_RECORD)
    actions.handover(d, actor=people.centre_receptionist, at=local(9, 10))
    actions.pause(d, actor=people.justice_head, reason="Niêm yết công khai", at=local(10, 9))
    d = actions.resume(fresh(d), actor=people.justice_head, at=local(12, 9)).dossier
    assert d.paused_total > dt.timedelta(0) and d.due_at > local(23, 9, 15)
    centre = Agency.objects.get(pk=people.centre.pk)
    # Two working days before the (moved) due time: 16 h of the 80 h it is given: 20 %.
    two_days_before = d.due_at - dt.timedelta(days=2)
    assert in_last_share(centre, d.received_at, d.due_at, d.paused_total, two_days_before)
