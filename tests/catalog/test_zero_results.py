"""Searches that matched nothing: normalised, without personal data, counted per month, bounded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog import zero_results
from motcua.catalog.models import ZeroResultQuery

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))


@pytest.mark.parametrize(("typed", "stored"), [
    ("Giấy Phép Lao Động", "giay phep lao dong"),
    ("ly hon 0912345678", ""),  # a query with a long number is not kept at all
    ("tra cuu ho so 000.21.01.H12-261127-0007", ""),
    ("khai sinh 09 12 34 56 78", ""), ("cccd 0 0 1 2 0 3 4 5", ""),
    ("nguyen.van.a@gmail.com tro cap", "tro cap"),
    ("email an @ gmail.com tro cap", "tro cap"), ("an(at)gmail.com khai sinh", "khai sinh"),
    ("tro cap 2 lan", "tro cap lan"), ("so nha 12 ngo 3", "so nha ngo"),
    ("", ""), ("0912345678", ""),
])
def test_it_stores_the_normalised_query_without_numbers_or_addresses(typed, stored):
    assert zero_results.scrub(typed) == stored


def test_it_bounds_the_stored_query():
    assert len(zero_results.scrub("giay " * 100)) <= zero_results.MAX_STORED_CHARS


def test_it_counts_per_month(db):
    zero_results.record("trợ cấp thất nghiệp", at=NOW)
    zero_results.record("tro cap that nghiep", at=NOW)
    zero_results.record("tro cap that nghiep", at=NOW + dt.timedelta(days=31))
    rows = list(ZeroResultQuery.objects.order_by("month").values_list("month", "query", "count"))
    assert rows == [(dt.date(2026, 12, 1), "tro cap that nghiep", 2), (dt.date(2027, 1, 1), "tro cap that nghiep", 1)]
    assert [r.query for r in zero_results.top(dt.date(2026, 12, 1))] == ["tro cap that nghiep"]


def test_it_keeps_at_most_so_many_queries_a_month(db, monkeypatch):
    monkeypatch.setattr(zero_results, "MAX_PER_MONTH", 2)
    for q in ("mot", "hai", "ba", "bon"):
        zero_results.record(f"tu {q}", at=NOW)
    zero_results.record("tu mot", at=NOW)
    assert dict(ZeroResultQuery.objects.values_list("query", "count")) == {"tu mot": 2, "tu hai": 1}


def test_a_new_month_deletes_months_older_than_kept(db):
    zero_results.record("cu", at=NOW - dt.timedelta(days=31 * 14))
    zero_results.record("moi", at=NOW)
    assert list(ZeroResultQuery.objects.values_list("query", flat=True)) == ["moi"]


def test_a_client_counts_once_per_query_a_day_and_a_few_queries_only(db):
    from django.test import RequestFactory

    factory = RequestFactory()
    one = factory.get("/thu-tuc/", REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        zero_results.record_request(one, "giấy phép nuôi chim")
    zero_results.record_request(factory.head("/thu-tuc/", REMOTE_ADDR="203.0.113.8"), "giấy phép nuôi cá")
    assert list(ZeroResultQuery.objects.values_list("query", "count")) == [("giay phep nuoi chim", 1)]
    for i in range(zero_results.MAX_PER_CLIENT_DAY + 5):
        zero_results.record_request(one, f"giấy phép nuôi {'a' * (i + 1)}")
    assert ZeroResultQuery.objects.count() == zero_results.MAX_PER_CLIENT_DAY
    zero_results.record_request(factory.get("/thu-tuc/", REMOTE_ADDR="203.0.113.9"), "giấy phép nuôi chim")
    assert ZeroResultQuery.objects.get(query="giay phep nuoi chim").count == 2  # another client counts
