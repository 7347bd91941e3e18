"""validate_schema: every problem of a schema, in Vietnamese, naming the field."""

from __future__ import annotations

import pytest

from motcua.eforms.defaults import GENERIC_SCHEMA
from motcua.eforms.schema import SchemaError, check_schema, validate_schema
from motcua.eforms.services import demo_files


def text(key, label=None, **extra):
    return {"key": key, "label": label or key.upper(), "type": "text", **extra}


def one(problems: list[str], *words: str) -> str:
    """The one problem that contains every word."""
    found = [p for p in problems if all(w in p for w in words)]
    assert len(found) == 1, (words, problems)
    return found[0]


def test_it_accepts_the_shipped_schemas():
    assert validate_schema(GENERIC_SCHEMA) == []
    files = demo_files()
    assert {"1.001193", "2.000488"} <= set(files)
    for code, data in files.items():
        assert validate_schema(data["schema"]) == [], code


def test_it_names_an_unknown_type():
    problems = validate_schema([{"key": "x", "label": "Nghề nghiệp", "type": "dropdown"}])
    message = one(problems, "dropdown")
    assert "«Nghề nghiệp»" in message and "kiểu" in message


def test_it_finds_duplicate_keys():
    problems = validate_schema([text("ho_ten", "Họ tên"), text("ho_ten", "Họ và tên")])
    assert "trùng" in one(problems, "ho_ten", "trùng")


def test_it_finds_a_broken_show_if_reference():
    problems = validate_schema([text("a", "Tên cha", show_if={"field": "co_cha", "equals": True})])
    message = one(problems, "show_if", "co_cha")
    assert "«Tên cha»" in message


def test_it_finds_a_bad_regex():
    problems = validate_schema([text("a", "Mã", validation={"pattern": "([a-z"})])
    message = one(problems, "biểu thức chính quy")
    assert "«Mã»" in message


@pytest.mark.parametrize("kind, rules, words", [
    ("text", {"min_length": 10, "max_length": 5}, ("min_length", "max_length")),
    ("number", {"min_value": 9, "max_value": 1}, ("min_value", "max_value")),
    ("date", {"min_value": "2026-03-01", "max_value": "2026-01-01"}, ("min_value", "max_value")),
    ("repeat", {"min_rows": 4, "max_rows": 2}, ("min_rows", "max_rows")),
])
def test_it_finds_min_above_max(kind, rules, words):
    spec = {"key": "f", "label": "Trường F", "type": kind, "validation": rules}
    if kind == "repeat":
        spec["fields"] = [text("a")]
    message = one(validate_schema([spec]), *words)
    assert "«Trường F»" in message


def test_it_finds_every_problem_at_once():
    schema = [
        {"key": "Bad Key", "label": "", "type": "text"},
        {"key": "c", "label": "Chọn", "type": "choice"},
        {"key": "d", "label": "D", "type": "text", "validation": {"min_value": 1}},
        {"key": "e", "label": "E", "type": "text", "prefill": "profile.shoe_size"},
        {"key": "f", "label": "F", "type": "number", "prefill": "profile.email"},
        {"key": "g", "label": "G", "type": "text", "colour": "red"},
    ]
    problems = validate_schema(schema)
    one(problems, "Bad Key", "mã trường")
    one(problems, "thiếu nhãn")
    one(problems, "choices")
    one(problems, "min_value", "không dùng được")
    one(problems, "profile.shoe_size")
    one(problems, "profile.email", "«number»")
    one(problems, "colour")


def test_it_checks_show_if_values_against_choices_and_cycles():
    schema = [
        {"key": "kind", "label": "Loại", "type": "choice", "choices": ["a", "b"]},
        text("x", "X", show_if={"field": "kind", "equals": "c"}),
        text("p", "P", show_if={"field": "q", "equals": "1"}),
        text("q", "Q", show_if={"field": "p", "equals": "1"}),
        {"key": "yn", "label": "Có/Không", "type": "yes_no"},
        text("y", "Y", show_if={"field": "yn", "equals": "yes"}),
        text("z", "Z", show_if={"field": "z", "equals": "1"}),
    ]
    problems = validate_schema(schema)
    one(problems, "«c»", "kind")
    one(problems, "lặp vòng")
    one(problems, "true hoặc false")
    one(problems, "chính trường này")


def test_it_checks_repeat_sub_fields_and_their_show_if():
    schema = [{"key": "rows", "label": "Quá trình", "type": "repeat", "fields": [
        text("from"), text("from"), {"key": "w", "label": "W", "type": "weird"},
        text("x", show_if={"field": "outside", "equals": "1"}),
        {"key": "inner", "label": "Inner", "type": "repeat", "fields": [text("a")]},
    ]}, text("outside")]
    problems = validate_schema(schema)
    one(problems, "«Quá trình»", "trùng")
    one(problems, "weird")
    one(problems, "outside", "cùng dòng")
    one(problems, "lồng")


def test_it_refuses_garbage_without_crashing():
    for garbage in (None, "x", 5, {"key": "a"}, [None, 7, "x"], [{"key": 1, "label": [], "type": None}]):
        problems = validate_schema(garbage)
        assert problems and all(isinstance(p, str) for p in problems)


def test_check_schema_raises_with_every_problem():
    with pytest.raises(SchemaError) as info:
        check_schema([{"key": "a", "label": "A", "type": "nope"}, {"key": "a", "label": "B", "type": "text"}])
    assert len(info.value.problems) == 2
