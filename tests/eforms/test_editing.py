"""The pure operations of the e-form builder (eforms.editing): no database."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.eforms import editing as ed
from motcua.eforms.defaults import GENERIC_SCHEMA
from motcua.eforms.schema import KEY_RE, validate_schema

SCHEMA = [
    {"key": "ho_ten", "label": "Họ và tên", "type": "text", "required": True},
    {"key": "co_cha", "label": "Có thông tin người cha", "type": "yes_no"},
    {"key": "ten_cha", "label": "Họ tên cha", "type": "text", "show_if": {"field": "co_cha", "equals": True}},
    {"key": "gioi_tinh", "label": "Giới tính", "type": "choice",
     "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
    {"key": "con", "label": "Các con", "type": "repeat", "fields": [
        {"key": "ten", "label": "Tên", "type": "text"},
        {"key": "nam_sinh", "label": "Năm sinh", "type": "number"},
    ]},
]


def keys(schema, parent=None):
    return [s["key"] for s in ed.level(schema, parent)]


def test_it_suggests_ascii_snake_case_keys_from_vietnamese_labels():
    assert ed.suggest_key("Họ, chữ đệm, tên của trẻ") == "ho_chu_dem_ten_cua_tre"
    assert ed.suggest_key("Đơn vị") == "don_vi"
    assert ed.suggest_key("Họ tên", taken={"ho_ten", "ho_ten_2"}) == "ho_ten_3"
    assert ed.suggest_key("123 số") == "truong_123_so"
    assert ed.suggest_key("!!!") == "truong"


@given(st.text(max_size=120))
@settings(max_examples=200, deadline=None)
def test_it_always_suggests_a_valid_unused_key(label):
    taken = {"truong", ed.suggest_key(label)}
    key = ed.suggest_key(label, taken)
    assert KEY_RE.match(key)
    assert key not in taken


def test_it_adds_a_field_at_the_end_without_changing_the_argument():
    before = copy.deepcopy(SCHEMA)
    new = ed.add_field(SCHEMA, ed.compose("phone", label="Số điện thoại", key="dien_thoai", required=True))
    assert before == SCHEMA
    assert keys(new)[-1] == "dien_thoai"
    assert new[-1] == {"key": "dien_thoai", "label": "Số điện thoại", "type": "phone", "required": True}
    assert validate_schema(new) == []


def test_it_adds_after_a_given_field_and_into_a_table():
    new = ed.add_field(SCHEMA, ed.compose("date", label="Ngày sinh", key="ngay_sinh"), after="ho_ten")
    assert keys(new)[:2] == ["ho_ten", "ngay_sinh"]
    new = ed.add_field(SCHEMA, ed.compose("text", label="Ghi chú", key="ghi_chu"), parent="con")
    assert keys(new, "con") == ["ten", "nam_sinh", "ghi_chu"]
    assert keys(new) == keys(SCHEMA)


@given(st.integers(min_value=0, max_value=len(SCHEMA)))
@settings(max_examples=30, deadline=None)
def test_a_field_inserted_before_another_takes_its_place_and_nothing_else_moves(index):
    """«Chèn trường trước …» (#18): the new field lands at the chosen field's place (the end when there is
    none); the others keep their order."""
    spec = ed.compose("text", label="Ghi chú", key="ghi_chu")
    before = SCHEMA[index]["key"] if index < len(SCHEMA) else None
    new = ed.add_field(SCHEMA, spec, before=before)
    assert keys(new).index("ghi_chu") == index
    assert [k for k in keys(new) if k != "ghi_chu"] == keys(SCHEMA)
    assert validate_schema(new) == []


def test_inserting_before_a_field_that_is_gone_is_refused_and_the_candidates_stop_there():
    with pytest.raises(ed.EditError) as exc:
        ed.add_field(SCHEMA, ed.compose("text", label="Ghi chú", key="ghi_chu"), before="khong_co")
    assert "có thể đã bị xóa" in exc.value.problems[0]
    new = ed.add_field(SCHEMA, ed.compose("text", label="Tên", key="ten_dem"), parent="con", before="nam_sinh")
    assert keys(new, "con") == ["ten", "ten_dem", "nam_sinh"]
    # A new field's condition may only use the fields that will be before it.
    assert [c["key"] for c in ed.condition_candidates(SCHEMA, None)] == ["ho_ten", "co_cha", "ten_cha", "gioi_tinh"]
    assert [c["key"] for c in ed.condition_candidates(SCHEMA, None, before="gioi_tinh")] == [
        "ho_ten", "co_cha", "ten_cha"]
    assert [c["key"] for c in ed.condition_candidates(SCHEMA, None, before="co_cha")] == ["ho_ten"]


def test_it_refuses_a_duplicate_key_naming_it_and_the_field_that_has_it():
    with pytest.raises(ed.EditError) as exc:
        ed.add_field(SCHEMA, ed.compose("text", label="Tên khác", key="ho_ten"))
    assert "ho_ten" in exc.value.problems[0] and "Họ và tên" in exc.value.problems[0]
    # Keys are per level: a column may reuse a top-level key, but not a sibling's.
    assert keys(ed.add_field(SCHEMA, ed.compose("text", label="Họ tên", key="ho_ten"), parent="con"), "con")[-1] \
        == "ho_ten"
    with pytest.raises(ed.EditError, match="ten"):
        ed.add_field(SCHEMA, ed.compose("text", label="Tên 2", key="ten"), parent="con")


def test_it_refuses_a_broken_pattern_with_the_regex_error():
    spec = ed.compose("text", label="Mã số", key="ma_so", validation={"pattern": "[0-9"})
    with pytest.raises(ed.EditError) as exc:
        ed.add_field(SCHEMA, spec)
    assert "[0-9" in exc.value.problems[0]
    assert ed.pattern_problem("[0-9") and ed.pattern_problem("[0-9]{6}") is None


def test_it_refuses_a_field_without_a_label_and_rules_of_another_type():
    with pytest.raises(ed.EditError, match="label"):
        ed.add_field(SCHEMA, {"key": "x", "label": " ", "type": "text"})
    with pytest.raises(ed.EditError, match="min_value"):
        ed.add_field(SCHEMA, {"key": "x", "label": "X", "type": "text", "validation": {"min_value": 1}})
    with pytest.raises(ed.EditError, match="choices"):
        ed.add_field(SCHEMA, ed.compose("choice", label="Dân tộc", key="dan_toc"))


def test_it_refuses_a_table_inside_a_table():
    spec = ed.compose("repeat", label="Bảng con", key="bang", fields=[{"key": "a", "label": "A", "type": "text"}])
    with pytest.raises(ed.EditError):
        ed.add_field(SCHEMA, spec, parent="con")


def test_it_updates_a_field_and_carries_a_new_key_to_the_conditions_that_use_it():
    spec = {**ed.find(SCHEMA, "co_cha"), "key": "co_thong_tin_cha", "label": "Có cha?", "required": True}
    new = ed.update_field(SCHEMA, "co_cha", spec)
    assert keys(new)[1] == "co_thong_tin_cha"
    assert ed.find(new, "ten_cha")["show_if"] == {"field": "co_thong_tin_cha", "equals": True}
    assert validate_schema(new) == []


def test_it_keeps_a_tables_columns_when_its_own_settings_change():
    spec = {"key": "con", "label": "Danh sách con", "type": "repeat", "validation": {"max_rows": 5}}
    new = ed.update_field(SCHEMA, "con", spec)
    assert keys(new, "con") == ["ten", "nam_sinh"]
    assert ed.find(new, "con")["validation"] == {"max_rows": 5}


def test_it_refuses_to_change_a_type_or_to_rename_onto_another_key():
    with pytest.raises(ed.EditError, match="kiểu"):
        ed.update_field(SCHEMA, "ho_ten", {"key": "ho_ten", "label": "Họ và tên", "type": "long_text"})
    with pytest.raises(ed.EditError, match="gioi_tinh"):
        ed.update_field(SCHEMA, "ho_ten", {"key": "gioi_tinh", "label": "Họ và tên", "type": "text"})


def test_it_refuses_a_condition_on_a_later_field_or_a_value_that_is_not_a_choice():
    spec = {**ed.find(SCHEMA, "ho_ten"), "show_if": {"field": "gioi_tinh", "equals": "nam"}}
    with pytest.raises(ed.EditError, match="đứng trước"):
        ed.update_field(SCHEMA, "ho_ten", spec)
    new = ed.add_field(SCHEMA, ed.compose("text", label="Quân nhân", key="quan_nhan",
                                          show_if={"field": "gioi_tinh", "equals": "nam"}))
    # Removing the choice a condition compares with is refused, naming the problem.
    target = {**ed.find(new, "gioi_tinh"), "choices": [{"value": "nu", "label": "Nữ"}]}
    with pytest.raises(ed.EditError, match="nam"):
        ed.update_field(new, "gioi_tinh", target)


def test_it_reads_condition_values_as_the_admin_types_them():
    yes_no = ed.find(SCHEMA, "co_cha")
    assert ed.show_if_value(yes_no, "Có") is True
    assert ed.show_if_value(yes_no, "không") is False
    with pytest.raises(ed.EditError, match="Có"):
        ed.show_if_value(yes_no, "có lẽ")
    choice = ed.find(SCHEMA, "gioi_tinh")
    assert ed.show_if_value(choice, "nu") == "nu"
    assert ed.show_if_value(choice, "Nữ") == "nu"
    with pytest.raises(ed.EditError, match="Nam, Nữ"):
        ed.show_if_value(choice, "khác")


def test_it_refuses_removing_a_field_others_depend_on_naming_them():
    with pytest.raises(ed.EditError) as exc:
        ed.remove_field(SCHEMA, "co_cha")
    assert "Họ tên cha" in exc.value.problems[0]
    new = ed.remove_field(ed.remove_field(SCHEMA, "ten_cha"), "co_cha")
    assert keys(new) == ["ho_ten", "gioi_tinh", "con"]


def test_it_removes_columns_but_never_the_last_one():
    new = ed.remove_field(SCHEMA, "nam_sinh", parent="con")
    assert keys(new, "con") == ["ten"]
    with pytest.raises(ed.EditError, match="cột cuối cùng"):
        ed.remove_field(new, "ten", parent="con")
    with pytest.raises(ed.EditError, match="khong_co"):
        ed.remove_field(SCHEMA, "khong_co")


def test_it_moves_fields_up_and_down_within_their_level():
    new = ed.move_field(SCHEMA, "gioi_tinh", -1)
    assert keys(new) == ["ho_ten", "co_cha", "gioi_tinh", "ten_cha", "con"]
    assert ed.move_field(SCHEMA, "ho_ten", -1) == SCHEMA  # already first
    assert keys(ed.move_field(SCHEMA, "ten", 1, parent="con"), "con") == ["nam_sinh", "ten"]


def test_it_refuses_a_move_that_puts_a_field_before_its_condition():
    with pytest.raises(ed.EditError) as exc:
        ed.move_field(SCHEMA, "ten_cha", -1)
    assert "Họ tên cha" in exc.value.problems[0] and "Có thông tin người cha" in exc.value.problems[0]
    with pytest.raises(ed.EditError):
        ed.move_field(SCHEMA, "co_cha", 1)


def test_condition_candidates_are_the_earlier_single_value_fields():
    assert [s["key"] for s in ed.condition_candidates(SCHEMA, "gioi_tinh")] == ["ho_ten", "co_cha", "ten_cha"]
    assert "con" not in [s["key"] for s in ed.condition_candidates(SCHEMA, None)]


def test_old_problems_do_not_block_an_unrelated_edit():
    broken = [*copy.deepcopy(SCHEMA), {"key": "cu", "label": "Cũ", "type": "text", "validation": {"min_value": 1}}]
    assert validate_schema(broken)
    new = ed.add_field(broken, ed.compose("email", label="Thư điện tử", key="email"))
    assert keys(new)[-1] == "email"


def test_summary_rows_describe_each_field_for_the_list():
    rows = ed.summary_rows(SCHEMA)
    assert [r["key"] for r in rows] == keys(SCHEMA)
    by_key = {r["key"]: r for r in rows}
    assert by_key["ten_cha"]["condition"] == "Chỉ hiện khi «Có thông tin người cha» là «Có»"
    assert by_key["ho_ten"]["required"] and by_key["ho_ten"]["first"] and by_key["con"]["last"]
    assert by_key["con"]["columns"] == ["Tên", "Năm sinh"]
    assert ed.sections(GENERIC_SCHEMA) == ["I. Thông tin người đề nghị", "II. Nội dung đề nghị"]
