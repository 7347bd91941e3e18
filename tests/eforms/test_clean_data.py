"""clean_data: answers cleaned by type, show_if honoured (hidden = not required, dropped), repeats."""

from __future__ import annotations

import datetime as dt

from motcua.eforms.schema import clean_data, display_value, summary, visible_keys
from motcua.eforms.services import demo_files

TODAY = dt.date(2026, 3, 9)

SCHEMA = [
    {"key": "name", "label": "Họ tên", "type": "text", "required": True, "validation": {"max_length": 20}},
    {"key": "has_father", "label": "Có cha", "type": "yes_no", "required": True},
    {"key": "father", "label": "Tên cha", "type": "text", "required": True,
     "show_if": {"field": "has_father", "equals": True}},
    {"key": "father_job", "label": "Nghề cha", "type": "text", "required": True,
     "show_if": {"field": "father", "in": ["An", "Bình"]}},
    {"key": "dob", "label": "Ngày sinh", "type": "date", "required": True, "validation": {"max_value": "today"}},
    {"key": "n", "label": "Số bản", "type": "number", "validation": {"integer": True, "min_value": 1, "max_value": 5}},
    {"key": "kind", "label": "Loại", "type": "choice", "choices": [{"value": "a", "label": "Loại A"}, "b"]},
    {"key": "tags", "label": "Nhãn", "type": "multi_choice", "choices": ["x", "y", "z"]},
    {"key": "cccd", "label": "CCCD", "type": "id_number"},
    {"key": "phone", "label": "Điện thoại", "type": "phone"},
    {"key": "mail", "label": "Thư", "type": "email"},
    {"key": "home", "label": "Nơi ở", "type": "address"},
    {"key": "history", "label": "Quá trình", "type": "repeat", "validation": {"max_rows": 3}, "fields": [
        {"key": "place", "label": "Nơi", "type": "text", "required": True},
        {"key": "abroad", "label": "Ở nước ngoài", "type": "yes_no"},
        {"key": "country", "label": "Nước", "type": "text", "required": True,
         "show_if": {"field": "abroad", "equals": True}},
    ]},
]


def clean(data):
    return clean_data(SCHEMA, data, today=TODAY)


def test_it_cleans_each_type():
    cleaned, errors = clean({
        "name": "  Nguyễn   Văn\tAn ", "has_father": "no", "dob": "09/03/2026", "n": "3", "kind": "a",
        "tags": ["z", "x", "x"], "cccd": "096 090 001 234", "phone": "0912.345.678", "mail": "an@example.vn",
        "home": {"province": "96", "commune": "32025", "detail": "Khóm 3"}, "unknown": "dropped",
    })
    assert errors == {}
    assert cleaned["name"] == "Nguyễn Văn An"
    assert cleaned["has_father"] is False
    assert cleaned["dob"] == "2026-03-09"
    assert cleaned["n"] == 3
    assert cleaned["tags"] == ["x", "z"]
    assert cleaned["cccd"] == "096090001234"
    assert cleaned["phone"] == "0912345678"
    assert cleaned["home"] == {"province": "96", "province_name": "Tỉnh Cà Mau", "commune": "32025",
                               "commune_name": "Phường Tân Thành", "detail": "Khóm 3"}
    assert "unknown" not in cleaned and "father" not in cleaned


def test_hidden_fields_are_not_required_and_are_dropped():
    cleaned, errors = clean({"name": "An", "has_father": "no", "dob": "2020-01-01", "father": "Bình",
                             "father_job": "Nông dân"})
    assert errors == {}
    assert "father" not in cleaned and "father_job" not in cleaned


def test_shown_fields_are_required_down_the_chain():
    _cleaned, errors = clean({"name": "An", "has_father": "yes", "dob": "2020-01-01"})
    assert set(errors) == {"father"}
    assert errors["father"] == "Cần nhập «Tên cha»."
    _cleaned, errors = clean({"name": "An", "has_father": "yes", "dob": "2020-01-01", "father": "Bình"})
    assert set(errors) == {"father_job"}
    cleaned, errors = clean({"name": "An", "has_father": "yes", "dob": "2020-01-01", "father": "Cường",
                             "father_job": "x"})
    assert errors == {} and "father_job" not in cleaned


def test_visible_keys():
    shown = visible_keys(SCHEMA, {"has_father": "yes", "father": "An"}, today=TODAY)
    assert {"father", "father_job"} <= shown
    assert "father" not in visible_keys(SCHEMA, {"has_father": "no"}, today=TODAY)


def test_it_says_what_is_wrong_naming_the_field():
    _cleaned, errors = clean({
        "name": "x" * 21, "has_father": "maybe", "dob": "31/02/2026", "n": "2,5", "kind": "c",
        "tags": ["x", "nope"], "cccd": "12345", "phone": "12345", "mail": "an@", "home": {"province": "96",
                                                                                           "commune": "99999"},
    })
    assert "«Họ tên» dài quá 20 ký tự" in errors["name"]
    assert "Có hoặc Không" in errors["has_father"]
    assert "«Ngày sinh» không phải ngày hợp lệ" in errors["dob"]
    assert "«Số bản» phải là số nguyên" in errors["n"]
    assert "«Loại»" in errors["kind"]
    assert "«Nhãn»" in errors["tags"]
    assert "12 chữ số" in errors["cccd"]
    assert "10 chữ số" in errors["phone"]
    assert "«Thư»" in errors["mail"]
    assert "không thuộc Tỉnh Cà Mau" in errors["home"]


def test_dates_and_numbers_respect_their_bounds():
    _c, errors = clean({"name": "An", "has_father": "no", "dob": "2026-03-10", "n": "9"})
    assert "không được sau ngày 09/03/2026" in errors["dob"]
    assert "không được lớn hơn 5" in errors["n"]
    _c, errors = clean({"name": "An", "has_father": "no", "dob": "1899-12-31"})
    assert "không phải ngày hợp lệ" in errors["dob"]


def test_repeat_rows_are_cleaned_with_their_own_show_if():
    cleaned, errors = clean({"name": "An", "has_father": "no", "dob": "2020-01-01", "history": [
        {"place": "Cà Mau", "abroad": "no", "country": "ignored"},
        {"place": "", "abroad": "", "country": ""},  # an empty row is skipped
        {"place": "Seoul", "abroad": "yes", "country": "Hàn Quốc"},
        {"place": "Tokyo", "abroad": "yes"},
    ]})
    assert cleaned["history"][:2] == [
        {"place": "Cà Mau", "abroad": False},
        {"place": "Seoul", "abroad": True, "country": "Hàn Quốc"},
    ]
    assert errors == {"history.3.country": "Dòng 4: Cần nhập «Nước»."}


def test_repeat_rows_have_a_maximum():
    rows = [{"place": f"Nơi {i}"} for i in range(4)]
    _c, errors = clean({"name": "An", "has_father": "no", "dob": "2020-01-01", "history": rows})
    assert "tối đa 3 dòng" in errors["history"]


def test_garbage_never_raises():
    huge = "𝔸😀" * 50_000
    for data in (None, [], "x", {"name": huge, "dob": {"a": 1}, "n": [1], "kind": {"x": 1}, "tags": "x",
                                 "home": ["x"], "history": "rows", "has_father": 7, "cccd": {"x": 1},
                                 "phone": ["1"], "mail": {"a": 1}},
                 {"name": "\x00\x01An\u200b", "n": "1e400", "dob": "2026-13-45", "history": [1, None, "x"]}):
        cleaned, errors = clean(data)
        assert isinstance(cleaned, dict) and isinstance(errors, dict)
    cleaned, errors = clean({"name": "\x00An\x07", "has_father": "no", "dob": "2020-01-01", "n": "1e400"})
    assert cleaned["name"] == "An"
    assert "phải là một số" in errors["n"]


def test_display_and_summary_follow_the_pdf_placement():
    schema = demo_files()["1.001193"]["schema"]
    cleaned, _errors = clean_data(schema, {"child_dob": "2026-03-01", "child_gender": "nu", "has_father": "no",
                                           "want_copies": "yes", "copies": "2"}, today=TODAY)
    sections = summary(schema, cleaned)
    titles = [s.title for s in sections]
    assert titles[0] == "I. Người yêu cầu" and titles[-1] == "V. Đề nghị khác"
    child = next(s for s in sections if s.title.startswith("II."))
    items = {i.label: i.text for i in child.items}
    assert items["Ngày, tháng, năm sinh"] == "01/03/2026"
    assert items["Giới tính"] == "Nữ"
    father = next(s for s in sections if s.title.startswith("IV."))
    assert [i.label for i in father.items] == ["Có thông tin người cha"]  # the rest is hidden
    assert display_value({"type": "number"}, 1234567.5) == "1.234.567,5"
    assert display_value({"type": "number"}, 1995) == "1995"
    assert display_value({"type": "number"}, 3.25) == "3,25"
    assert display_value({"type": "number"}, 25000) == "25.000"
