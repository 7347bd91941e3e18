"""Fixtures for the reports: the back office's people and helpers, and hand-made dossier histories
made through the real action layer (`at=` puts them in March 2026, a month without holidays)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from ..backoffice import conftest as backoffice_conftest
from ..backoffice.conftest import BIRTH, BUILDING, CRIMINAL_RECORD, PDF, TZ, counter_dossier, fresh, online_dossier

# The back office's fixtures, shared with these tests.
people = backoffice_conftest.people
login = backoffice_conftest.login
_media = backoffice_conftest._media
__all__ = ["BIRTH", "BUILDING", "CRIMINAL_RECORD", "TZ", "counter_dossier", "fresh", "online_dossier"]

MARCH = {"tu": "2026-03-01", "den": "2026-03-31"}


def at(day: int, hour: int = 9, minute: int = 15, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def result_file(dossier, actor, when):
    from motcua.dossiers import actions

    return actions.add_file(dossier, actor=actor, upload=io.BytesIO(PDF), name="ket-qua.pdf", kind="result", at=when)


def walk_criminal(people, dossier, start: dt.datetime, *, finish: dt.datetime | None = None):
    """Lý lịch tư pháp: centre -> justice officer -> head -> leader -> clerk (-> completed at `finish`)."""
    from motcua.dossiers import actions

    actions.handover(dossier, actor=people.centre_receptionist, at=start)
    actions.handover(dossier, actor=people.justice_officer, at=start + dt.timedelta(hours=1))
    actions.handover(dossier, actor=people.justice_head, at=start + dt.timedelta(hours=2))
    actions.handover(dossier, actor=people.justice_leader, at=start + dt.timedelta(hours=3))
    if finish is not None:
        result_file(dossier, people.justice_clerk, finish - dt.timedelta(minutes=5))
        actions.complete(dossier, actor=people.justice_clerk, at=finish)
    return fresh(dossier)


def walk_birth(people, dossier, start: dt.datetime, *, finish: dt.datetime | None = None):
    """Khai sinh (commune Tân Thành): reception -> officer -> leader -> clerk (-> completed)."""
    from motcua.dossiers import actions

    actions.handover(dossier, actor=people.receptionist, at=start)
    actions.handover(dossier, actor=people.officer, at=start + dt.timedelta(minutes=20))
    actions.handover(dossier, actor=people.leader, at=start + dt.timedelta(minutes=40))
    if finish is not None:
        result_file(dossier, people.clerk, finish - dt.timedelta(minutes=5))
        actions.complete(dossier, actor=people.clerk, at=finish)
    return fresh(dossier)


@pytest.fixture
def histories(people):
    """Dossiers with known QĐ 766 outcomes for March 2026 (see each comment)."""
    from motcua.dossiers import actions
    from motcua.feedback.models import Category, Feedback, Rating

    h = {}
    # A: supplement during processing (2 working days), finished after the original due time but
    # before the moved one: on time. Rated "Không hài lòng": counted in 5.4.
    a = counter_dossier(people, CRIMINAL_RECORD, at(9))  # due Mon 23 09:15
    # A paid its fee at the counter (record_fee, #17): counted as paid like K's online payment.
    actions.record_fee(a, actor=people.centre_receptionist, amount_vnd=200_000, method="cash",
                       receipt_number="0000001", at=at(9, 9, 20))
    actions.handover(a, actor=people.centre_receptionist, at=at(9, 10))
    actions.request_supplement(a, actor=people.justice_officer, missing=["Bản sao CCCD"], at=at(10))
    actions.supply(a, actor=people.centre_receptionist, at=at(12))  # due -> Wed 25 09:15
    actions.handover(a, actor=people.justice_officer, at=at(12, 10))
    actions.handover(a, actor=people.justice_head, at=at(12, 11))
    actions.handover(a, actor=people.justice_leader, at=at(13, 9))
    result_file(a, people.justice_clerk, at(25, 8, 30))
    actions.complete(a, actor=people.justice_clerk, at=at(25, 9, 0))  # the due day, before 09:15
    h["a"] = fresh(a)
    Rating.objects.create(dossier=h["a"], agency=h["a"].agency, score=7, unsatisfied=True, created_at=at(26),
                          **{f"c{n}": 1 for n in range(1, 8)}, c8=0, c9=0)
    # B: two supplement requests: late although it finished early.
    b = counter_dossier(people, CRIMINAL_RECORD, at(9))
    actions.handover(b, actor=people.centre_receptionist, at=at(9, 10))
    actions.request_supplement(b, actor=people.justice_officer, missing=["A"], at=at(10))
    actions.supply(b, actor=people.centre_receptionist, at=at(11))
    actions.request_supplement(b, actor=people.justice_officer, missing=["B"], at=at(11, 14))
    actions.supply(b, actor=people.centre_receptionist, at=at(12))
    actions.handover(b, actor=people.justice_officer, at=at(12, 10))
    actions.handover(b, actor=people.justice_head, at=at(12, 11))
    actions.handover(b, actor=people.justice_leader, at=at(12, 14))
    result_file(b, people.justice_clerk, at(13, 9))
    actions.complete(b, actor=people.justice_clerk, at=at(13, 10))
    h["b"] = fresh(b)
    # C: withdrawn after receipt, before its due time: in the denominator, on time. A PAKN names it.
    c = counter_dossier(people, BIRTH, at(16, 8, 0))
    actions.withdraw(c, actor=people.receptionist, reason="Người nộp xin rút", at=at(16, 8, 30))
    h["c"] = fresh(c)
    Feedback.objects.create(name="Trần Thị Bình", phone="0912000111", category=Category.PROGRESS,
                            title="Chậm", content="Hồ sơ chậm", dossier=h["c"], agency=h["c"].agency,
                            created_at=at(17))
    # D: stopped with a notice before its due time: in the denominator, on time.
    d = counter_dossier(people, BIRTH, at(17, 8, 0))
    actions.handover(d, actor=people.receptionist, at=at(17, 8, 10))
    actions.stop(d, actor=people.leader, reason="Không đủ điều kiện", at=at(17, 9))
    h["d"] = fresh(d)
    # E: refused at reception (never received): out of 2.1.
    e = online_dossier(people, BIRTH, at(18))
    actions.refuse(e, actor=people.receptionist, reason="Sai thẩm quyền", at=at(18, 10))
    h["e"] = fresh(e)
    # F: same-day birth registration received on the 19th and never handled: open and late at the end.
    h["f"] = counter_dossier(people, BIRTH, at(19, 8, 0))
    # G: received on 31 March, due in April: open and on time at the end.
    h["g"] = walk_criminal(people, counter_dossier(people, CRIMINAL_RECORD, at(31, 8, 0)), at(31, 8, 30))
    # H: birth registration finished the next day: late.
    h["h"] = walk_birth(people, counter_dossier(people, BIRTH, at(20, 8, 0)), at(20, 8, 10), finish=at(23, 10))
    # I: an online dossier withdrawn before reception: out of 2.1 (never received).
    i = online_dossier(people, BIRTH, at(20))
    actions.withdraw(i, actor=people.citizen, reason="Nộp nhầm", at=at(20, 11))
    h["i"] = fresh(i)
    # J: waiting for a supplement at the period's end, asked before its due time: paused, on time.
    j = counter_dossier(people, CRIMINAL_RECORD, at(23))
    actions.handover(j, actor=people.centre_receptionist, at=at(23, 10))
    actions.request_supplement(j, actor=people.justice_officer, missing=["Tờ khai"], at=at(24))
    h["j"] = fresh(j)
    # K: finished early (days before its due day), with a scanned component: digitised.
    k = counter_dossier(people, CRIMINAL_RECORD, at(2))  # due Mon 16 09:15
    component = k.procedure_version.components.order_by("order", "id").first()
    actions.add_file(k, actor=people.centre_receptionist, upload=io.BytesIO(PDF), name="to-khai.pdf",
                     component=component, at=at(2, 9, 30))
    k = walk_criminal(people, k, at(2, 10), finish=at(12, 10))
    h["k"] = k
    # K paid its fee online; G's attempt failed (payment rows as the payments app leaves them).
    from motcua.payments.models import Payment

    for n, (dossier, state) in enumerate(((k, "paid"), (h["g"], "failed"))):
        Payment.objects.create(dossier=dossier, merchant_ref=f"R1-{n}", provider="vnpay", amount_vnd=200_000,
                               state=state, deadline=at(2, 23), created_at=at(2, 9, 20), created_by=people.citizen,
                               paid_at=at(2, 9, 25) if state == "paid" else None)
    # K's payment recorded on the dossier, as the payments app does when the gateway confirms it.
    actions.record_payment(k, amount_vnd=200_000, reference="R1-0", provider="vnpay", paid_at=at(2, 9, 25),
                           at=at(12, 11))
    h["k"] = fresh(k)
    return h
