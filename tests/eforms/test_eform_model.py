"""EForm rows: the catalogue format (import/export hooks), copying to a new version, the demo loader."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from motcua.eforms.models import EForm
from motcua.eforms.schema import SchemaError
from motcua.eforms.services import (
    copy_eform,
    demo_files,
    eform_for,
    eform_from_dict,
    eform_problems,
    eform_to_dict,
    form_component,
    load_demo_eforms,
)


def published(code: str):
    from motcua.catalog.models import Procedure

    return Procedure.objects.get(code=code).published


def test_it_loads_the_demo_eforms_once(catalog):
    assert load_demo_eforms() == len(demo_files())
    birth = EForm.objects.get(procedure_version=published("1.001193"))
    assert birth.title == "Tờ khai đăng ký khai sinh"
    assert birth.component.name == "Tờ khai đăng ký khai sinh theo mẫu"
    assert EForm.objects.get(procedure_version=published("2.000488")).schema[0]["key"] == "full_name"
    birth.title = "Đã sửa"
    birth.save()
    assert load_demo_eforms() == 0
    assert EForm.objects.get(pk=birth.pk).title == "Đã sửa"  # an admin's edit is kept
    assert load_demo_eforms(replace=True) == len(demo_files())


def test_it_exports_and_imports_the_catalogue_format(catalog):
    version = published("1.001193")
    assert eform_to_dict(version) is None
    data = demo_files()["1.001193"]
    eform_from_dict(version, data)
    exported = eform_to_dict(version)
    assert exported == {"title": data["title"], "schema": data["schema"], "component": data["component"]}
    other = published("2.000635")
    eform_from_dict(other, {**exported, "component": None})
    assert EForm.objects.get(procedure_version=other).component is None
    eform_from_dict(other, None)
    assert not EForm.objects.filter(procedure_version=other).exists()


def test_it_refuses_a_bad_eform_with_every_problem(catalog):
    version = published("1.001193")
    with pytest.raises(SchemaError) as info:
        eform_from_dict(version, {"title": "", "schema": [{"key": "a", "label": "A", "type": "x"}],
                                  "component": "Không có", "extra": 1})
    problems = info.value.problems
    assert any("eform.title" in p for p in problems)
    assert any("«x»" in p for p in problems)
    assert any("Không có" in p for p in problems)
    assert any("extra" in p for p in problems)
    assert not EForm.objects.filter(procedure_version=version).exists()
    assert eform_problems("x") and eform_problems({"title": "T", "schema": []}) == []


def test_model_clean_reports_schema_problems(catalog):
    eform = EForm(procedure_version=published("1.001193"), title="T", schema=[{"key": "a", "type": "text"}])
    with pytest.raises(ValidationError) as info:
        eform.full_clean()
    assert "schema" in info.value.message_dict


def test_a_version_without_eform_gets_the_generic_application(catalog):
    version = published("1.009974")
    spec = eform_for(version)
    assert spec.is_default and spec.title.startswith("Đơn đề nghị")
    assert spec.component.name.startswith("Đơn đề nghị cấp giấy phép xây dựng")
    assert form_component(published("1.001193")).name == "Tờ khai đăng ký khai sinh theo mẫu"


def test_copy_to_a_new_version(catalog):
    old = published("1.001193")
    eform_from_dict(old, demo_files()["1.001193"])
    new = published("2.000635")  # any other version stands in for "the next version"
    copied = copy_eform(old, new)
    assert copied.schema == demo_files()["1.001193"]["schema"]
    assert copied.component is None  # no component of that name there
