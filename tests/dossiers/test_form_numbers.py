"""The numbers of the official forms (#17): a series per agency, form and year, given once when the
paper is issued, printed as stored (a reprint, a back-dated entry or a migration changes none)."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.apps import apps
from django.db import close_old_connections, connection, transaction

from motcua.dossiers import actions, numbers, paperwork
from motcua.dossiers.models import Dossier, FormNumber, FormSeries

from .conftest import BIRTH, CRIMINAL_RECORD, TZ, at, counter_dossier, fresh
from .test_paperwork import pdf_text


def test_receptions_take_the_next_numbers_of_their_agency_and_year(people):
    first = counter_dossier(people)
    second = counter_dossier(people, when=at(9, 10))
    assert (first.reception_number, first.ledger_number) == (1, 1)
    assert (second.reception_number, second.ledger_number) == (2, 2)
    # The next year starts a new book.
    next_year = counter_dossier(people, when=dt.datetime(2027, 1, 4, 9, 0, tzinfo=TZ))
    assert (next_year.reception_number, next_year.ledger_number) == (1, 1)
    assert FormSeries.objects.get(agency=people.commune, form="01", year=2026).last == 2


def test_a_reprint_never_changes_the_number(people, tmp_path):
    d = counter_dossier(people, when=at(9, 10))
    text = pdf_text(paperwork.render(d, "01"), tmp_path)
    assert "Số: 1/TNHS" in text
    assert "Quyển số: 2026" in text and "Số thứ tự: 1" in text
    # A back-dated entry (a paper dossier received earlier, typed in now) takes the next free
    # number of its year and keeps its own date; the first dossier's paper is unchanged.
    earlier = counter_dossier(people, when=at(2, 8, 30))
    assert earlier.received_at == at(2, 8, 30)
    assert (earlier.reception_number, earlier.ledger_number) == (2, 2)
    assert paperwork.receipt(fresh(d)).number == "1"
    assert paperwork.receipt(fresh(d)).ledger_entry == "1"
    assert paperwork.receipt(fresh(earlier)).number == "2"
    again = pdf_text(paperwork.render(fresh(d), "01"), tmp_path)
    assert "Số: 1/TNHS" in again and "Số thứ tự: 1" in again


def test_an_online_dossier_is_numbered_when_received_not_when_submitted(people):
    from .conftest import online_dossier

    d = online_dossier(people, when=at(9, 8))
    assert d.reception_number is None and d.ledger_number is None
    assert paperwork.available_forms(d) == []
    counter_dossier(people, when=at(9, 9))  # 1
    received = actions.receive(d, actor=people.receptionist, at=at(9, 10)).dossier
    assert (received.reception_number, received.ledger_number) == (2, 2)


def test_each_numbered_paper_has_its_own_series(people, tmp_path):
    a = counter_dossier(people, receive=False)
    actions.request_supplement(a, actor=people.receptionist, missing=["Giấy chứng sinh"], at=at(9, 9, 30))
    b = counter_dossier(people, receive=False, when=at(9, 9, 40))
    actions.refuse(b, actor=people.receptionist, reason="Không thuộc thẩm quyền", at=at(9, 9, 45))
    c = counter_dossier(people, receive=False, when=at(9, 9, 50))
    actions.request_supplement(c, actor=people.receptionist, missing=["Tờ khai"], at=at(9, 9, 55))
    assert paperwork.supplement_request(fresh(a)).number == "1"
    assert paperwork.supplement_request(fresh(c)).number == "2"
    assert paperwork.refusal(fresh(b)).number == "1"
    assert "Số: 2/HDHS" in pdf_text(paperwork.render(fresh(c), "02"), tmp_path)
    assert "Số: 1/TCHS" in pdf_text(paperwork.render(fresh(b), "03"), tmp_path)
    # None of them was received: no form 01 number was used.
    assert not FormSeries.objects.filter(form="01").exists()
    assert FormNumber.objects.filter(form="02").count() == 2


def test_the_extension_and_the_stop_are_numbered_by_the_agency_that_issues_them(people, tmp_path):
    d = counter_dossier(people, CRIMINAL_RECORD)
    actions.handover(d, actor=people.centre_receptionist, at=at(9, 10))  # to Sở Tư pháp
    actions.extend(d, actor=people.justice_leader, new_due_at=at(27, 17, 0), reason="Cần xác minh", at=at(18))
    row = FormNumber.objects.get(form="04")
    assert (row.agency_id, row.year, row.number) == (people.justice.pk, 2026, 1)
    assert paperwork.apology_extension(fresh(d)).number == "1"
    actions.stop(d, actor=people.justice_leader, reason="Người nộp không đủ điều kiện", at=at(19))
    assert paperwork.stop_notice(fresh(d)).number == "1"
    assert FormNumber.objects.get(form="05").agency_id == people.justice.pk


def test_a_paper_from_before_numbers_were_kept_prints_dots(people, tmp_path):
    d = counter_dossier(people, receive=False)
    actions.refuse(d, actor=people.receptionist, reason="Không thuộc thẩm quyền", at=at(9, 9, 45))
    FormNumber.objects.all().delete()
    assert paperwork.refusal(fresh(d)).number == ""
    assert "Số: ……/TCHS" in pdf_text(paperwork.render(fresh(d), "03"), tmp_path)


def test_the_migration_keeps_the_numbers_printed_before_it(people):
    """Dossiers received before the numbers were stored get the order their form 01 printed (their
    place among the agency's receptions of the year); the series continue after them."""
    late = counter_dossier(people, when=at(10, 9))
    early = counter_dossier(people, when=at(9, 9))  # received earlier, created later
    last_year = counter_dossier(people, when=dt.datetime(2025, 12, 31, 16, 0, tzinfo=TZ))
    Dossier.objects.update(reception_number=None, ledger_number=None)
    FormSeries.objects.all().delete()
    migration = importlib.import_module("motcua.dossiers.migrations.0008_form_numbers")
    migration.backfill(apps, None)
    assert [fresh(x).reception_number for x in (early, late, last_year)] == [1, 2, 1]
    assert [fresh(x).ledger_number for x in (early, late, last_year)] == [1, 2, 1]
    assert counter_dossier(people, when=at(11)).reception_number == 3


def test_allocate_refuses_an_unknown_form(people):
    with pytest.raises(ValueError), transaction.atomic():
        numbers.allocate(people.commune, "09", at(9))


@pytest.mark.django_db(transaction=True)
def test_two_threads_never_take_the_same_number(people):
    """Two receptions at the same moment (real threads and transactions): different numbers, no gap."""
    barrier = threading.Barrier(2)
    when = [at(9, 9, 0), at(9, 9, 1)]

    def run(moment):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            return counter_dossier(people, BIRTH, moment).reception_number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        got = sorted(pool.map(run, when))
    assert got == [1, 2]
    assert sorted(Dossier.objects.values_list("ledger_number", flat=True)) == [1, 2]
    assert FormSeries.objects.get(agency=people.commune, form="01", year=2026).last == 2
