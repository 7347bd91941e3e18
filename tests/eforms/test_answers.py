"""clean_answers: the one rule for a dossier's answers (wizard, counter, API): bounds on untrusted
input, no unknown field, the e-form's own checks, and cleaning cleaned answers changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.eforms import rendering
from motcua.eforms.answers import MAX_ANSWERS_CHARS, MAX_STORED_BYTES, clean_answers
from motcua.eforms.defaults import GENERIC_SCHEMA
from motcua.eforms.services import demo_files
from tests.answers import answers_for

TODAY = dt.date(2026, 3, 9)
SCHEMAS = {"generic": GENERIC_SCHEMA} | {code: data["schema"] for code, data in demo_files().items()}
GOOD = {name: answers_for(schema) for name, schema in SCHEMAS.items()}
HISTORY = "residence_history"  # the repeat of the criminal-record e-form (2.000488)


def check(data, schema=GENERIC_SCHEMA):
    return clean_answers(schema, data, today=TODAY, title="Đơn đề nghị")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_valid_answers_pass_and_pass_again_once_cleaned(name):
    cleaned, errors = check(GOOD[name], SCHEMAS[name])
    assert errors == {} and cleaned
    assert check(cleaned, SCHEMAS[name]) == (cleaned, {})


def test_it_names_each_wrong_field_by_its_label():
    answers = answers_for(GENERIC_SCHEMA)
    del answers["applicant_name"]
    cleaned, errors = check(answers | {"applicant_id_number": "123", "applicant_phone": ["0912345678"],
                                       "request": "x" * 2001})
    assert errors == {
        "applicant_name": "Cần nhập «Họ, chữ đệm, tên người đề nghị».",
        "applicant_id_number": "«Số định danh cá nhân (CCCD)»: số định danh cá nhân (CCCD) gồm đúng 12 chữ số.",
        "applicant_phone": "«Số điện thoại» phải là số điện thoại.",
        "request": "«Nội dung đề nghị» dài quá 2000 ký tự (đang có 2001).",
    }


def test_a_field_the_e_form_does_not_have_is_refused_not_dropped():
    _cleaned, errors = check(answers_for(GENERIC_SCHEMA) | {"ho_ten": "Nguyễn Văn An"})
    assert errors == {"ho_ten": "Tờ khai «Đơn đề nghị» không có trường «ho_ten»."}
    schema = SCHEMAS["2.000488"]
    answers = answers_for(schema)
    answers[HISTORY][0]["tu_thang"] = "09/2010"
    assert list(check(answers, schema)[1]) == [f"{HISTORY}.0.tu_thang"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([1, 2], "đối tượng JSON"),
        ("{}", "đối tượng JSON"),
        ({"request": [[[[["x"]]]]]}, "lồng nhau quá sâu"),
        ({"k" * 61: 1}, "tối đa 60 ký tự"),
        ({1: "x"}, "phải là chữ"),
        ({"request": "x" * MAX_ANSWERS_CHARS}, "quá lớn"),
        ({f"k{i}": None for i in range(25_000)}, "quá lớn"),
    ],
)
def test_it_refuses_untrusted_shapes_before_reading_them(data, words):
    cleaned, errors = check(data)
    assert cleaned == {} and list(errors) == [""] and words in errors[""]


def test_a_very_deep_structure_is_refused_without_recursion():
    value: object = "x"
    for _ in range(200_000):
        value = [value]
    _cleaned, errors = check({"request": value})
    assert "lồng nhau quá sâu" in errors[""]


def test_what_is_kept_is_bounded_too():
    schema = [{"key": f"t{i}", "label": f"Mục {i}", "type": "long_text", "validation": {"max_length": 5000}}
              for i in range(6)]
    _cleaned, errors = check({f"t{i}": "ữ" * 5000 for i in range(6)}, schema)  # 6 × 15 KB of UTF-8
    assert list(errors) == [""] and f"{MAX_STORED_BYTES // 1024} KB" in errors[""]


def test_the_wizard_lists_an_error_of_no_field_in_its_summary():
    _cleaned, errors = check(answers_for(GENERIC_SCHEMA) | {"ho_ten": "An"})
    assert rendering.error_list(GENERIC_SCHEMA, errors) == [
        ("error-summary", "Tờ khai «Đơn đề nghị» không có trường «ho_ten»."),
    ]


def test_a_typed_commune_of_a_province_without_a_list_survives_a_second_cleaning():
    schema = [{"key": "home", "label": "Nơi ở", "type": "address", "required": True}]
    cleaned, errors = check({"home": {"province": "01", "commune": "Phường Ba Đình", "detail": "Số 1"}}, schema)
    assert errors == {} and cleaned["home"]["commune_name"] == "Phường Ba Đình"
    assert check(cleaned, schema) == (cleaned, {})


# --- property: whatever comes in, the rule answers, and cleaned answers are a fixed point ---------------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**13, 10**13), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["Nguyễn Văn An", "  Kinh ", "09/2010", "nay", "096090001234", "096 090 001 234", "0912345678",
                     "+84912345678", "an@example.invalid", "2026-03-01", "09/03/2026", "31/02/2026", "1995",
                     "12,5", "1.234.567", "yes", "không", "nam", "nu", "cha", "co_so_y_te", "so_1", "buu_chinh",
                     "dong_y", "Phường Tân Thành, Tỉnh Cà Mau"]),
)
_ADDRESSES = st.fixed_dictionaries({}, optional={
    "province": st.sampled_from(["96", "01", "79", "", "xx"]),
    "commune": st.sampled_from(["32025", "32002", "Phường Ba Đình", "", "99999"]),
    "commune_name": st.sampled_from(["Phường Tân Thành", "Xã Khánh Hòa", ""]),
    "detail": st.text(max_size=20),
})
_VALUES = st.one_of(_SCALARS, _ADDRESSES, st.lists(_SCALARS, max_size=3))


@st.composite
def _answers(draw, schema, good):
    out = {}
    for spec in schema:
        if draw(st.booleans()):
            continue
        if spec.get("type") == "repeat":
            subs = spec.get("fields") or []
            out[spec["key"]] = draw(st.lists(st.fixed_dictionaries({}, optional={
                s["key"]: _VALUES for s in subs}), max_size=3))
        else:
            out[spec["key"]] = draw(st.one_of(_VALUES, st.just(good[spec["key"]])))
    return out


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cleaned_answers_are_a_fixed_point(name, data):
    schema = SCHEMAS[name]
    cleaned, errors = check(data.draw(_answers(schema, GOOD[name])), schema)
    if not errors:
        assert check(cleaned, schema) == (cleaned, {})
