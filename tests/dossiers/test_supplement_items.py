"""Supplement requests as items (#17): a component of the procedure or a free item, each with what
is wrong or missing; the old `missing` lines still accepted; refusals name the field."""

from __future__ import annotations

import pytest

from motcua.dossiers import actions, supplements
from motcua.dossiers.errors import InvalidInput, PermissionDenied
from motcua.dossiers.models import Event, Status

from .conftest import BIRTH, T0, counter_dossier, fresh, online_dossier


def components(dossier):
    return list(dossier.procedure_version.components.order_by("order", "id"))


def test_a_request_keeps_its_items_and_the_text_list(people):
    dossier = online_dossier(people)
    birth_paper = components(dossier)[1]
    result = actions.request_supplement(dossier, actor=people.receptionist, items=[
        {"component": birth_paper, "reason": "Ảnh chụp bị mờ, không đọc được số"},
        {"text": "Văn bản ủy quyền", "reason": "Người nộp thay cần giấy ủy quyền có chứng thực"},
    ], note="Liên hệ bộ phận một cửa nếu cần", at=T0)
    assert result.dossier.status == Status.SUPPLEMENT_REQUESTED
    data = result.event.data
    assert data["missing"] == [birth_paper.name, "Văn bản ủy quyền"]  # what older readers use
    assert data["items"] == [
        {"component": birth_paper.pk, "text": birth_paper.name, "reason": "Ảnh chụp bị mờ, không đọc được số",
         "paper": birth_paper.paper, "copies": birth_paper.copies},
        {"component": None, "text": "Văn bản ủy quyền", "reason": "Người nộp thay cần giấy ủy quyền có chứng thực",
         "paper": "", "copies": None},
    ]
    # The note stays the note: never an item of its own.
    assert result.event.note == "Liên hệ bộ phận một cửa nếu cần" and len(data["items"]) == 2
    items = supplements.items_of(data, components(dossier))
    assert [(i.text, i.component_id, i.paper_text) for i in items] == [
        (birth_paper.name, birth_paper.pk, birth_paper.get_paper_display()), ("Văn bản ủy quyền", None, "")]


def test_a_component_may_be_given_by_id_and_plain_lines_may_come_with_items(people):
    dossier = counter_dossier(people, BIRTH)
    first = components(dossier)[0]
    result = actions.request_supplement(dossier, actor=people.receptionist, items=[
        {"component": first.pk, "text": "Tờ khai (ký lại)", "reason": "Thiếu chữ ký người yêu cầu"}],
        missing=["Giấy xác nhận cư trú"], at=T0)
    data = result.event.data
    assert data["missing"] == ["Tờ khai (ký lại)", "Giấy xác nhận cư trú"]
    assert [(i["component"], i["reason"]) for i in data["items"]] == [
        (first.pk, "Thiếu chữ ký người yêu cầu"), (None, "")]


def test_the_old_missing_lines_are_read_as_items(people):
    dossier = online_dossier(people)
    result = actions.request_supplement(dossier, actor=people.receptionist,
                                        missing=["Giấy chứng sinh", "Giấy xác nhận cư trú"], at=T0)
    assert "items" not in result.event.data
    items = supplements.items_of(result.event.data, components(dossier))
    birth_paper = next(c for c in components(dossier) if c.name.startswith("Giấy chứng sinh"))
    assert [(i.text, i.component_id, i.reason) for i in items] == [
        ("Giấy chứng sinh", birth_paper.pk, ""), ("Giấy xác nhận cư trú", None, "")]
    assert items[0].copies == birth_paper.copies


@pytest.mark.parametrize(("items", "field"), [
    ([], "items"),
    ([{"text": "Văn bản ủy quyền", "reason": "  "}], "items[0].reason"),
    ([{"text": "Tờ khai", "reason": "Thiếu chữ ký"}, {"text": " ", "reason": "Thiếu"}], "items[1].text"),
    ([{"component": 999999, "reason": "Mờ"}], "items[0].component"),
    ([{"component": True, "reason": "Mờ"}], "items[0].component"),
    (["Tờ khai"], "items[0]"),
    ([{"text": "x" * 1001, "reason": "Thiếu"}], "items[0].text"),
    ([{"text": "Tờ khai", "reason": "x" * 2001}], "items[0].reason"),
    ([{"text": f"Giấy {n}", "reason": "Thiếu"} for n in range(51)], "missing"),
])
def test_bad_items_are_refused_naming_the_field(people, items, field):
    dossier = online_dossier(people)
    with pytest.raises(InvalidInput) as info:
        actions.request_supplement(dossier, actor=people.receptionist, items=items, at=T0)
    assert info.value.field == field
    assert fresh(dossier).status == Status.SUBMITTED
    assert not Event.objects.filter(dossier=dossier, kind="supplement_requested").exists()


def test_a_component_of_another_procedure_is_refused(people):
    dossier = online_dossier(people)
    other = counter_dossier(people, "2.000488")
    foreign = components(other)[0]
    with pytest.raises(InvalidInput) as info:
        actions.request_supplement(dossier, actor=people.receptionist,
                                   items=[{"component": foreign, "reason": "Thiếu"}], at=T0)
    assert info.value.field == "items[0].component"


def test_the_actor_is_checked_before_the_items(people):
    dossier = online_dossier(people)
    with pytest.raises(PermissionDenied):
        actions.request_supplement(dossier, actor=people.officer, items=[{"text": "", "reason": ""}], at=T0)


def test_a_retry_with_the_same_key_and_items_acts_once(people):
    dossier = online_dossier(people)
    first = components(dossier)[0]
    items = [{"component": first, "reason": "Thiếu chữ ký"}]
    one = actions.request_supplement(dossier, actor=people.receptionist, items=items, idempotency_key="k1", at=T0)
    two = actions.request_supplement(dossier, actor=people.receptionist,
                                     items=[{"component": first.pk, "reason": "Thiếu chữ ký"}], idempotency_key="k1",
                                     at=T0)
    assert two.replayed and two.event.pk == one.event.pk
