"""Dossier codes: format, sequence per agency per day, restart, uniqueness; tracking keys."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.codes import (
    TRACKING_ALPHABET,
    allocate_code,
    format_code,
    new_tracking_key,
    normalise_tracking_key,
    tracking_key_matches,
)

from .conftest import BIRTH, CRIMINAL_RECORD, TZ, at, counter_dossier, online_dossier


def test_it_formats_the_default_pattern():
    assert format_code("000.00.25.H12", dt.date(2026, 11, 27), 7) == "000.00.25.H12-261127-0007"
    assert format_code("000.00.25.H12", dt.date(2026, 11, 27), 12345) == "000.00.25.H12-261127-12345"


def test_it_follows_the_pattern_setting(settings):
    settings.MOTCUA_DOSSIER_CODE_PATTERN = "{unit_code}-{date:%Y%m%d}-{seq:07d}"
    assert format_code("G09.20", dt.date(2026, 6, 9), 92637) == "G09.20-20260609-0092637"


def test_it_numbers_per_agency_per_day_and_restarts_the_next_day(people):
    codes = [counter_dossier(people, BIRTH, at(9, 8 + i)).code for i in range(3)]
    assert codes == ["000.21.01.H12-260309-0001", "000.21.01.H12-260309-0002", "000.21.01.H12-260309-0003"]
    # Another agency has its own sequence on the same day.
    assert counter_dossier(people, CRIMINAL_RECORD, at(9, 10)).code == "000.00.01.H12-260309-0001"
    # The next day starts again at 1.
    assert counter_dossier(people, BIRTH, at(10, 8)).code == "000.21.01.H12-260310-0001"
    # Online submissions share the receiving agency's sequence (code at submission).
    assert online_dossier(people, BIRTH, at(9, 16)).code == "000.21.01.H12-260309-0004"


def test_it_uses_the_local_date_of_receipt(people):
    # 23:30 UTC on 8 March is 06:30 on 9 March in Hà Nội / Cà Mau.
    late_utc = dt.datetime(2026, 3, 8, 23, 30, tzinfo=dt.UTC)
    assert counter_dossier(people, BIRTH, late_utc).code.startswith("000.21.01.H12-260309-")


def test_it_never_repeats_a_number(people):
    agency = people.commune
    when = dt.datetime(2026, 3, 11, 10, 0, tzinfo=TZ)
    codes = []
    for _ in range(200):
        with transaction.atomic():
            codes.append(allocate_code(agency, when))
    assert len(set(codes)) == 200
    assert codes[-1].endswith("-0200")


def test_it_rolls_back_a_number_with_its_transaction(people):
    when = dt.datetime(2026, 3, 12, 10, 0, tzinfo=TZ)
    with transaction.atomic():
        first = allocate_code(people.commune, when)
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_code(people.commune, when)
        raise RuntimeError("creation failed")
    with transaction.atomic():
        second = allocate_code(people.commune, when)
    assert (first[-4:], second[-4:]) == ("0001", "0002")


def test_it_makes_tracking_keys_from_an_unambiguous_alphabet():
    keys = {new_tracking_key() for _ in range(500)}
    assert len(keys) > 490
    for key in keys:
        assert re.fullmatch(r"[A-Z2-9]{6}", key)
        assert not set(key) & set("01OIL")
        assert set(key) <= set(TRACKING_ALPHABET)


@given(st.text(max_size=20))
def test_tracking_key_comparison_never_fails_on_odd_input(text):
    assert tracking_key_matches("ABC234", text) == (normalise_tracking_key(text) == "ABC234")


def test_it_accepts_a_key_typed_in_lower_case_with_spaces():
    assert tracking_key_matches("ABC234", " abc 234 ")
    assert tracking_key_matches("ABC234", "abc-234")
    assert not tracking_key_matches("ABC234", "ABC235")
    assert not tracking_key_matches("ABC234", None)
