from decimal import Decimal

from motcua.core.money import vnd


def test_it_groups_thousands_with_dots_and_adds_the_unit():
    assert vnd(75000) == "75.000 đồng"
    assert vnd(1200000, unit="đồng") == "1.200.000 đồng"
    assert vnd("8000", unit="") == "8.000"
    assert vnd(Decimal("999")) == "999 đồng"
    assert vnd(0) == "0 đồng"
