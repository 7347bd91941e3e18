import pytest

from motcua.catalog.search import Filters, search


def codes(query, **filters):
    return [v.procedure.code for v in search(query, Filters(**filters)).select_related("procedure")]


@pytest.mark.parametrize(
    "query",
    ["ly lich tu phap", "Lý lịch tư pháp", "LY LICH TU PHAP", "tu phap ly lich", "phiếu lý lịch", "lý lich"],
)
def test_it_finds_criminal_record_with_or_without_diacritics(catalog, query):
    assert codes(query)[0] == "2.000488"


def test_it_ranks_a_name_match_above_a_body_match(catalog):
    # "khai sinh" is in the birth registration's name, and only in other procedures' text.
    found = codes("khai sinh")
    assert found[0] == "1.001193"


def test_it_ranks_exact_phrase_first(catalog):
    found = codes("đăng ký kết hôn")
    assert found[0] == "1.000894"


def test_it_prefers_the_users_diacritics(catalog):
    # "dat" folds from "đất" and from "đặt"; typed with its marks it ranks the land procedure first.
    assert codes("đất đai")[0] == "1.012766"


def test_it_requires_every_word(catalog):
    assert codes("khai sinh xây dựng") == []


def test_it_matches_word_starts_not_inside_words(catalog):
    # "inh" is inside "sinh" but starts no word.
    assert codes("inh") == []


def test_it_lists_everything_for_an_empty_query(catalog):
    assert len(codes("")) == 10
    assert len(codes("   ")) == 10


def test_it_filters(catalog):
    assert set(codes("", sector="LLTP")) == {"2.000488"}
    assert set(codes("", level=1)) == {"2.002234"}
    assert "2.001610" in codes("", subject="business")
    assert "2.001610" not in codes("", subject="citizen")
    by_agency = set(codes("", agency="000.21.01.H12"))
    assert by_agency == {"1.001193", "1.000894", "2.000635", "2.000815"}
    assert codes("ly lich", agency="000.21.01.H12") == []


@pytest.mark.parametrize(
    "query",
    ["x" * 10_000, "' OR 1=1 --", "<script>alert(1)</script>", "🙂🙂🙂", "%", "_", "\\", "\x00", "a%b_c"],
)
def test_it_answers_absurd_queries(catalog, query):
    assert isinstance(codes(query), list)


def test_it_treats_punctuation_only_as_an_empty_query(catalog):
    # Folding drops punctuation, so LIKE wildcards never reach the database.
    assert len(codes("%")) == len(codes("_")) == len(codes("")) == 10
