"""The QĐ 766 formulas as pure functions: rounding, no division by zero, 5.4."""

from __future__ import annotations

from decimal import Decimal

from motcua.reports import indicators


def test_a_rate_is_a_rounded_percentage_or_none_without_a_denominator():
    assert indicators.rate(2, 3) == Decimal("66.67")
    assert indicators.rate(1, 8) == Decimal("12.50")
    assert indicators.rate(0, 5) == Decimal("0.00")
    assert indicators.rate(0, 0) is None
    assert indicators.rate(5, 0) is None


def test_satisfaction_subtracts_the_late_and_complaint_rates_and_never_goes_below_zero():
    assert indicators.satisfaction(3, 2, 9) == Decimal("44.44")
    assert indicators.satisfaction(0, 0, 4) == Decimal("100.00")
    assert indicators.satisfaction(4, 4, 4) == Decimal("0.00")
    assert indicators.satisfaction(0, 0, 0) is None


def test_every_indicator_has_a_definition_and_no_data_means_none():
    items = indicators.build({})
    assert [i.code for i in items] == ["2.1", "3.3", "3.6", "3.6a", "4.1", "4.2", "5.4"]
    assert all(i.value is None and not i.has_data for i in items)
    assert all(len(str(i.definition)) > 40 for i in items)
    assert items[0].as_dict()["value"] is None


def test_it_builds_values_from_counts():
    counts = {"i_base": 9, "i_on_time": 6, "i_late": 3, "received": 9, "received_online": 3, "i_fee": 5,
              "i_paid": 1, "finished": 4, "i_result": 4, "i_digitised": 1, "i_complained": 2}
    by_key = {i.key: i for i in indicators.build(counts)}
    assert by_key["on_time"].value == Decimal("66.67")
    assert (by_key["on_time"].numerator, by_key["on_time"].denominator) == (6, 9)
    assert by_key["online"].value == Decimal("33.33") and by_key["online"].meets_target is False
    assert by_key["online_payment"].value == Decimal("20.00")
    assert by_key["electronic_result"].value == Decimal("100.00")
    assert by_key["digitised"].value == Decimal("11.11")
    assert by_key["satisfaction"].value == Decimal("44.44")
