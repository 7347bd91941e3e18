""""Sắp đến hạn" (#17): a dossier is due soon only in the last share of its working time (25 % by
default, the agency's `soon_share`, at most 50 %), never in the first half; the daily warnings
and the inbox panel use the rule."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from motcua.agencies.models import Agency
from motcua.dossiers import actions
from motcua.dossiers.deadlines import due_soon, in_last_share
from motcua.notify import warnings

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


def test_a_same_day_dossier_is_not_due_soon_the_minute_it_is_received(people):
    """Khai sinh: same day (due 17:00). Received at 09:15 it is within one working day at once;
    it is due soon only in its last quarter of working time."""
    d = counter_dossier(people, BIRTH, when=local(9, 9, 15))
    d = actions.handover(d, actor=people.receptionist, to_user=people.officer, at=local(9, 9, 20)).dossier
    assert d.due_at == local(9, 17, 0)
    assert d.code not in {i.code for i in warnings.digests(local(9, 9, 30)).get(people.officer.pk,
                                                                                   warnings.Digest(0)).soon}
    assert warnings.summary_for(people.officer, local(9, 9, 30)).soon == 0
    late_afternoon = local(9, 16, 0)
    assert {i.code for i in warnings.digests(late_afternoon)[people.officer.pk].soon} == {d.code}
    assert warnings.summary_for(people.officer, late_afternoon).soon == 1
    # The agency may warn later (10 %): at 16:00 it is not yet due soon.
    Agency.objects.filter(pk=people.commune.pk).update(soon_share=10)
    assert warnings.summary_for(people.officer, late_afternoon).soon == 0
    assert warnings.summary_for(people.officer, local(9, 16, 40)).soon == 1


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
