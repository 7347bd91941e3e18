"""Daily warnings to staff: who gets which dossiers, working time across a weekend (the last share
of the time, `deadlines.SoonRule`), once per person per day, agencies kept apart, the hourly job,
the messages' text."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from motcua.dossiers import actions
from motcua.notify import warnings
from motcua.notify.models import DailyWarning, Message
from tests.dossiers.conftest import CRIMINAL_RECORD, TZ, counter_dossier

from .conftest import drain

# March 2026 has no public holiday: Monday 9 is a plain working day, Friday 13 a Friday.
MONDAY = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
FRIDAY_4PM = dt.datetime(2026, 3, 13, 16, 0, tzinfo=TZ)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def dossier_due(people, due: dt.datetime, *, to=None, pool: bool = False, received: dt.datetime = MONDAY):
    """A birth registration received on Monday (due the same day), its due time moved to `due`
    by an extension, then handed to the officer step: to `to`, or to the officers' pool."""
    d = counter_dossier(people, when=received)
    d = actions.extend(d, actor=people.receptionist, new_due_at=due, reason="Xác minh thêm",
                       at=received + dt.timedelta(minutes=5)).dossier
    return actions.handover(d, actor=people.receptionist, to_user=None if pool else (to or people.officer),
                            at=received + dt.timedelta(minutes=10)).dossier


@pytest.fixture
def board(people):
    """X: the officer's, due Monday 10:00; Y: in the officers' pool, late since Thursday;
    Z: the officer2's, due Friday 20 10:00 (still 4 working days of its 9 from Friday 16:00).
    Their officer steps (1 hour) are long past: the dossiers' own time decides."""
    people.officer.email, people.officer.phone = "cv@example.invalid", "0912345678"
    people.officer.save()
    people.leader.email = "ld@example.invalid"
    people.leader.save()
    x = dossier_due(people, local(16, 10))
    y = dossier_due(people, local(12, 10), pool=True)
    z = dossier_due(people, local(20, 10), to=people.officer2)
    return x, y, z


def codes(digest):
    return {i.code for i in digest.soon}, {i.code for i in digest.late}


def test_it_warns_each_person_of_their_own_and_their_pools_dossiers(people, board):
    x, y, z = board
    digests = warnings.digests(FRIDAY_4PM)
    assert codes(digests[people.officer.pk]) == ({x.code}, {y.code})
    assert codes(digests[people.officer2.pk]) == (set(), {y.code})  # Z is due next Friday: not yet
    assert codes(digests[people.leader.pk]) == ({x.code}, {y.code})  # the leader: the agency's
    # Receptionists and clerks hold no such role and have nothing assigned; other agencies see nothing.
    for person in (people.receptionist, people.clerk, people.justice_officer, people.justice_leader,
                   people.other_officer, people.supervisor):
        assert person.pk not in digests


def test_working_time_crosses_the_weekend_not_24_hours(people, board):
    x, _y, z = board
    assert warnings.one_working_day_after(people.commune, FRIDAY_4PM) == local(16, 16)
    soon, _late = codes(warnings.digests(FRIDAY_4PM)[people.officer.pk])
    assert x.code in soon  # Monday 10:00 is 66 calendar hours away, but a few working hours
    assert FRIDAY_4PM + dt.timedelta(hours=24) < x.due_at
    # On Wednesday 18 at 16:00, Z (Friday 10:00: about 10 working hours of 72) is due soon; X is late.
    later = warnings.digests(local(18, 16))
    assert codes(later[people.officer2.pk])[0] == {z.code}
    assert x.code in codes(later[people.officer.pk])[1]
    # On Monday 16 at 08:00 Z still has more than a quarter of its time.
    assert z.code not in codes(warnings.digests(local(16, 8)).get(people.officer2.pk, warnings.Digest(0)))[0]


def test_a_paused_dossier_is_not_due_and_a_second_supplement_counts_as_late(people, board):
    x, y, z = board
    actions.request_supplement(x, actor=people.officer, missing=["Bản sao giấy chứng sinh"], at=local(13, 9))
    z = actions.request_supplement(z, actor=people.officer2, missing=["Tờ khai"], at=local(13, 9)).dossier
    z = actions.supply(z, actor=people.receptionist, at=local(13, 10)).dossier
    actions.request_supplement(z, actor=people.officer2, missing=["Tờ khai có chữ ký"], at=local(13, 11))
    digests = warnings.digests(FRIDAY_4PM)
    assert codes(digests[people.officer.pk]) == (set(), {y.code})  # X's clock is stopped
    assert codes(digests[people.officer2.pk]) == (set(), {y.code, z.code})  # Z counts as late


def test_staff_of_another_agency_never_get_its_dossiers(people, board):
    # A dossier of Sở Tư pháp, late, in its officers' pool; the commune's officer holds the same role elsewhere.
    d = counter_dossier(people, code=CRIMINAL_RECORD, when=local(2, 9))
    actions.handover(d, actor=people.centre_receptionist, at=local(2, 10))
    late_at = local(27, 9)
    digests = warnings.digests(late_at)
    justice = codes(digests[people.justice_officer.pk])
    assert d.code in justice[1] | justice[0]
    assert d.code in set().union(*codes(digests[people.justice_leader.pk]))
    for person in (people.officer, people.officer2, people.leader, people.other_officer):
        assert d.code not in set().union(*codes(digests.get(person.pk, warnings.Digest(0))))
    assert not (set().union(*codes(digests[people.justice_officer.pk])) & {c.code for c in board})


def test_it_sends_once_a_day_in_vietnamese(people, board):
    x, y, _z = board
    first = warnings.send_warnings(FRIDAY_4PM)
    assert first == {"sent": 3, "already": 0, "messages": 3}  # officer: e-mail + SMS; leader: e-mail; officer2: none
    again = warnings.send_warnings(FRIDAY_4PM + dt.timedelta(hours=2))
    assert again == {"sent": 0, "already": 3, "messages": 0}
    assert DailyWarning.objects.count() == 3
    record = DailyWarning.objects.get(user=people.officer)
    assert (record.due_soon, record.late, record.codes) == (1, 1, [y.code, x.code])
    assert sorted(record.channels) == ["email", "sms"]
    assert not DailyWarning.objects.get(user=people.officer2).channels  # no address: recorded, nothing sent
    drain()
    emails = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Cảnh báo")}  # (applicants get theirs)
    assert set(emails) == {"cv@example.invalid", "ld@example.invalid"}
    officer_mail = emails["cv@example.invalid"]
    assert "1 hồ sơ quá hạn, 1 hồ sơ sắp đến hạn" in officer_mail.subject
    assert x.code in officer_mail.body and y.code in officer_mail.body
    assert "16/03/2026" in officer_mail.body  # X's due time, local
    sms = Message.objects.get(channel="sms", template=warnings.TEMPLATE)
    assert sms.recipient == "0912345678" and "1 ho so qua han" in sms.body and len(sms.body) <= 160
    # The next working day is a new day: sent again.
    monday = warnings.send_warnings(local(16, 8))
    assert monday["sent"] >= 2
    assert DailyWarning.objects.filter(day=dt.date(2026, 3, 16)).count() == monday["sent"]


def test_nobody_with_nothing_due_gets_anything(people):
    counter_dossier(people)  # due Monday 17:00, received at the counter
    assert warnings.send_warnings(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)) == {"sent": 0, "already": 0, "messages": 0}
    assert not Message.objects.filter(template=warnings.TEMPLATE).exists()


def test_the_hourly_job_sends_on_working_days_from_seven(people, board, settings):
    from motcua.jobs import runner

    assert runner.PERIODIC[warnings.WARNING_JOB].every == dt.timedelta(hours=1)
    assert warnings.run(now=local(14, 10)) == {"sent": 0, "already": 0, "messages": 0}  # Saturday
    assert warnings.run(now=local(13, 6, 30)) == {"sent": 0, "already": 0, "messages": 0}  # before 07:00
    settings.MOTCUA_WARNING_HOUR = 6
    assert warnings.run(now=local(13, 6, 30))["sent"] == 3
    # Through the job runner: enqueued by the scheduler, run by the worker, nothing sent twice.
    # The same Friday, later that morning: the scheduler and the worker read the clock.
    with time_machine.travel(local(13, 9), tick=True):
        made = runner.schedule_periodic()
        assert made >= 1
        drain()
    assert DailyWarning.objects.count() == 3


def test_summary_counts_match_the_digest(people, board):
    x, y, z = board
    assert warnings.summary_for(people.officer, FRIDAY_4PM) == warnings.Summary(soon=1, late=1, leader=False)
    assert warnings.summary_for(people.officer2, FRIDAY_4PM) == warnings.Summary(soon=0, late=1, leader=False)
    assert warnings.summary_for(people.leader, FRIDAY_4PM) == warnings.Summary(soon=1, late=1, leader=True)
    assert not warnings.summary_for(people.other_officer, FRIDAY_4PM).any
    assert not warnings.summary_for(people.justice_leader, FRIDAY_4PM).any
