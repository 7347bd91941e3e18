"""The e-form on a page: posted answers read back, fields described for the templates."""

from __future__ import annotations

from django.http import QueryDict

from motcua.eforms import rendering
from motcua.eforms.services import demo_files


def post(**items) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in items.items():
        name = key.replace("__", "-")
        if isinstance(value, list):
            q.setlist(name, value)
        else:
            q[name] = value
    return q


def test_it_reads_every_kind_of_input():
    schema = demo_files()["2.000488"]["schema"]
    data = rendering.parse_post(schema, post(**{
        "f-full_name": "Lê Thị Hoa", "f-fee_reduction": ["sinh_vien", "ho_ngheo"],
        "f-permanent_address-province": "96", "f-permanent_address-commune": "32025",
        "f-permanent_address-detail": "Khóm 1", "f-residence_history-rows": "2",
        "f-residence_history-0-place": "Cà Mau", "f-residence_history-1-place": "Cần Thơ",
    }))
    assert data["full_name"] == "Lê Thị Hoa"
    assert data["fee_reduction"] == ["sinh_vien", "ho_ngheo"]
    assert data["permanent_address"] == {"province": "96", "commune": "32025", "detail": "Khóm 1"}
    assert [r["place"] for r in data["residence_history"]] == ["Cà Mau", "Cần Thơ"]
    assert data["gender"] == ""


def test_row_counts_are_bounded():
    schema = demo_files()["2.000488"]["schema"]
    data = rendering.parse_post(schema, post(**{"f-residence_history-rows": "999999"}))
    assert len(data["residence_history"]) == 50
    data = rendering.parse_post(schema, post(**{"f-residence_history-rows": "abc"}))
    assert data["residence_history"] == []
    assert rendering.add_row(schema, data, "residence_history") and len(data["residence_history"]) == 1
    assert not rendering.remove_row(schema, data, "residence_history:7")
    assert rendering.remove_row(schema, data, "residence_history:0") and data["residence_history"] == []
    assert not rendering.add_row(schema, data, "nope")


def test_views_keep_typed_values_and_errors():
    schema = demo_files()["1.001193"]["schema"]
    sections = rendering.field_views(schema, {"child_dob": "31/02/2026", "has_father": "yes"},
                                     {"child_dob": "«Ngày, tháng, năm sinh» không phải ngày hợp lệ"})
    fields = {f.key: f for s in sections for f in s.fields}
    dob = fields["child_dob"]
    assert dob.value == "31/02/2026" and dob.input_type == "text" and dob.error
    assert "id-f-child_dob-error" in dob.described_by
    assert [c.selected for c in fields["has_father"].choices] == [True, False]
    assert fields["father_name"].show_if_text == (
        "Chỉ điền khi «Có ghi thông tin người cha vào Giấy khai sinh?» là «Có».")
    assert fields["birth_place"].communes == []  # no province yet
    assert [s.title for s in sections][0] == "I. Người yêu cầu"


def test_error_list_links_to_the_fields():
    schema = demo_files()["2.000488"]["schema"]
    links = rendering.error_list(schema, {"gender": "x", "permanent_address": "y",
                                          "residence_history.0.place": "z", "full_name": "w"})
    assert links == [("id-f-full_name", "w"), ("id-f-gender-0", "x"),
                     ("id-f-permanent_address-province", "y"), ("id-f-residence_history-0-place", "z")]
