"""Search that understands people (#18): matches, suggestions, synonyms and colloquial names as
data, typos, the catalogue version. Runs on SQLite and PostgreSQL (the matching is in Python)."""

from __future__ import annotations

import pytest

from motcua.audit.models import ChangeLog
from motcua.catalog import search_actions
from motcua.catalog.actions import InvalidChange, retire
from motcua.catalog.catalog_version import current_catalog_version
from motcua.catalog.models import ColloquialName, Procedure, Synonym
from motcua.catalog.search import Filters, search

BIRTH, MARRIAGE, COPY, LLTP, HKD = "1.001193", "1.000894", "2.000635", "2.000488", "2.000720"


def found(query, **filters):
    results = search(query, Filters(**filters)).select_related("procedure")
    return [v.procedure.code for v in results], [v.procedure.code for v in results.suggestions()]


@pytest.fixture
def staff_user(db):
    from motcua.accounts.models import User

    return User.objects.create_user("qt_search", full_name="Quản trị tìm kiếm")


@pytest.mark.parametrize("query", [
    "dang ki khai sinh", "đăng kí khai sinh", "dk khai sinh", "đk khai sinh", "thủ tục đăng ký khai sinh cho con",
    "đăng ký khai sinh mất bao lâu", "dang ky khai sinh online dc ko", "dang ky khaii sinh", "khai sinh",
])
def test_people_find_birth_registration_first(catalog, query):
    matches, suggestions = found(query)
    assert matches[0] == BIRTH
    assert suggestions == []


def test_a_distinctive_word_that_matches_nothing_gives_no_first_result(catalog):
    # The sample catalogue has no death registration: "khai tu" shares only "khai" with birth registration.
    matches, suggestions = found("khai tu")
    assert matches == []
    assert BIRTH not in matches
    # "tu" alone is in "tư pháp": the suggestions may name it, apart from matches.
    assert all(code != "" for code in suggestions)


def test_words_that_collide_when_folded_do_not_match_across_names(catalog):
    assert found("ly hon")[0] == []
    assert found("giay phep lao dong")[0] == []
    assert found("xin việc")[0] == []


def test_the_closest_procedures_are_suggestions_when_nothing_matches(catalog):
    matches, suggestions = found("dang ky khai tu")
    assert matches == []
    assert suggestions and suggestions[0] in {BIRTH, MARRIAGE}  # they share "đăng ký" and "khai"


def test_an_empty_query_or_stop_phrases_only_list_everything(catalog):
    everything = found("")[0]
    assert len(everything) == Procedure.objects.filter(published__isnull=False).count()
    assert found("thủ tục")[0] == everything


def test_a_typo_in_a_long_word_is_forgiven_but_not_in_a_short_one(catalog):
    assert found("chung thuc ban sao")[0][0] == "2.000815"
    assert found("ket hin")[0] == []  # "hin" (3 letters) is not read as "hon"
    assert found("chuung thuc ban sao")[0][0] == "2.000815"  # "chuung" -> "chung"
    assert found("phieu ly lich tu phapp")[0][0] == LLTP


def test_filters_apply_to_matches(catalog):
    assert found("khai sinh", agency="000.22.01.H12")[0] == []
    assert found("khai sinh", agency="000.21.01.H12")[0][0] == BIRTH
    assert found("khai sinh", level=9)[0] == []


def test_a_synonym_an_admin_adds_is_used_at_once_and_logged(catalog, staff_user):
    assert found("giấy xác nhận giờ sinh")[0] == []
    before = current_catalog_version()
    search_actions.save_synonym(actor=staff_user, phrase="giấy xác nhận giờ sinh", meaning="đăng ký khai sinh")
    assert current_catalog_version() != before
    assert found("giấy xác nhận giờ sinh")[0][0] == BIRTH
    row = Synonym.objects.get(phrase="giấy xác nhận giờ sinh")
    log = ChangeLog.objects.get(object_type="catalog.synonym", object_id=str(row.pk))
    assert log.action == "create" and log.actor == staff_user
    search_actions.delete_synonym(row.pk, actor=staff_user)
    assert found("giấy xác nhận giờ sinh")[0] == []
    assert ChangeLog.objects.filter(object_type="catalog.synonym", object_id=str(row.pk), action="delete").exists()


def test_a_colloquial_name_finds_its_procedure(catalog, staff_user):
    procedure = Procedure.objects.get(code=MARRIAGE)
    assert found("làm giấy hôn thú")[0] == []
    row = search_actions.add_colloquial_name(procedure, actor=staff_user, name="giấy hôn thú")
    assert found("làm giấy hôn thú")[0] == [MARRIAGE]
    assert found("lam giay hon thu")[0] == [MARRIAGE]
    log = ChangeLog.objects.get(object_type="catalog.colloquialname", object_id=str(row.pk))
    assert log.agency == procedure.published.agency
    with pytest.raises(InvalidChange):
        search_actions.add_colloquial_name(procedure, actor=staff_user, name="Giấy hôn thú")  # the same, folded
    search_actions.remove_colloquial_name(procedure, row.pk, actor=staff_user)
    assert found("giay hon thu")[0] == []


@pytest.mark.parametrize(("phrase", "meaning", "field"), [
    ("", "x", "phrase"), ("   ", "x", "phrase"), ("!!!", "x", "phrase"), ("a" * 101, "x", "phrase"),
    ("một hai ba bốn năm sáu bảy tám chín", "x", "phrase"), ("sổ đỏ", "so do", "meaning"),
    ("sổ xanh", "x" * 201, "meaning"),
])
def test_a_bad_synonym_is_refused_with_its_field(db, staff_user, phrase, meaning, field):
    with pytest.raises(InvalidChange) as refused:
        search_actions.save_synonym(actor=staff_user, phrase=phrase, meaning=meaning)
    assert refused.value.field == field


def test_a_phrase_is_in_the_table_once(db, staff_user):
    search_actions.save_synonym(actor=staff_user, phrase="giấy chào đời", meaning="khai sinh")
    with pytest.raises(InvalidChange):
        search_actions.save_synonym(actor=staff_user, phrase="GIAY CHAO DOI", meaning="sinh")


def test_retiring_a_procedure_takes_it_out_of_the_results(catalog, staff_user):
    assert found("ket hon")[0][0] == MARRIAGE
    retire(Procedure.objects.get(code=MARRIAGE).published, actor=staff_user)
    assert MARRIAGE not in found("ket hon")[0]


def test_the_counter_sees_only_its_agencys_procedures(catalog):
    from motcua.agencies.models import Agency

    commune = Agency.objects.get(unit_code="000.21.01.H12")
    matches = search("khai sinh", Filters(receiving_agency_ids=frozenset({commune.pk})))
    assert [v.procedure.code for v in matches.select_related("procedure")][0] == BIRTH
    other = Agency.objects.get(unit_code="000.22.01.H12")
    assert search("khai sinh", Filters(receiving_agency_ids=frozenset({other.pk}))).ids == []


def test_seeded_defaults_exist(db):
    # The data migration seeds the common abbreviations and colloquial names.
    assert Synonym.objects.filter(key="cccd").exists()
    assert ColloquialName.objects.filter(procedure_code=BIRTH, key="giay khai sinh").exists()


def test_a_missing_version_row_is_created_so_the_index_is_cached(catalog):
    from motcua.catalog import search as catalog_search
    from motcua.catalog.models import CatalogVersion

    CatalogVersion.objects.all().delete()
    first = current_catalog_version()
    assert first is not None and CatalogVersion.objects.count() == 1
    assert current_catalog_version() == first
    assert catalog_search.index() is catalog_search.index()  # built once, not on every search


def test_a_colloquial_name_is_one_procedures_only(catalog, staff_user):
    from motcua.catalog.search import published_versions

    birth, marriage = Procedure.objects.get(code=BIRTH), Procedure.objects.get(code=MARRIAGE)
    before = ColloquialName.objects.filter(procedure_code=MARRIAGE).count()
    search_actions.add_colloquial_name(birth, actor=staff_user, name="giấy chào đời")
    with pytest.raises(InvalidChange) as refused:
        search_actions.add_colloquial_name(marriage, actor=staff_user, name="Giấy chào đời")
    assert BIRTH in refused.value.message
    official = published_versions().get(procedure__code=BIRTH).name
    with pytest.raises(InvalidChange):
        search_actions.add_colloquial_name(marriage, actor=staff_user, name=official)
    assert ColloquialName.objects.filter(procedure_code=MARRIAGE).count() == before
    assert found(official)[0][0] == BIRTH
