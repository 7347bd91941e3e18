"""Prefill from the citizen's profile, defaults, and who the applicant is."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from motcua.eforms.defaults import GENERIC_SCHEMA
from motcua.eforms.schema import (
    applicant_from,
    clean_data,
    initial_values,
    prefill,
    profile_from_user,
    with_prefill,
)
from motcua.eforms.services import demo_files

USER = SimpleNamespace(
    is_authenticated=True, full_name="Nguyễn Văn Công Dân", id_number="096090001234",
    date_of_birth=dt.date(1990, 5, 17), address="Khóm 2, Phường Tân Thành, tỉnh Cà Mau",
    phone="0912345678", email="congdan@example.invalid",
)


def test_it_prefills_the_profile_fields_by_type():
    values = prefill(GENERIC_SCHEMA, profile_from_user(USER))
    assert values["applicant_name"] == "Nguyễn Văn Công Dân"
    assert values["applicant_dob"] == "1990-05-17"
    assert values["applicant_id_number"] == "096090001234"
    assert values["applicant_address"] == {"province": "96", "commune": "32025", "detail": "Khóm 2"}
    assert values["applicant_phone"] == "0912345678"
    assert values["applicant_email"] == "congdan@example.invalid"
    assert "request" not in values


def test_a_prefilled_profile_cleans_without_errors():
    data = {**initial_values(GENERIC_SCHEMA, profile_from_user(USER)), "request": "Cấp lại giấy tờ"}
    cleaned, errors = clean_data(GENERIC_SCHEMA, data)
    assert errors == {}
    assert cleaned["applicant_address"]["commune_name"] == "Phường Tân Thành"


def test_an_address_outside_the_list_keeps_its_text():
    values = prefill([{"key": "a", "label": "A", "type": "address", "prefill": "profile.address"}],
                     {"address": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"})
    assert values["a"] == {"province": "79", "commune": "", "detail": "12 Lê Lợi, Phường Bến Thành"}


def test_defaults_and_prefill_never_overwrite_an_answer():
    schema = demo_files()["1.001193"]["schema"]
    start = initial_values(schema, profile_from_user(USER))
    assert start["child_nationality"] == "Việt Nam" and start["child_ethnicity"] == "Kinh"
    assert start["requester_name"] == "Nguyễn Văn Công Dân"
    merged = with_prefill(schema, {"requester_name": "Trần Thị Mẹ", "child_ethnicity": ""},
                          profile_from_user(USER))
    assert merged["requester_name"] == "Trần Thị Mẹ"
    assert merged["child_ethnicity"] == ""  # cleared on purpose: stays cleared
    assert merged["requester_phone"] == "0912345678"


def test_the_applicant_comes_from_the_prefilled_fields_else_the_profile():
    schema = demo_files()["1.001193"]["schema"]
    cleaned = {"requester_name": "Trần Thị Mẹ", "requester_id_number": "096190004321",
               "requester_address": {"detail": "Ấp 1", "commune_name": "Xã Đầm Dơi", "province_name": "Tỉnh Cà Mau"}}
    applicant = applicant_from(schema, cleaned, profile_from_user(USER))
    assert applicant["full_name"] == "Trần Thị Mẹ"
    assert applicant["id_number"] == "096190004321"
    assert applicant["address"] == "Ấp 1, Xã Đầm Dơi, Tỉnh Cà Mau"
    assert applicant["phone"] == "0912345678"  # not answered: the profile's


def test_an_anonymous_user_has_no_profile():
    assert profile_from_user(None) == {}
    assert profile_from_user(SimpleNamespace(is_authenticated=False)) == {}
