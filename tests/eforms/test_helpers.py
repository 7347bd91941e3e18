"""Two conveniences for forms about several people (issue #18): "same as" addresses (`same_as`)
and a person's fields prefilled when the requester says they are that person (`prefill_if`); and
the mark on fields the national identity sign-in proved (`verified_keys`)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.eforms import rendering
from motcua.eforms.schema import (
    applicant_from,
    clean_data,
    profile_from_user,
    resolve_same,
    validate_schema,
    verified_keys,
    with_prefill,
)
from motcua.eforms.services import DEMO_DIR

USER = SimpleNamespace(
    is_authenticated=True, full_name="Nguyễn Văn Công Dân", id_number="096090001234",
    date_of_birth=dt.date(1990, 5, 17), address="Khóm 2, Phường Tân Thành, tỉnh Cà Mau",
    phone="0912345678", email="congdan@example.invalid", identity_verified=True,
    identity_fields=["id_number", "full_name", "date_of_birth"],
)
HOME = {"province": "96", "commune": "32025", "detail": "Khóm 2"}
ELSEWHERE = {"province": "96", "commune": "32002", "detail": "Ấp 3"}


def address(key: str, **extra) -> dict:
    return {"key": key, "label": key, "type": "address", "required": True, **extra}


SCHEMA = [
    address("requester_address"),
    {"key": "relationship", "label": "Quan hệ", "type": "choice", "required": True,
     "choices": [{"value": "me", "label": "Mẹ"}, {"value": "cha", "label": "Cha"}]},
    {"key": "mother_name", "label": "Tên mẹ", "type": "text", "required": True, "prefill": "profile.full_name",
     "prefill_if": {"field": "relationship", "equals": "me"}},
    {"key": "mother_birth_year", "label": "Năm sinh của mẹ", "type": "number", "required": False,
     "prefill": "profile.birth_year", "prefill_if": {"field": "relationship", "equals": "me"}},
    address("mother_address", same_as={"field": "requester_address", "label": "Giống nơi cư trú của người yêu cầu"}),
    address("father_address", required=False, same_as={"field": "mother_address"}),
    {"key": "requester_name", "label": "Họ tên", "type": "text", "required": True, "prefill": "profile.full_name"},
]


def birth_schema() -> list:
    return json.loads((DEMO_DIR / "1.001193.json").read_text(encoding="utf-8"))["schema"]


# --- same_as ------------------------------------------------------------------------------------------


def test_a_ticked_address_is_the_address_it_copies_once_cleaned():
    data = {"requester_address": HOME, "relationship": "cha", "mother_name": "Trần Thị Mai",
            "mother_address": {"province": "", "commune": "", "detail": "", "same": "1"}, "requester_name": "An"}
    cleaned, errors = clean_data(SCHEMA, data)
    assert errors == {}
    assert cleaned["mother_address"] == cleaned["requester_address"]
    assert cleaned["mother_address"]["commune_name"] == "Phường Tân Thành"


def test_a_chain_is_followed_and_what_was_typed_under_a_ticked_box_is_ignored():
    data = {"requester_address": HOME, "mother_address": {**ELSEWHERE, "same": "1"},
            "father_address": {"province": "01", "commune": "", "detail": "typed", "same": "1"}}
    resolved = resolve_same(SCHEMA, data)
    assert resolved["mother_address"] == HOME and resolved["father_address"] == HOME


def test_an_unticked_box_keeps_the_typed_address():
    data = {"requester_address": HOME, "mother_address": dict(ELSEWHERE)}
    assert resolve_same(SCHEMA, data)["mother_address"] == ELSEWHERE
    data = {"requester_address": HOME, "mother_address": {**ELSEWHERE, "same": ""}}
    cleaned, _errors = clean_data(SCHEMA, {**data, "relationship": "cha", "mother_name": "M", "requester_name": "A"})
    assert cleaned["mother_address"]["commune"] == "32002"


def test_copying_an_empty_address_is_the_required_error_of_the_copy():
    data = {"relationship": "cha", "mother_name": "M", "requester_name": "A",
            "mother_address": {"same": "1"}}
    _cleaned, errors = clean_data(SCHEMA, data)
    assert "requester_address" in errors and "mother_address" in errors


def test_a_loop_copies_nothing_and_never_hangs():
    looped = [address("a", same_as={"field": "b"}), address("b", same_as={"field": "a"})]
    resolved = resolve_same(looped, {"a": {"same": "1"}, "b": {"same": "1"}})
    assert resolved == {"a": None, "b": None}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=1, max_size=5))
def test_any_graph_of_copies_resolves_to_a_typed_address_or_nothing(links):
    """Whatever points to whatever (loops too), each ticked address becomes one that was typed,
    or None; never a ticked one, never an exception."""
    schema = [address(f"a{i}", same_as={"field": f"a{target}"}) for i, (target, _t) in enumerate(links)]
    data = {f"a{i}": ({"same": "1"} if ticked else {**HOME, "detail": f"d{i}"}) for i, (_t, ticked) in enumerate(links)}
    typed = [v for v in data.values() if "same" not in v]
    for value in resolve_same(schema, data).values():
        assert value is None or value in typed


def test_the_schema_checks_same_as_and_prefill_if():
    assert validate_schema(SCHEMA) == []
    assert validate_schema(birth_schema()) == []
    bad = [
        {"key": "name", "label": "Tên", "type": "text", "same_as": {"field": "home"}},
        address("home", same_as={"field": "name"}),
        address("work", same_as={"field": "nowhere"}),
        address("other", same_as="home"),
        {"key": "who", "label": "Ai", "type": "text", "prefill_if": {"field": "name", "equals": "x"}},
        {"key": "year", "label": "Năm", "type": "number", "prefill": "profile.birth_year",
         "prefill_if": {"field": "missing", "equals": "x"}},
    ]
    garbled = [address("x", same_as={"field": ["a"]}), {"key": ["k"], "label": "K", "type": "text"},
               {"key": "y", "label": "Y", "type": "text", "prefill": "profile.full_name",
                "prefill_if": {"field": {"a": 1}, "equals": "x"}}]
    assert len(validate_schema(garbled)) >= 3  # reported, never an exception
    problems = "\n".join(validate_schema(bad))
    for name in ("«Tên» (name): «same_as» chỉ dùng cho trường địa chỉ", "«home» (home): «same_as» phải có dạng",
                 "«work» (work): «same_as»", "«other» (other): «same_as»",
                 "«Ai» (who): «prefill_if» chỉ dùng cùng «prefill»", "«Năm» (year): «prefill_if» phải có dạng"):
        assert name in problems, name


# --- prefill_if ---------------------------------------------------------------------------------------


def test_the_mothers_fields_are_prefilled_when_the_requester_is_the_mother():
    profile = profile_from_user(USER)
    data = with_prefill(SCHEMA, {"relationship": "me"}, profile)
    assert data["mother_name"] == "Nguyễn Văn Công Dân" and data["mother_birth_year"] == "1990"
    assert "mother_name" not in with_prefill(SCHEMA, {"relationship": "cha"}, profile)
    assert "mother_name" not in with_prefill(SCHEMA, {}, profile)


def test_prefill_never_overwrites_an_answer_even_an_emptied_one():
    profile = profile_from_user(USER)
    assert with_prefill(SCHEMA, {"relationship": "me", "mother_name": "Trần Thị Mai"}, profile)["mother_name"] \
        == "Trần Thị Mai"
    assert with_prefill(SCHEMA, {"relationship": "me", "mother_name": ""}, profile)["mother_name"] == ""


def test_a_conditionally_prefilled_field_does_not_name_the_applicant():
    cleaned = {"requester_name": "Nguyễn Văn An", "mother_name": "Trần Thị Mai", "relationship": "cha"}
    assert applicant_from(SCHEMA, cleaned, profile_from_user(USER))["full_name"] == "Nguyễn Văn An"
    schema = [s for s in SCHEMA if s["key"] != "requester_name"]
    cleaned.pop("requester_name")
    # Only the profile can say then, never the mother's name.
    assert applicant_from(schema, cleaned, profile_from_user(USER))["full_name"] == "Nguyễn Văn Công Dân"


def test_the_birth_form_prefills_the_fathers_part_for_a_father():
    data = with_prefill(birth_schema(), {"relationship": "cha"}, profile_from_user(USER))
    assert (data["father_name"], data["father_birth_year"], data["father_id_number"]) == \
        ("Nguyễn Văn Công Dân", "1990", "096090001234")
    assert data["father_address"] == {"province": "96", "commune": "32025", "detail": "Khóm 2"}
    assert "mother_name" not in data and "mother_address" not in data
    assert validate_schema(birth_schema()) == []


# --- marks of the identity sign-in --------------------------------------------------------------------


def test_only_proved_values_still_as_proved_are_marked():
    profile = profile_from_user(USER)
    data = {"requester_name": "Nguyễn Văn Công Dân", "relationship": "me", "mother_name": "Nguyễn Văn Công Dân"}
    assert verified_keys(SCHEMA, data, profile) == {"requester_name", "mother_name"}
    assert verified_keys(SCHEMA, {**data, "requester_name": "Nguyễn Văn Khác"}, profile) == {"mother_name"}
    assert verified_keys(SCHEMA, {**data, "relationship": "cha"}, profile) == {"requester_name"}
    unproved = profile_from_user(SimpleNamespace(**{**vars(USER), "identity_verified": False}))
    assert verified_keys(SCHEMA, data, unproved) == set()


def test_a_name_the_provider_did_not_supply_is_not_marked():
    """Signed in through the identity provider, but its answer had no name: the name on the
    account is what the person typed, so it carries no mark."""
    typed = profile_from_user(SimpleNamespace(**{**vars(USER), "identity_fields": ["id_number"]}))
    data = {"requester_name": "Nguyễn Văn Công Dân", "relationship": "me", "mother_name": "Nguyễn Văn Công Dân"}
    assert verified_keys(SCHEMA, data, typed) == set()


# --- on the page ----------------------------------------------------------------------------------------


def test_the_page_posts_and_shows_the_tick_box_and_what_to_prefill():
    post = QueryDict(mutable=True)
    post.update({"f-mother_address-province": "", "f-mother_address-same": "1", "f-relationship": "me"})
    data = rendering.parse_post(SCHEMA, post)
    assert data["mother_address"]["same"] == "1" and "same" not in data["requester_address"]
    profile = profile_from_user(USER)
    views = {f.key: f for s in rendering.field_views(SCHEMA, data, profile=profile, verified={"requester_name"})
             for f in s.fields}
    assert views["mother_address"].same_label == "Giống nơi cư trú của người yêu cầu"
    assert views["mother_address"].same_checked is True
    assert views["father_address"].same_label == "Giống «mother_address»"  # the label by default
    assert views["requester_address"].same_label == ""
    rule = json.loads(views["mother_name"].prefill_json)
    assert rule == {"field": "f-relationship", "values": ["me"], "value": "Nguyễn Văn Công Dân"}
    assert views["requester_name"].verified and "id-f-requester_name-verified" in views["requester_name"].described_by
    assert not views["mother_name"].verified


def test_a_malformed_prefill_if_never_holds():
    from motcua.eforms.schema import prefill_applies

    data = {"relationship": "me"}
    for cond in ("me", ["relationship"], {}, {"field": "relationship"}, {"equals": "me"},
                 {"field": "relationship", "equals": "me", "in": ["me"]}, {"field": "relationship", "in": "me"},
                 {"field": 5, "equals": "me"}, None):
        assert prefill_applies({"key": "x", "prefill": "profile.full_name", "prefill_if": cond}, data) is False, cond
    assert prefill_applies({"key": "x", "prefill": "profile.full_name",
                            "prefill_if": {"field": "relationship", "equals": "me"}}, data)
    assert prefill_applies({"key": "x", "prefill": "profile.full_name"}, data)
