"""Synonyms and colloquial names travel with the catalogue file (docs/catalog-format.md, #18)."""

from __future__ import annotations

import copy

import pytest

from motcua.audit.models import ChangeLog
from motcua.catalog.importer import CatalogError, export_catalog, import_catalog
from motcua.catalog.models import ColloquialName, Procedure, ProcedureVersion, Synonym
from motcua.catalog.search import search

BIRTH = "1.001193"


def test_the_export_carries_synonyms_and_colloquial_names(catalog):
    data = export_catalog()
    assert {"phrase": "cccd", "meaning": "thẻ căn cước"} in data["synonyms"]
    birth = next(p for p in data["procedures"] if p["code"] == BIRTH)
    assert "giấy khai sinh" in birth["colloquial_names"]


def test_importing_an_export_back_changes_nothing(catalog):
    versions = ProcedureVersion.objects.count()
    report = import_catalog(export_catalog())
    assert not report.changed
    assert ProcedureVersion.objects.count() == versions


def test_a_file_sets_colloquial_names_and_adds_synonyms_without_a_new_version(catalog, sample_data):
    from motcua.accounts.models import User

    actor = User.objects.create_user("qt_nhap", full_name="Quản trị nhập")
    data = copy.deepcopy(sample_data)
    birth = next(p for p in data["procedures"] if p["code"] == BIRTH)
    birth["colloquial_names"] = ["giấy chào đời", "Giấy chào đời"]
    data["synonyms"] = [{"phrase": "giấy báo cưới", "meaning": "kết hôn"}]
    versions = ProcedureVersion.objects.count()
    report = import_catalog(data, actor=actor)
    assert report.search_rows >= 2
    assert ProcedureVersion.objects.count() == versions  # no new version for search data
    assert list(ColloquialName.objects.filter(procedure_code=BIRTH).values_list("name", flat=True)) == ["giấy chào đời"]
    assert Synonym.objects.get(key="giay bao cuoi").meaning == "kết hôn"
    assert [v.procedure.code for v in search("giay chao doi").select_related("procedure")] == [BIRTH]
    assert ChangeLog.objects.filter(object_type="catalog.synonym", actor=actor).exists()
    assert ChangeLog.objects.filter(object_type="catalog.colloquialname", action="delete", actor=actor).exists()


def test_a_file_without_the_keys_leaves_search_data_alone(catalog, sample_data):
    names = ColloquialName.objects.count()
    synonyms = Synonym.objects.count()
    import_catalog(copy.deepcopy(sample_data))
    assert (ColloquialName.objects.count(), Synonym.objects.count()) == (names, synonyms)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(synonyms="sổ đỏ"), "'synonyms' phải là một danh sách"),
    (lambda d: d.update(synonyms=[{"phrase": "", "meaning": "x"}]), "Cần nhập cách người dân gõ"),
    (lambda d: d.update(synonyms=[{"phrase": "ab cd", "meaning": "b"},
                                   {"phrase": "AB CD", "meaning": "c"}]), "bị trùng"),
    (lambda d: d["procedures"][0].update(colloquial_names="x"), "'colloquial_names' phải là một danh sách"),
    (lambda d: d["procedures"][0].update(colloquial_names=["x" * 201]), "tối đa 200 ký tự"),
    (lambda d: d["procedures"][0].update(colloquial_names=[f"tên {i}" for i in range(31)]), "tối đa 30 tên"),
])
def test_bad_search_data_refuses_the_file(db, sample_data, change, message):
    data = copy.deepcopy(sample_data)
    change(data)
    with pytest.raises(CatalogError) as refused:
        import_catalog(data)
    assert any(message in p for p in refused.value.problems)
    assert not Procedure.objects.exists()  # nothing written


def test_a_file_may_not_grow_the_synonym_table_past_its_bound(catalog, sample_data):
    from motcua.catalog import search_actions
    from motcua.catalog.importer import CatalogError

    room = search_actions.MAX_SYNONYMS - Synonym.objects.count() - 1  # one row left
    Synonym.objects.bulk_create(Synonym(key=f"xx {i}", phrase=f"xx {i}", meaning="khai sinh") for i in range(room))
    data = copy.deepcopy(sample_data)
    data["synonyms"] = [{"phrase": "giấy báo cưới", "meaning": "kết hôn"},
                        {"phrase": "giấy chào đời", "meaning": "sinh"}]
    with pytest.raises(CatalogError) as refused:
        import_catalog(data)
    assert "tối đa" in " ".join(refused.value.problems)
    assert not Synonym.objects.filter(key="giay bao cuoi").exists()


def test_a_command_line_import_is_in_the_change_log_as_the_system(catalog, sample_data):
    data = copy.deepcopy(sample_data)
    data["synonyms"] = [{"phrase": "giấy báo cưới", "meaning": "kết hôn"}]
    import_catalog(data)  # no actor: the command line
    row = Synonym.objects.get(key="giay bao cuoi")
    log = ChangeLog.objects.get(object_type="catalog.synonym", object_id=str(row.pk))
    assert log.actor is None


def test_a_file_may_not_give_one_colloquial_name_to_two_procedures(catalog, sample_data):
    from motcua.catalog.importer import CatalogError

    data = copy.deepcopy(sample_data)
    first, second = data["procedures"][0], data["procedures"][1]
    first["colloquial_names"] = ["giấy chào đời"]
    second["colloquial_names"] = ["Giay chao doi"]
    with pytest.raises(CatalogError) as refused:
        import_catalog(data)
    assert "đã là tên thường gọi" in " ".join(refused.value.problems)
    del second["colloquial_names"]
    import_catalog(data)  # one procedure: fine
    assert ColloquialName.objects.filter(key="giay chao doi").count() == 1
