from __future__ import annotations

from datetime import UTC, date, datetime

from motcua.documents.formatting import long_date, nfc, place_and_date, short_date, time_and_date
from motcua.documents.forms import AgencyInfo
from motcua.documents.render import doc_number


def test_it_writes_times_the_way_the_forms_do_in_viet_nam_time():
    assert time_and_date(datetime(2026, 11, 27, 2, 15, tzinfo=UTC)) == "09 giờ 15 phút, ngày 27/11/2026"
    assert time_and_date(datetime(2026, 11, 27, 20, 5, tzinfo=UTC)) == "03 giờ 05 phút, ngày 28/11/2026"
    assert time_and_date(datetime(2026, 1, 2, 7, 0)) == "07 giờ 00 phút, ngày 02/01/2026"
    assert time_and_date(None).startswith("…")


def test_it_writes_dates_as_nd_30_2020_asks():
    assert long_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(date(2026, 11, 27)) == "ngày 27 tháng 11 năm 2026"
    assert long_date(date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert place_and_date("Thanh Hóa", date(2026, 12, 31)) == "Thanh Hóa, ngày 31 tháng 12 năm 2026"
    assert short_date(datetime(2026, 12, 31, 18, 0, tzinfo=UTC)) == "01/01/2027"


def test_it_completes_document_numbers_with_the_forms_symbol():
    assert doc_number("7", "01") == "7/TNHS"
    assert doc_number("", "02") == "……/HDHS"
    assert doc_number("1520/STP-HCTP", "04") == "1520/STP-HCTP"


def test_it_normalises_nested_dataclasses_to_nfc():
    decomposed = "U\u0309y ban nha\u0302n da\u0302n"  # "Ủy ban nhân dân" in NFD
    agency = nfc(AgencyInfo(name=decomposed, parent_name=decomposed))
    assert agency.name == "Ủy ban nhân dân" == agency.parent_name
